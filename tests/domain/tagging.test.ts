import { describe, expect, it } from 'vitest';
import { SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import { fromDialect } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { writeTags } from '../../db/queries/tags.js';
import type { Address, TenderRecord } from '../../src/domain/ocds/types.js';
import { addressPlaces, capabilityTags, tagTender } from '../../src/domain/tagging/index.js';
import { classifyNotice } from '../../src/domain/tagging/classifier.js';
import { freshDb } from '../support/helpers.js';

const address = (a: Partial<Address>): Address => ({ text: null, postcode: null, region: null, countryName: 'United Kingdom', ...a });

function tender(over: Partial<TenderRecord> = {}): TenderRecord {
  return {
    ocid: 'ocds-b5fd17-test-1',
    tenderId: null,
    title: null,
    description: null,
    buyer: null,
    value: { amount: null, currency: null },
    status: 'active',
    procurementMethod: null,
    procurementMethodDetails: null,
    mainCategory: null,
    publishedAt: null,
    deadline: null,
    noticeType: null,
    suitableSme: null,
    suitableVcse: null,
    reservedParticipation: [],
    cpv: [],
    url: null,
    lots: [],
    items: [],
    awards: [],
    ...over,
  };
}

const item = (id: string, over: Partial<TenderRecord['items'][number]> = {}) => ({
  id,
  lotId: null,
  description: null,
  cpv: null,
  additionalCpv: [],
  deliveryRegions: [],
  deliveryPostcodes: [],
  deliveryDescription: null,
  ...over,
});

describe('CPV classifier on real notice titles', () => {
  // Titles from ../shared/data (Contracts Finder, Sell2Wales, TED) with the division they were published under.
  it.each([
    ['Lift Preventative Maintenance', 'Wrexham County Borough Council is looking to appoint a single Contractor to maintain lifts and escalators', '50'],
    ['Portering services', '', '98'],
    ['Software development services', '', '72'],
    ['Grounds maintenance', 'Grass cutting and hedge trimming in parks', '77'],
    ['Construction work for swimming pool', '', '45'],
  ])('%s → division %s', (title, description, division) => {
    const result = classifyNotice(title, description);
    expect(result.divisions[0].code.slice(0, 2)).toBe(division);
    expect(result.codes[0].code.slice(0, 2)).toBe(division);
    expect(result.codes[0].confidence).toBeGreaterThan(0.15);
    expect(result.codes.map((c) => c.confidence)).toEqual([...result.codes.map((c) => c.confidence)].sort((a, b) => b - a));
  });
});

describe('capabilityTags', () => {
  it('keeps published codes and infers none when a specific code agrees with the text', () => {
    const tags = capabilityTags('', ['72262000'], 'Software development services', 'For a case management system');
    expect(tags).toEqual([{ lotId: '', code: '72262000', method: 'published', confidence: 1, reason: null }]);
  });
  it('infers codes when none are published', () => {
    const tags = capabilityTags('', [], 'Software development services');
    expect(tags[0]).toMatchObject({ code: '72262000', method: 'inferred', reason: 'no_code' });
    expect(tags.length).toBeLessThanOrEqual(3);
  });
  it('deepens a division-only code within its division', () => {
    const tags = capabilityTags('1', ['72000000'], 'Software development services');
    expect(tags[0]).toMatchObject({ code: '72000000', method: 'published' });
    const inferred = tags.filter((t) => t.method === 'inferred');
    expect(inferred.length).toBeGreaterThan(0);
    expect(inferred.every((t) => t.code.startsWith('72') && t.reason === 'division_only' && t.lotId === '1')).toBe(true);
  });
  it('flags a published code that contradicts the text', () => {
    // Published as food products, but the text is plainly IT services.
    const tags = capabilityTags('', ['15000000'], 'Software development services');
    expect(tags[0]).toMatchObject({ code: '15000000', method: 'published' });
    expect(tags.some((t) => t.method === 'inferred' && t.reason === 'contradicts_text' && t.code.startsWith('72'))).toBe(true);
  });
  it('adds nothing when there is no text', () => {
    expect(capabilityTags('', [], '  ')).toEqual([]);
  });
});

describe('tagTender', () => {
  it('tags delivery, buyer and supplier places with method and confidence (Contracts Finder shape)', () => {
    const tags = tagTender(
      tender({
        title: 'Grounds maintenance',
        cpv: ['77314000'],
        buyer: { id: 'b', name: 'Transport for Greater Manchester', identifier: null, address: address({ text: 'Transport for Greater Manchester, 2, Piccadilly Place,', postcode: 'M1 3BG' }) },
        items: [item('1', { deliveryRegions: ['North West'] })],
        awards: [
          {
            id: 'a1',
            date: null,
            datePublished: null,
            status: 'active',
            value: { amount: null, currency: null },
            lotIds: [],
            suppliers: [
              { partyId: 's1', name: 'Leatherhead Ltd', identifierScheme: null, identifier: null, address: address({ text: 'Randalls WayLEATHERHEADSURREYKT22 7TWGB' }), scale: 'sme' },
            ],
          },
        ],
      }),
    );
    const byRole = (role: string) => tags.places.filter((p) => p.role === role).map((p) => [p.lotId, p.partyId, p.code, p.lad ?? null, p.method, p.confidence, p.national]);
    expect(byRole('delivery')).toEqual([['', '', 'TLD', null, 'name', 1, false]]);
    // Postcodes place down to the local authority: M1 3BG in Manchester, KT22 7TW (buried in the address) in Mole Valley.
    expect(byRole('buyer')).toEqual([['', '', 'TLD33', 'E08000003', 'postcode', 1, false]]);
    expect(byRole('supplier')).toEqual([['', 's1', 'TLJ26', 'E07000210', 'postcode', 1, false]]);
    expect(tags.cpv).toEqual([{ lotId: '', code: '77314000', method: 'published', confidence: 1, reason: null }]);
    expect(tags.placeProblems).toEqual([]);
  });

  it('marks "Any region" national and England as its nine regions, national', () => {
    const any = tagTender(tender({ items: [item('1', { deliveryRegions: ['Any region'] })] }));
    expect(any.places).toMatchObject([{ role: 'delivery', code: 'TL', level: 0, national: true }]);
    const england = tagTender(tender({ items: [item('1', { deliveryRegions: ['England'] })] }));
    expect(england.places.map((p) => p.code)).toEqual(['TLC', 'TLD', 'TLE', 'TLF', 'TLG', 'TLH', 'TLI', 'TLJ', 'TLK']);
    expect(england.places.every((p) => p.national)).toBe(true);
  });

  it('tags each lot from its items (EU profile: Sell2Wales / Public Contracts Scotland)', () => {
    const tags = tagTender(
      tender({
        title: 'Highway works',
        lots: [
          { id: '1', title: 'Road maintenance', description: null, status: null, value: { amount: null, currency: null }, cpv: ['45233141'], places: ['UKL18'], suitableSme: null, suitableVcse: null },
          { id: '2', title: 'Street lighting', description: null, status: null, value: { amount: null, currency: null }, cpv: [], places: [], suitableSme: null, suitableVcse: null },
        ],
        items: [
          item('1', { lotId: '1', cpv: '45233141', deliveryRegions: ['UKL18'] }),
          item('2', { lotId: '2', deliveryRegions: ['UKM21'] }),
        ],
      }),
    );
    const delivery = tags.places.filter((p) => p.role === 'delivery').map((p) => [p.lotId, p.code]);
    expect(delivery).toEqual([
      ['', 'TLL18'],
      ['', 'TLM71'],
      ['1', 'TLL18'],
      ['2', 'TLM71'],
    ]);
    expect(tags.cpv.filter((t) => t.lotId === '1')).toEqual([{ lotId: '1', code: '45233141', method: 'published', confidence: 1, reason: null }]);
    const lot2 = tags.cpv.filter((t) => t.lotId === '2');
    expect(lot2.length).toBeGreaterThan(0);
    expect(lot2.every((t) => t.method === 'inferred' && t.reason === 'no_code')).toBe(true);
  });

  it('reads a free-text delivery location only when no region is published, and says why it failed', () => {
    const named = tagTender(tender({ items: [item('1', { deliveryDescription: 'Glasgow City' })] }));
    expect(named.places).toMatchObject([{ code: 'TLM82', method: 'name', confidence: 0.9 }]);
    const unknown = tagTender(tender({ items: [item('1', { deliveryDescription: 'Throughout the Highland Council area.' })] }));
    expect(unknown.places).toEqual([]);
    expect(unknown.placeProblems[0]).toContain('not understood');
    expect(tagTender(tender()).placeProblems).toEqual(['no delivery place published']);
  });
});

describe('writeTags', () => {
  const record = tender({
    title: 'Software development services',
    cpv: [],
    buyer: { id: 'b', name: 'Buyer', identifier: null, address: address({ postcode: 'E20 1JN' }) },
    items: [item('1', { deliveryRegions: ['West Midlands'] })],
  });

  it('stores place and CPV tags, and replaces them when run again', async () => {
    const db = await freshDb();
    await writeTags(db, [record], '2026-11-24T09:00:00.000Z');
    const places = await db.selectFrom('tender_places').selectAll().orderBy('role').execute();
    expect(places.map((p) => [p.role, p.code, p.method, p.national])).toEqual([
      ['buyer', 'TLI41', 'postcode', 0],
      ['delivery', 'TLG', 'name', 0],
    ]);
    const cpv = await db.selectFrom('tender_cpv').selectAll().execute();
    expect(cpv.length).toBeGreaterThan(0);
    expect(cpv.every((c) => c.method === 'inferred' && c.reason === 'no_code' && c.confidence > 0 && c.confidence <= 1)).toBe(true);

    // The notice changes: now published with a code and delivered in London.
    const changed = { ...record, cpv: ['72262000'], items: [item('1', { deliveryRegions: ['London'] })] };
    await writeTags(db, [changed], '2026-11-24T10:00:00.000Z');
    await writeTags(db, [changed], '2026-11-24T10:00:00.000Z');
    const after = await db.selectFrom('tender_places').select(['role', 'code']).where('role', '=', 'delivery').execute();
    expect(after).toEqual([{ role: 'delivery', code: 'TLI' }]);
    const cpvAfter = await db.selectFrom('tender_cpv').select(['code', 'method', 'tagged_at']).execute();
    expect(cpvAfter).toEqual([{ code: '72262000', method: 'published', tagged_at: '2026-11-24T10:00:00.000Z' }]);
  });

  it('writes many tenders in batches sized for D1 (100 bound parameters)', async () => {
    const sqlite = new SQLite(':memory:');
    const db = fromDialect(new SqliteDialect({ database: sqlite }), 'd1');
    await migrate(db);
    const records = Array.from({ length: 120 }, (_, i) => ({
      ...record,
      ocid: `ocds-test-${String(i).padStart(3, '0')}`,
      items: [item('1', { deliveryRegions: ['England'] })],
    }));
    await writeTags(db, records, '2026-11-24T09:00:00.000Z');
    const count = await db.selectFrom('tender_places').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'delivery').executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(120 * 9);
    const ocids = await db.selectFrom('tender_cpv').select('ocid').distinct().execute();
    expect(ocids).toHaveLength(120);
    await db.destroy();
  });
});

describe('addressPlaces', () => {
  it.each([
    [{ region: 'UKM82', postcode: 'G21 4LS' }, [['TLM82', 'code']]], // PCS buyer: region code wins
    [{ region: 'England', postcode: 'SN2 1FL' }, [['TLK14', 'postcode']]], // a country says less than the postcode (Swindon)
    [{ region: 'England' }, [['TLC', 'name'], ['TLD', 'name'], ['TLE', 'name'], ['TLF', 'name'], ['TLG', 'name'], ['TLH', 'name'], ['TLI', 'name'], ['TLJ', 'name'], ['TLK', 'name']]],
    // CF supplier: North Ayrshire spans two ITL3 areas (mainland, and Arran and Cumbrae), so the tag is their common area.
    [{ text: 'Skelmorlie Castle Road\r\nSkelmorlie\r\nNorth Ayrshire\r\nPA17 5EE' }, [['TLM', 'postcode']]],
    [{ text: 'Polaris House, SWINDON' }, []],
  ])('%j', (a, expected) => {
    const tags = addressPlaces({ text: null, postcode: null, region: null, countryName: null, ...a });
    expect(tags.map((t) => [t.code, t.method])).toEqual(expected);
  });
});
