/**
 * Local authority districts, combined authorities and postcode sector/district → LAD shares, written as the
 * compact tables src/domain/geo/{lads,postcode-lads}.generated.ts. Called by build-reference-data.ts.
 *
 * Sources (shared/data/ref, OGL v3.0: Contains OS data © Crown copyright and database right 2025; Contains Royal
 * Mail data © Royal Mail copyright and database right 2025; Contains National Statistics data © Crown copyright and
 * database right 2024/2025; Source: ONS):
 * - lad_to_itl3.csv: every LAD with its ITL 2021 level-3 area(s) and combined authority;
 * - sector_to_lad.csv, district_to_lad.csv: share of each postcode sector's / district's postcodes in each LAD
 *   (OS Code-Point Open Oct 2025 for Great Britain, ONS NSPL Aug 2024 for Northern Ireland).
 *
 * Corrections made here, each because the source says or shows it is out of date:
 * - The North East Combined Authority (E47000010) and the North of Tyne Combined Authority (E47000011) were
 *   abolished on 7 May 2024 and replaced by the North East Mayoral Combined Authority over all seven of their
 *   councils (the source's own note: "NECA/NTCA predate the 2024 North East authority"). They are written as that
 *   one authority; the old names and codes still find it. No GSS code is given for it: none is in the source.
 * - Barnsley and Sheffield have 2025 codes (E08000038, E08000039) after a boundary change; the sector and district
 *   tables use them, and the 2024 codes (E08000016, E08000019) are kept as aliases that find the new ones.
 * - The Channel Islands and the Isle of Man (pseudo codes L99999999, M99999999) are not in the UK's ITL geography
 *   and are left out: their postcodes place nowhere rather than somewhere wrong.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCsv } from './csv.js';

interface LadRow {
  code: string;
  name: string;
  itl3: string[];
  country: string;
  caKey: string;
  viaCounty: string;
  replacedBy: string;
}

const NORTH_EAST = {
  key: 'NEMCA',
  gss: '',
  name: 'North East Mayoral Combined Authority',
  aliases: ['North East Combined Authority', 'North of Tyne Combined Authority', 'NECA', 'NTCA', 'E47000010', 'E47000011', 'North East CA'],
  note: 'replaced the North East Combined Authority (E47000010) and the North of Tyne Combined Authority (E47000011) on 7 May 2024',
};

/** Short names in common use, by the source's mySociety code. */
const SHORT_NAMES: Record<string, string[]> = {
  CPCA: ['CPCA', 'Cambridgeshire and Peterborough CA'],
  EMCA: ['EMCCA', 'East Midlands CCA', 'East Midlands Combined Authority'],
  GLA: ['GLA'],
  GLCA: ['GLCCA', 'Greater Lincolnshire CCA', 'Greater Lincolnshire Combined Authority'],
  GMCA: ['GMCA', 'Greater Manchester CA'],
  HYCA: ['HEYMCA', 'Hull and East Yorkshire Combined Authority', 'Hull and East Yorkshire CA'],
  LCR: ['LCRCA', 'Liverpool City Region Combined Authority', 'Liverpool City Region CA'],
  SCR: ['SYMCA', 'South Yorkshire Combined Authority', 'South Yorkshire MCA', 'Sheffield City Region'],
  TVCA: ['TVCA', 'Tees Valley CA'],
  WECA: ['WECA', 'West of England Mayoral Combined Authority', 'West of England MCA', 'West of England CA'],
  WMCA: ['WMCA', 'West Midlands CA'],
  WYCA: ['WYCA', 'West Yorkshire Mayoral Combined Authority', 'West Yorkshire CA'],
  YNYC: ['YNYCA', 'York and North Yorkshire Combined Authority', 'York and North Yorkshire CA'],
};

const COUNTRY = { England: 'E', Scotland: 'S', Wales: 'W', 'Northern Ireland': 'N' } as Record<string, string>;
const PSEUDO = new Set(['L99999999', 'M99999999']);
const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

