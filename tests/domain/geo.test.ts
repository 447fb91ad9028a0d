import { describe, expect, it } from 'vitest';
import {
  allItlCodes,
  findPostcodes,
  itlAncestors,
  itlLevel,
  itlName,
  itlParent,
  normalisePostcode,
  postcodeToItl1,
  regionFromName,
  resolvePlace,
  toItl,
  ENGLAND_ITL1,
} from '../../src/domain/geo/index.js';

// Strings below are as published in ../shared/data/ocds (Contracts Finder, Public Contracts Scotland,
// Sell2Wales) unless marked otherwise.
describe('toItl', () => {
  it.each([
    ['UKM71', 'TLM71'], // PCS delivery region
    ['UKL18', 'TLL18'], // Sell2Wales
    ['UKL', 'TLL'],
    ['UK', 'TL'],
    ['TLG31', 'TLG31'],
    ['tlg3', 'TLG3'],
    [' UKG 31 ', 'TLG31'],
    ['UKM21', 'TLM71'], // NUTS 2016 Angus and Dundee City
    ['UKM24', 'TLM91'], // NUTS 2016 Scottish Borders moved to Southern Scotland
    ['UKM34', 'TLM82'], // NUTS 2016 Glasgow City
    ['UKM2', 'TLM'], // NUTS 2016 Eastern Scotland straddles two 2021 regions
    ['UKM3', 'TLM'],
    ['UKM5', 'TLM5'],
    ['UKI1', 'TLI'], // NUTS 2013 Inner London
    ['UKZZZ', null], // extra-regio
    ['UKX99', null],
    ['FR101', null],
    ['West Midlands', null],
    ['', null],
  ])('%s → %s', (code, itl) => {
    expect(toItl(code)).toBe(itl);
  });
});

describe('ITL hierarchy', () => {
  it('knows every level-1..3 code of the reference list plus the UK', () => {
    const codes = allItlCodes();
    expect(codes.length).toBe(233);
    expect(codes.filter((c) => itlLevel(c) === 1)).toHaveLength(12);
    expect(codes.filter((c) => itlLevel(c) === 3).length).toBeGreaterThan(170);
  });
  it.each([
    ['TLG31', 3, 'TLG3', ['TLG3', 'TLG']],
    ['TLM82', 3, 'TLM8', ['TLM8', 'TLM']],
    ['TLM9', 2, 'TLM', ['TLM']],
    ['TLN', 1, 'TL', []],
    ['TL', 0, null, []],
  ])('%s level %i parent %s', (code, level, parent, ancestors) => {
    expect(itlLevel(code)).toBe(level);
    expect(itlParent(code)).toBe(parent);
    expect(itlAncestors(code)).toEqual(ancestors);
  });
  it('names regions', () => {
    expect(itlName('TLG')).toBe('West Midlands (England)');
    expect(itlName('TLM82')).toBe('Glasgow City');
    expect(itlName('TL')).toBe('United Kingdom');
    expect(itlName('TLX')).toBeNull();
  });
});

describe('regionFromName (Contracts Finder names)', () => {
  it.each([
    ['West Midlands', ['TLG'], false],
    ['Yorkshire and the Humber', ['TLE'], false],
    ['London', ['TLI'], false],
    ['Wales', ['TLL'], false],
    ['Scotland', ['TLM'], false],
    ['Northern Ireland', ['TLN'], false],
    ['East of England', ['TLH'], false],
    ['South West', ['TLK'], false],
    ['North East', ['TLC'], false],
    ['Any region', ['TL'], true],
    ['United Kingdom', ['TL'], true],
    ['England', ENGLAND_ITL1, true],
    ['Glasgow City', ['TLM82'], false],
    ['Pan-Wales', ['TLL'], false], // Sell2Wales deliveryLocation
    ['Atlantis', null, null],
  ])('%s', (name, codes, national) => {
    const got = regionFromName(name);
    if (codes === null) expect(got).toBeNull();
    else expect(got).toEqual({ codes, national });
  });
});

