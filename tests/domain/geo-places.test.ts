import { describe, expect, it } from 'vitest';
import {
  ENGLAND_ITL1,
  allItlCodes,
  combinedAuthority,
  findPostcodes,
  homeAreaOf,
  localAuthorities,
  localAuthority,
  namedArea,
  placeMatch,
  placeOfPostcode,
  placeQuery,
  resolvePlace,
  type AskedPlace,
  type PlaceMatch,
  type PlaceQuery,
  type TaggedPlace,
} from '../../src/domain/geo/index.js';

// Postcodes of real buyers in ../shared/data/ocds, with the LAD the full postcode list (Code-Point Open 2025) gives
// each; placeOfPostcode reads them through their sector, so `confidence` is the sector's share in that LAD.
describe('placeOfPostcode: real buyer postcodes to their local authority, ITL3 area and combined authority', () => {
  it.each([
    ['EC3A7QU', 'E09000001', 'City of London', 'TLI31', 'Greater London Authority', 1], // Financial Services Compensation Scheme
    ['CF240TP', 'W06000015', 'Cardiff', 'TLL22', null, 1], // Natural Resources Wales
    ['KA37BU', 'S12000008', 'East Ayrshire', 'TLM93', null, 1], // East Ayrshire Council
    ['DL15QT', 'E06000005', 'Darlington', 'TLC13', 'Tees Valley Combined Authority', 1], // Darlington Borough Council
    ['TW33EB', 'E09000018', 'Hounslow', 'TLI75', 'Greater London Authority', 0.975], // London Borough of Hounslow
    ['S12HH', 'E08000039', 'Sheffield', 'TLE32', 'South Yorkshire Mayoral Combined Authority', 1], // 2025 code after the boundary change
    ['M13BG', 'E08000003', 'Manchester', 'TLD33', 'Greater Manchester Combined Authority', 1], // Transport for Greater Manchester
    ['PR56AW', 'E07000126', 'South Ribble', 'TLD45', null, 0.972], // Lancashire and South Cumbria NHS Foundation Trust
    ['OX110QR', 'E07000180', 'Vale of White Horse', 'TLJ14', null, 0.768], // Satellite Applications Catapult: a straddling sector
    ['YO625BP', 'E06000065', 'North Yorkshire', 'TLE22', 'York and North Yorkshire Mayoral Combined Authority', 1],
    ['DE13QT', 'E06000015', 'Derby', 'TLF11', 'East Midlands Combined County Authority', 1],
    ['NE289NZ', 'E08000022', 'North Tyneside', 'TLC22', 'North East Mayoral Combined Authority', 1], // not the abolished North of Tyne CA
    ['LL17OJD', 'W06000004', 'Denbighshire', 'TLL13', null, 0.987], // ClwydAlyn: published with a letter O for the zero
    ['SE59RS', 'E09000022', 'Lambeth', 'TLI45', 'Greater London Authority', 0.696],
    ['BT1 1AA', 'N09000003', 'Belfast', 'TLN06', null, 1],
    ['B19 3SD', 'E08000025', 'Birmingham', 'TLG31', 'West Midlands Combined Authority', 1],
  ])('%s → %s %s (%s)', (pc, lad, ladName, itl3, ca, confidence) => {
    expect(placeOfPostcode(pc)).toEqual({
      postcode: expect.stringMatching(/^[A-Z0-9]+ [0-9][A-Z]{2}$/),
      lad,
      ladName,
      itl3,
      itl1: itl3.slice(0, 3),
      combinedAuthority: ca,
      confidence,
      via: 'sector',
    });
  });

  it('reads a sector or a district as given, with the share of its postcodes in its main LAD', () => {
    expect(placeOfPostcode('B1 1')).toMatchObject({ postcode: 'B1 1', lad: 'E08000025', via: 'sector', confidence: 1 });
    // District CV35 straddles Stratford-on-Avon (62.2% of its postcodes) and Warwick.
    expect(placeOfPostcode('CV35')).toMatchObject({ postcode: 'CV35', via: 'district', lad: 'E07000221', ladName: 'Stratford-on-Avon', confidence: 0.622 });
  });

  it('gives no ITL3 for a LAD that spans several, and falls back to the ITL1 region for an unknown district', () => {
    expect(placeOfPostcode('IV1 1AA')).toMatchObject({ lad: 'S12000017', ladName: 'Highland', itl3: null, itl1: 'TLM' });
    expect(placeOfPostcode('KT99 1AA')).toMatchObject({ lad: null, itl3: null, itl1: 'TLJ', via: 'area' });
    expect(placeOfPostcode('KT99 1AA')!.confidence).toBeLessThanOrEqual(0.9);
  });

  it('places nothing outside the UK or what is no postcode', () => {
    for (const pc of ['JE2 3AB', 'GY1 1AA', 'IM1 1AA', 'QQ1 1AA', 'hello', '']) expect(placeOfPostcode(pc)).toBeNull();
  });
});