function rowsOf(path: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function buildLocalAuthorities(shared: string, root: string) {
  const source = rowsOf(`${shared}ref/lad_to_itl3.csv`);
  const cas = new Map<string, { key: string; gss: string; name: string; aliases: string[]; note: string }>();
  const lads: LadRow[] = [];
  for (const r of source) {
    let caKey = r.cauth_code_mysociety;
    const viaCounty = /\(via county ([^)]+)\)/.exec(r.cauth_name)?.[1] ?? '';
    if (caKey === 'NECA' || caKey === 'NTCA') {
      caKey = NORTH_EAST.key;
      cas.set(caKey, NORTH_EAST);
    } else if (caKey && !cas.has(caKey)) {
      cas.set(caKey, { key: caKey, gss: r.cauth_gss, name: r.cauth_name.replace(/\s*\(via county [^)]+\)/, ''), aliases: SHORT_NAMES[caKey] ?? [], note: '' });
    }
    const replacedBy = /replaced by (E\d{8})/.exec(r.lad_code_note)?.[1] ?? '';
    if (!COUNTRY[r.country]) throw new Error(`unknown country ${r.country} for ${r.lad_code}`);
    lads.push({ code: r.lad_code, name: r.lad_name, itl3: r.itl321cd.split('|'), country: COUNTRY[r.country], caKey, viaCounty, replacedBy });
  }
  const byCode = new Map(lads.map((l, i) => [l.code, i]));
  for (const l of lads) if (l.replacedBy && !byCode.has(l.replacedBy)) throw new Error(`${l.code} is replaced by ${l.replacedBy}, which is not listed`);

  // Postcode district → its LAD shares, and each of its sectors' shares: `index[:share]` joined by commas.
  const shares = (rows: Record<string, string>[], key: string) => {
    const out = new Map<string, Array<{ lad: number; share: number }>>();
    for (const r of rows) {
      if (PSEUDO.has(r.lad_code)) continue;
      const lad = byCode.get(r.lad_code);
      if (lad === undefined) throw new Error(`${r[key]}: LAD ${r.lad_code} is not in lad_to_itl3.csv`);
      if (lads[lad].replacedBy) throw new Error(`${r[key]}: LAD ${r.lad_code} was replaced by ${lads[lad].replacedBy}`);
      const list = out.get(r[key]) ?? [];
      list.push({ lad, share: Number(r.share) });
      out.set(r[key], list);
    }
    return out;
  };
  const encode = (list: Array<{ lad: number; share: number }>) =>
    list
      .sort((a, b) => b.share - a.share || a.lad - b.lad)
      .filter((s, i) => i === 0 || s.share >= 0.001)
      .map((s) => (s.share >= 0.9995 ? `${s.lad}` : `${s.lad}:${s.share.toFixed(3).replace(/0+$/, '')}`))
      .join(',');
  const districts = shares(rowsOf(`${shared}ref/district_to_lad.csv`), 'district');
  const sectors = shares(rowsOf(`${shared}ref/sector_to_lad.csv`), 'sector');
  const sectorsOf = new Map<string, string[]>();
  for (const [sector, list] of sectors) {
    const [district, digit] = sector.split(' ');
    if (!/^\d$/.test(digit ?? '')) throw new Error(`sector "${sector}" is not DISTRICT DIGIT`);
    if (!sectorsOf.has(district)) sectorsOf.set(district, []);
    sectorsOf.get(district)!.push(`${digit}=${encode(list)}`);
  }
  const districtLines = [...new Set([...districts.keys(), ...sectorsOf.keys()])]
    .sort()
    .map((d) => `${d}\t${districts.has(d) ? encode(districts.get(d)!) : ''}\t${(sectorsOf.get(d) ?? []).join(' ')}`);

  const licence =
    '// OGL v3.0: Contains OS data © Crown copyright and database right 2025; Contains Royal Mail data © Royal Mail copyright\n' +
    '// and database right 2025; Contains National Statistics data © Crown copyright and database right 2024/2025; Source: ONS.\n';
  const ladLines = lads.map((l) => [l.code, l.name, l.itl3.join('|'), l.country, l.caKey, l.viaCounty, l.replacedBy].join('\t'));
  const caLines = [...cas.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => [c.key, c.gss, c.name, c.aliases.join('|'), c.note].join('\t'));
  writeFileSync(
    `${root}src/domain/geo/lads.generated.ts`,
    `// Generated by jobs/tools/build-reference-data.ts (npm run build:reference-data) — do not edit.\n` +
      `// Local authority districts (LAD, 2025 codes) with their ITL 2021 level-3 areas and combined authorities, from\n` +
      `// shared/data/ref/lad_to_itl3.csv (ONS LAD and ITL lookups; combined authorities as constituent members, from mySociety).\n` +
      `// The 2024 North East and North of Tyne authorities are written as the North East Mayoral Combined Authority that\n` +
      `// replaced them; see jobs/tools/build-local-authorities.ts for every correction made.\n` +
      licence +
      `/** LAD code, name, ITL3 codes (|), country letter, combined authority key, county it is a member through, code replacing it. */\n` +
      `export const LAD_TSV = \`${esc(ladLines.join('\n'))}\`;\n` +
      `/** Combined authority key, GSS code, name, other names and codes (|), note. */\n` +
      `export const COMBINED_AUTHORITY_TSV = \`${esc(caLines.join('\n'))}\`;\n`,
  );
  writeFileSync(
    `${root}src/domain/geo/postcode-lads.generated.ts`,
    `// Generated by jobs/tools/build-reference-data.ts (npm run build:reference-data) — do not edit.\n` +
      `// Postcode district and sector to local authority district (LAD), with the share of their postcodes in each, from\n` +
      `// shared/data/ref/{district,sector}_to_lad.csv: OS Code-Point Open (Oct 2025) for Great Britain, ONS NSPL (Aug 2024)\n` +
      `// for Northern Ireland. Channel Islands and Isle of Man postcodes are left out (not in the UK's ITL geography).\n` +
      licence +
      `// Line: DISTRICT <tab> its LAD shares <tab> its sectors as DIGIT=shares, space-separated. Shares: LAD index (the\n` +
      `// line number in LAD_TSV, from 0) then :share where below 1, several joined by commas, largest first.\n` +
      `export const POSTCODE_LADS = \`${districtLines.join('\n')}\`;\n`,
  );
  return { lads: lads.length, combinedAuthorities: cas.size, postcodeDistricts: districtLines.length, postcodeSectors: sectors.size };
}