describe('postcodes', () => {
  it.each([
    ['Randalls WayLEATHERHEADSURREYKT22 7TWGB', ['KT22 7TW']], // CF supplier streetAddress
    ['Wallshaw Street, Oldham, Greater Manchester, OL1 3TR', ['OL1 3TR']],
    ['Head Office, Hyde Road, Ardwick, Manchester, Greater Manchester, M12 6JS', ['M12 6JS']],
    ['Transport for Greater Manchester, 2, Piccadilly Place,', []],
    ['b15 2tt', ['B15 2TT']],
    ['SW1A1AA and sw1a 1aa', ['SW1A 1AA']],
    ['CPV 72000000-5, ISO 9001, Lot 2', []],
  ])('findPostcodes(%j)', (text, expected) => {
    expect(findPostcodes(text)).toEqual(expected);
  });
  it.each([
    ['E201JN', 'E20 1JN'], // CF buyer postalCode
    ['kt22  7tw', 'KT22 7TW'],
    ['M1 3BG', 'M1 3BG'],
    ['12345', null],
    ['KT22', null],
  ])('normalisePostcode(%s)', (input, out) => {
    expect(normalisePostcode(input)).toBe(out);
  });
  // Through the postcode's sector (OS Code-Point Open 2025): the share of the sector's postcodes in that region.
  it.each([
    ['KT22 7TW', 'TLJ', 1, 'sector'],
    ['M1 3BG', 'TLD', 1, 'sector'],
    ['E20 1JN', 'TLI', 1, 'sector'],
    ['CH4 8AB', 'TLD', 0.617, 'sector'], // sector CH4 8 straddles Cheshire West and Chester (England) and Flintshire (Wales)
    ['BH24 1AA', 'TLJ', 1, 'sector'], // district BH24 straddles Hampshire and Dorset; its sector BH24 1 does not
  ])('postcodeToItl1(%s) → %s', (pc, code, confidence, via) => {
    const got = postcodeToItl1(pc)!;
    expect(got.code).toBe(code);
    expect(got.confidence).toBeCloseTo(confidence, 3);
    expect(got.via).toBe(via);
  });
  it('falls back to the area for an unknown district, with less confidence', () => {
    const got = postcodeToItl1('KT99 1AA')!;
    expect(got.via).toBe('area');
    expect(got.code).toBe('TLJ');
    expect(got.confidence).toBeLessThan(1);
  });
  it('returns null for a non-UK area', () => {
    expect(postcodeToItl1('QQ1 1AA')).toBeNull();
  });
});

describe('resolvePlace', () => {
  it.each([
    ['UKM71', [{ code: 'TLM71', level: 3, method: 'code', confidence: 1, national: false }]],
    ['UK', [{ code: 'TL', level: 0, method: 'code', confidence: 1, national: true }]],
    ['West Midlands', [{ code: 'TLG', level: 1, method: 'name', confidence: 1, national: false }]],
    ['Any region', [{ code: 'TL', level: 0, method: 'name', confidence: 1, national: true }]],
    // An ITL3 area that is one local authority names it too.
    ['UKG31 Birmingham', [{ code: 'TLG31', level: 3, method: 'code', confidence: 1, national: false, lad: 'E08000025', ladConfidence: 1 }]],
    [
      'Randalls WayLEATHERHEADSURREYKT22 7TWGB',
      [{ code: 'TLJ26', level: 3, method: 'postcode', confidence: 1, national: false, lad: 'E07000210', ladConfidence: 1, postcode: 'KT22 7TW' }],
    ],
    ['CH4 8AB', [{ code: 'TLD63', level: 3, method: 'postcode', confidence: 0.617, national: false, lad: 'E06000050', ladConfidence: 0.617, postcode: 'CH4 8AB' }]],
    ['Sites engaged in the management of the health', []],
    ['', []],
  ])('%j', (raw, expected) => {
    expect(resolvePlace(raw).map(({ raw: _r, ...t }) => t)).toEqual(expected);
  });
  it('reads England as the nine English regions, national', () => {
    const tags = resolvePlace('England');
    expect(tags.map((t) => t.code)).toEqual(ENGLAND_ITL1);
    expect(tags.every((t) => t.national && t.method === 'name')).toBe(true);
  });
});

describe('region names inside free text (PCS and Sell2Wales deliveryLocation descriptions)', () => {
  it.each([
    ['Angus', ['TLM71'], ['S12000041']], // the whole text names a council area: certain, see below
    ['Edinburgh', ['TLM75'], ['S12000036']],
  ])('%j names a local authority: %j', (text, codes, lads) => {
    const tags = resolvePlace(text);
    expect(tags.map((t) => [t.code, t.lad])).toEqual(codes.map((c, i) => [c, lads[i]]));
    for (const t of tags) expect(t).toMatchObject({ method: 'name', confidence: 1 });
  });
  it.each([
    ['Isle of Islay, Argyll and Bute.', ['TLM63']],
    ['Various locations in Swansea', ['TLL18']],
    ['Various locations throughout the geographical boundaries of the participating Councils and associate members within Scotland.', ['TLM']],
    ['Birmingham and Solihull', ['TLG31', 'TLG32']],
    ['Aneurin Bevan University Health Board', []],
    ['Sites engaged in the management and/or support of the health, care', []],
  ])('%j → %j', (text, codes) => {
    const tags = resolvePlace(text);
    expect(tags.map((t) => t.code)).toEqual(codes);
    for (const t of tags) expect(t).toMatchObject({ method: 'name', confidence: 0.7 });
  });
});