describe('postcodes buried in addresses, newlines mangled to the letter n', () => {
  it.each([
    ['135 CHERRYWOOD ROADnBORDESLEY GREENnBIRMINGHAMnB9 4XE', ['B9 4XE']],
    ['Hills RoadnCambridgenCB1 8DW', ['CB1 8DW']],
    ['Unit 3rnStation RoadrnBirminghamrnB9 4XE', ['B9 4XE']], // CRLF mangled to rn
    ['1 High Street\\nLeeds\\nLS1 4DY', ['LS1 4DY']], // written as a backslash and n
    ['Randalls WayLEATHERHEADSURREYKT22 7TWGB', ['KT22 7TW']],
  ])('%j', (text, postcodes) => {
    expect(findPostcodes(text)).toEqual(postcodes);
  });
});

describe('local authorities and combined authorities as places, by name and code', () => {
  it.each([
    ['Birmingham', 'itl', [], ['TLG31']], // the ITL3 name, which is the one LAD
    ['Birmingham City Council', 'local authority', ['E08000025'], []],
    ['E08000025', 'local authority', ['E08000025'], []],
    ['E08000016', 'local authority', ['E08000038'], []], // Barnsley's code before 2025 finds its new code
    ['Doncaster', 'local authority', ['E08000017'], []],
    ['Wirral Borough Council', 'local authority', ['E08000015'], []],
    ['London Borough of Camden', 'local authority', ['E09000007'], []],
    ['Bristol', 'local authority', ['E06000023'], []],
    ['Hull', 'local authority', ['E06000010'], []],
    ['St Helens', 'local authority', ['E08000013'], []],
    ['Kent County Council', 'itl', [], ['TLJ4']],
  ])('%s is a %s', (name, kind, lads, codes) => {
    expect(namedArea(name)).toMatchObject({ kind, lads, codes });
  });

  it('finds combined authorities by name, abbreviation and GSS code, and the 2024 North East authority by its forerunners', () => {
    for (const name of ['West Midlands Combined Authority', 'WMCA', 'E47000007', 'west midlands ca']) expect(combinedAuthority(name)?.key).toBe('WMCA');
    expect(combinedAuthority('WMCA')!.lads).toEqual(['E08000025', 'E08000026', 'E08000027', 'E08000028', 'E08000029', 'E08000030', 'E08000031']);
    const northEast = combinedAuthority('North of Tyne Combined Authority')!;
    expect(northEast.name).toBe('North East Mayoral Combined Authority');
    expect(combinedAuthority('E47000010')).toBe(northEast);
    expect(northEast.lads).toHaveLength(7); // Durham, Gateshead, Newcastle, North Tyneside, Northumberland, South Tyneside, Sunderland
    // Members through their county: Derbyshire Dales is in the East Midlands CCA.
    expect(combinedAuthority('EMCCA')!.lads).toContain(localAuthority('Derbyshire Dales')!.code);
  });

  it('every LAD in force has an ITL3 area known to the ITL table, and every ITL3 area holds a LAD', () => {
    const itl = new Set(allItlCodes());
    const lads = localAuthorities();
    expect(lads.length).toBe(361); // 363 rows, less Barnsley's and Sheffield's replaced codes
    for (const la of lads) for (const code of la.itl3) expect(itl.has(code), `${la.code} ${code}`).toBe(true);
    const covered = new Set(lads.flatMap((l) => l.itl3));
    for (const code of allItlCodes().filter((c) => c.length === 5)) expect(covered.has(code), code).toBe(true);
  });

  it('a combined authority named as a delivery place tags each member, each with its LAD', () => {
    const tags = resolvePlace('West Midlands Combined Authority');
    expect(tags.map((t) => [t.code, t.lad])).toEqual([
      ['TLG31', 'E08000025'],
      ['TLG33', 'E08000026'],
      ['TLG36', 'E08000027'],
      ['TLG37', 'E08000028'],
      ['TLG32', 'E08000029'],
      ['TLG38', 'E08000030'],
      ['TLG39', 'E08000031'],
    ]);
  });

  it("a supplier is based where its postcode's LAD is, when that lies in the region it registered", () => {
    expect(homeAreaOf('B19 3SD', 'TLG')).toBe('TLG31');
    expect(homeAreaOf('B19 3SD', null)).toBe('TLG31');
    expect(homeAreaOf('B19 3SD', 'TLM')).toBe('TLM'); // registered elsewhere: kept as registered
    expect(homeAreaOf('SE5 9RS', 'TLI')).toBe('TLI'); // a straddling sector (0.696 in Lambeth): not finer than said
  });
});

