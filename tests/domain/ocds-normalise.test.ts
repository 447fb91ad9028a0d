import { describe, expect, it } from 'vitest';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { releaseIdOf, releaseProblem } from '../../src/domain/ocds/release.js';
import { unpackDocument } from '../../src/domain/ocds/unpack.js';
import { cfAward, cfTender, ftsReservedTender, pcsTender } from '../support/fixtures/releases.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';

describe('normalise', () => {
  it('reads a Contracts Finder award: buyer, value, suitability, supplier postcode buried in the street', () => {
    const t = normalise(compileReleases([cfAward(1)]));
    expect(t).toMatchObject({
      ocid: 'ocds-b5fd17-test-cf-1',
      title: 'RStudio License and Support',
      status: 'complete',
      value: { amount: 44341.25, currency: 'GBP' },
      suitableSme: true,
      suitableVcse: false,
      cpv: ['48000000'],
      deadline: '2022-10-03T22:59:59.000Z',
      url: 'https://www.contractsfinder.service.gov.uk/Notice/test-1',
    });
    expect(t.buyer).toMatchObject({ name: 'THE FINANCIAL CONDUCT AUTHORITY', identifier: 'GB-GOR-OT1085' });
    expect(t.buyer?.address?.postcode).toBe('E20 1JN');
    expect(t.awards).toHaveLength(1);
    expect(t.awards[0].suppliers[0]).toMatchObject({
      name: 'BYTES SOFTWARE SERVICES LIMITED',
      identifierScheme: 'GB-COH',
      identifier: '01616977',
      scale: 'large',
    });
    expect(t.awards[0].suppliers[0].address?.postcode).toBe('KT22 7TW');
    expect(t.items[0]).toMatchObject({ deliveryRegions: ['London'], deliveryPostcodes: ['E20 1JN'] });
  });

  it('reads an EU-profile tender: lots take their CPV and places from the items that name them', () => {
    const t = normalise(compileReleases([pcsTender(1)]));
    expect(t.lots.map((l) => ({ id: l.id, cpv: l.cpv, places: l.places, value: l.value.amount }))).toEqual([
      { id: '1', cpv: ['50711000'], places: ['UKM82'], value: 400000 },
      { id: '2', cpv: ['45310000'], places: ['UKM82'], value: 600000 },
    ]);
    expect(t.cpv).toEqual(['50711000', '45310000']);
    expect(t.buyer?.address?.postcode).toBe('G21 4LS');
    expect(t.url).toContain('publiccontractsscotland');
  });

  it('keeps a delivery address that names only its country as a place', () => {
    const release = cfTender(9);
    (release.tender as { items: unknown[] }).items = [{ id: '1', deliveryAddresses: [{ countryName: 'United Kingdom' }, { region: 'Wales', countryName: 'United Kingdom' }] }];
    expect(normalise(compileReleases([release])).items[0].deliveryRegions).toEqual(['United Kingdom', 'Wales']);
  });

  it('reads the UK notice type from documents', () => {
    expect(normalise(compileReleases([cfTender(1)])).noticeType).toBe('UK4');
  });

  it('treats wrong types as absent instead of failing', () => {
    const release = cfTender(2, { tender: { title: 42, value: { amount: 'lots', currency: 7 }, items: 'none', suitability: 'yes' } } as never);
    const t = normalise(compileReleases([release]));
    expect(t).toMatchObject({ title: '42', value: { amount: null, currency: null }, items: [], suitableSme: null });
  });
});

