import { describe, expect, it } from 'vitest';
import type { TenderRecord } from '../../src/domain/ocds/types.js';
import { capabilityTags, classifySpendLine, spendLineText, suggestCpv, tagTender } from '../../src/domain/tagging/index.js';

const base: TenderRecord = {
  ocid: 'ocds-r6ebe6-test-lots',
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
};
const lot = (id: string, title: string | null, cpv: string[]) => ({ id, title, description: null, status: null, value: { amount: null, currency: null }, cpv, places: [], suitableSme: null, suitableVcse: null });

describe('contradiction check', () => {
  it('does not read "QS Cost Consultancy" as IT (Public Contracts Scotland, Registers of Scotland, 2019)', () => {
    const tags = capabilityTags(
      '',
      ['71324000'],
      'QS Cost Consultancy Services',
      'Registers of Scotland (RoS) seek to award a Single Supplier Framework Agreement for provision of a range of QS / Cost Consultancy Services in support of our planned programme of refurbishment at our Meadowbank House (MBH) building.rn Bidders must be RICS Registered',
    );
    expect(tags).toEqual([{ lotId: '', code: '71324000', method: 'published', confidence: 1, reason: null }]);
  });

  it('checks each lot with words and codes of its own against its own text, and no other lot', () => {
    const tags = tagTender({
      ...base,
      title: 'Highway services',
      cpv: ['45233141'],
      lots: [
        lot('1', 'Road maintenance and resurfacing', ['45233141']),
        // Published as food products, but the lot is plainly software development.
        lot('2', 'Software development services', ['15000000']),
        // No words of its own: read through the tender, whose code stands; not checked again.
        lot('3', null, ['15000000']),
      ],
    });
    const contradicted = tags.cpv.filter((t) => t.reason === 'contradicts_text');
    expect([...new Set(contradicted.map((t) => t.lotId))]).toEqual(['2']);
    expect(contradicted.every((t) => t.code.startsWith('72') && t.method === 'inferred')).toBe(true);
    expect(tags.cpv.filter((t) => t.lotId === '2' && t.method === 'published').map((t) => t.code)).toEqual(['15000000']);
  });
});

describe('spend-line mode', () => {
  // Real lines from ../shared/data/spend (Oxford expense types, Birmingham purchase-card expense types and merchants), with the division a person gave them.
  it.each([
    ['Grounds Maintenance', '77'],
    ['shell kings 587', '09'],
    ['tesco stores 5504', '15'],
    ['travelodge gb0000', '55'],
    ['Petrol, Diesel & Oil', '09'],
    ['Lift Maintenance / Servicing', '50'],
    ['Temporary Bureau Staffing', '79'],
    ['Waste Disposal & Skip Hire', '90'],
    ['Bldg RM Departmental', '50'],
  ])('%s → division %s', (text, division) => {
    expect(classifySpendLine(text).divisions[0].code.slice(0, 2)).toBe(division);
  });

  it('spells out ledger shorthand and names what a kind of merchant sells', () => {
    expect(spendLineText("Bldg RM Emergy UDD")).toBe('building repair maintenance emergency udd');
    expect(spendLineText('esso aston way ss')).toBe('esso aston way ss fuel petrol diesel');
    expect(spendLineText('CONTRACTOR OTHER')).toBe('contractor other');
  });
});

describe('suggestCpv', () => {
  it.each([
    ['Grounds maintenance, grass cutting and planting for councils and housing associations.', ['grounds maintenance', 'grass cutting'], '77'],
    ['We build and support bespoke web applications and databases for the public sector.', ['software development'], '72'],
    ['Commercial cleaning of offices and schools.', [], '90'],
  ])('%s → division %s first, with labels, best first', (description, keywords, division) => {
    const suggested = suggestCpv(description, keywords);
    expect(suggested[0].code.slice(0, 2)).toBe(division);
    expect(suggested.length).toBeLessThanOrEqual(5);
    expect(suggested.every((s) => typeof s.label === 'string' && s.confidence > 0)).toBe(true);
    expect(suggested.map((s) => s.confidence)).toEqual([...suggested.map((s) => s.confidence)].sort((a, b) => b - a));
  });

  it('suggests nothing from nothing', () => {
    expect(suggestCpv('', [])).toEqual([]);
    expect(suggestCpv(null, ['  '])).toEqual([]);
  });
});