// One table of real places: what a tender (or supplier, or payee) is tagged with, the place asked about, and how
// the one stands to the other. The same rule runs in the tender filter, the supplier filter and the spend reports.
const birmingham: TaggedPlace = { code: 'TLG31', lad: 'E08000025' };
const doncaster: TaggedPlace = { code: 'TLE31', lad: 'E08000017' };
const highland: TaggedPlace = { code: 'TLM6', lad: 'S12000017' };
const area = (name: string): AskedPlace => namedArea(name)!;
const PLACES: Array<[string, TaggedPlace[], string, PlaceMatch]> = [
  ['delivered in Birmingham, asked WMCA', [birmingham], 'WMCA', 'inside'],
  ['tagged only "West Midlands" (ITL1), asked WMCA', [{ code: 'TLG' }], 'WMCA', 'wider area'],
  ['England-wide, asked WMCA', ENGLAND_ITL1.map((code) => ({ code, national: true })), 'WMCA', 'wider area'],
  ['UK-wide, asked WMCA', [{ code: 'TL', national: true }], 'WMCA', 'wider area'],
  ['Leeds, asked WMCA', [{ code: 'TLE42', lad: 'E08000035' }], 'WMCA', 'outside'],
  ['Birmingham, asked the West Midlands region', [birmingham], 'TLG', 'inside'],
  ['Birmingham, asked Solihull', [birmingham], 'Solihull', 'outside'],
  ['NUTS3 UKE31 (Barnsley, Doncaster and Rotherham), asked Doncaster', [{ code: 'UKE31' }], 'Doncaster', 'wider area'],
  ['Doncaster, asked its ITL3 area', [doncaster], 'TLE31', 'inside'],
  ['Doncaster, asked Barnsley', [doncaster], 'Barnsley', 'outside'],
  ['Highland, asked one of its three ITL3 areas', [highland], 'TLM61', 'wider area'],
  ['Highland, asked Scotland', [highland], 'Scotland', 'inside'],
  ['England-wide, asked England', ENGLAND_ITL1.map((code) => ({ code, national: true })), 'England', 'inside'],
  ['England-wide, asked the West Midlands region', ENGLAND_ITL1.map((code) => ({ code, national: true })), 'TLG', 'wider area'],
  ['England-wide, asked Scotland', ENGLAND_ITL1.map((code) => ({ code, national: true })), 'Scotland', 'outside'],
  ['County Durham, asked the North of Tyne CA (now the North East MCA)', [{ code: 'TLC14', lad: 'E06000047' }], 'North of Tyne Combined Authority', 'inside'],
  ['Derbyshire Dales, asked the East Midlands CCA', [{ code: 'TLF13', lad: 'E07000035' }], 'East Midlands Combined County Authority', 'inside'],
  ['Kingston upon Thames, asked the GLA', [{ code: 'TLI63', lad: 'E09000021' }], 'Greater London Authority', 'inside'],
  ['Birmingham and Leeds, asked WMCA', [birmingham, { code: 'TLE42', lad: 'E08000035' }], 'WMCA', 'inside'],
  ['nowhere known, asked WMCA', [], 'WMCA', 'outside'],
];

describe('one meaning of "in a place"', () => {
  it.each(PLACES)('%s: %s', (_what, tags, asked, expected) => {
    expect(placeMatch(tags, area(asked))).toBe(expected);
  });

  // The store filters with placeQuery's conditions: they must say exactly what placeMatch says, row by row.
  const rowMatch = (q: PlaceQuery, row: { code: string; lad: string; national: boolean }): PlaceMatch => {
    const whole = q.whole.some((w) => row.code.startsWith(w));
    const nationalOk = !row.national || (row.code === 'TL' ? q.nationalInside.uk : q.nationalInside.england);
    if ((whole && nationalOk) || (row.lad && q.insideLads.includes(row.lad))) return 'inside';
    if (whole || (row.lad === '' && q.overlapping.includes(row.code)) || (row.lad && q.partialLads.includes(row.lad))) return 'wider area';
    if (row.national && row.code !== 'TL' && q.nationalOverlap.england) return 'wider area';
    return 'outside';
  };
  it.each(['WMCA', 'Doncaster', 'TLE31', 'TLM61', 'England', 'Birmingham', 'North of Tyne Combined Authority', 'Highland', 'UK'])(
    'the store conditions for %s agree with placeMatch on every ITL code and every LAD',
    (asked) => {
      const place = area(asked);
      const q = placeQuery(place);
      const rows = [
        ...allItlCodes().map((code) => ({ code, lad: '', national: false })),
        ...ENGLAND_ITL1.map((code) => ({ code, lad: '', national: true })),
        { code: 'TL', lad: '', national: true },
        ...localAuthorities().map((l) => ({ code: l.itl, lad: l.code, national: false })),
      ];
      for (const row of rows) {
        expect(rowMatch(q, row), JSON.stringify(row)).toBe(placeMatch([{ code: row.code, lad: row.lad || null, national: row.national }], place));
      }
    },
  );
});