describe('reserved participation by location (UK extension: otherRequirements.reservedParticipationLocation)', () => {
  // A Location: gazetteer codes are read whatever the scheme; else the description as a place name.
  it.each<[string, JsonObject, string[], string | null]>([
    ['NUTS code of a county', { description: 'Kent', gazetteer: { scheme: 'NUTS', identifiers: ['UKJ4'] } }, ['TLJ4'], 'Kent'],
    ['ITL codes of the buyer\'s area and a neighbour', { gazetteer: { scheme: 'ITL', identifiers: ['TLJ45', 'TLJ46'] } }, ['TLJ45', 'TLJ46'], 'TLJ45, TLJ46'],
    ['a London borough named in words', { description: 'London Borough of Camden' }, ['TLI31'], 'London Borough of Camden'],
    ['a gazetteer whose numbers place nothing, and its description', { description: 'Essex', gazetteer: { scheme: 'GEONAMES', identifiers: ['2649889'] } }, ['TLH3'], 'Essex'],
    ['UK-based suppliers', { description: 'United Kingdom' }, ['TL'], 'United Kingdom'],
    ['England as its nine regions', { description: 'England' }, ['TLC', 'TLD', 'TLE', 'TLF', 'TLG', 'TLH', 'TLI', 'TLJ', 'TLK'], 'England'],
    ['a county tendermatch cannot place: kept as published', { description: 'Norfolk' }, [], 'Norfolk'],
  ])('%s', (_name, location, places, published) => {
    const t = normalise(compileReleases([ftsReservedTender(1, { tender: { reservedParticipation: ['smeVcse'], reservedParticipationLocation: location } })]));
    expect(t.reservedPlaces).toEqual(places);
    expect(t.reservedLocation).toBe(published);
    expect(t.reservedParticipation).toEqual(['smeVcse']);
    expect(t.lots[0].reservedPlaces).toEqual([]);
  });

  it('reads a lot\'s own reservation (the extension puts otherRequirements on lots too)', () => {
    const t = normalise(compileReleases([ftsReservedTender(2, { lot: { reservedParticipation: ['vcse'], reservedParticipationLocation: { description: 'Medway', gazetteer: { scheme: 'NUTS', identifiers: ['UKJ41'] } } } })]));
    expect(t.reservedPlaces).toEqual([]);
    expect(t.reservedLocation).toBeNull();
    expect(t.lots[0]).toMatchObject({ reservedParticipation: ['vcse'], reservedPlaces: ['TLJ41'], reservedLocation: 'Medway' });
  });

  it('reads no reservation when there is none, or when the location is not an object', () => {
    for (const release of [ftsReservedTender(3), ftsReservedTender(4, { tender: { reservedParticipationLocation: 'Kent' } })]) {
      const t = normalise(compileReleases([release]));
      expect(t.reservedPlaces).toEqual([]);
      expect(t.reservedLocation).toBeNull();
    }
  });
});

describe('release checks', () => {
  it.each([
    [{ id: 'x' }, 'release has no ocid'],
    [{ ocid: '' }, 'release has no ocid'],
    [[], 'release is not a JSON object'],
    [{ ocid: 'o', tender: 'closed' }, 'tender is not an object'],
    [{ ocid: 'o', awards: {} }, 'awards is not an array'],
    [{ ocid: 'o', date: 'yesterday' }, 'release date is not an ISO-8601 date'],
    [{ ocid: 'o', tender: { lots: 3 } }, 'tender.lots is not an array'],
    [{ ocid: 'o', date: '2022-01-01T00:00:00Z' }, null],
  ])('%j -> %s', (value, reason) => {
    expect(releaseProblem(value)).toBe(reason);
  });

  it('derives a stable id for a release that has none', () => {
    const r = pcsTender(3);
    const raw = JSON.stringify(r);
    expect(releaseIdOf(r, raw)).toBe(releaseIdOf(r, raw));
    expect(releaseIdOf(r, raw)).toMatch(/^derived-[0-9a-f]{16}$/);
    expect(releaseIdOf(r, raw)).not.toBe(releaseIdOf(pcsTender(4), JSON.stringify(pcsTender(4))));
  });
});

describe('unpackDocument', () => {
  it('reads release packages, record packages and JSON lines, and keeps broken lines with a reason', () => {
    const pkg = JSON.stringify({ uri: 'x', releases: [cfTender(1), cfTender(2)], links: { next: 'y' } });
    expect(unpackDocument(pkg).map((r) => (r.value as { ocid: string }).ocid)).toEqual(['ocds-b5fd17-test-open-1', 'ocds-b5fd17-test-open-2']);

    const records = JSON.stringify({ records: [{ ocid: 'a', releases: [{ url: 'u', date: 'd', tag: ['tender'] }], compiledRelease: cfTender(3) }] });
    expect(unpackDocument(records)).toHaveLength(1);

    const lines = `${JSON.stringify(cfTender(4))}\n{"ocid": "broken\n${JSON.stringify(cfTender(5))}\n`;
    const out = unpackDocument(lines);
    expect(out).toHaveLength(3);
    expect(out[1].parseError).toMatch(/^line 2 is not valid JSON/);
  });

  it('survives 1e9999', () => {
    const out = unpackDocument('{"releases":[{"ocid":"ocds-h6vhtk-1","id":"1","tender":{"value":{"amount":1e9999}}}]}');
    const t = normalise(compileReleases([out[0].value as never]));
    expect(t.value.amount).toBeNull();
  });
});
