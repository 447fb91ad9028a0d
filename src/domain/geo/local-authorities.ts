/**
 * Local authority districts (LAD) and combined authorities as places: found by GSS code or by name, each with
 * its ITL 2021 level-3 area(s). Pure: the tables ship as lads.generated.ts.
 *
 * - A LAD's tag code is its ITL3 area; the five LADs that span several (Cumberland, Westmorland and Furness,
 *   Highland, North Ayrshire, Argyll and Bute) take the smallest ITL area that holds them all.
 * - Replaced codes (Barnsley E08000016, Sheffield E08000019 before their 2025 boundary change) find the LAD
 *   that replaced them; so do the North East and North of Tyne combined authorities (see the builder).
 * - Names are compared as `squash` does (case, `&`, punctuation), with the usual variants ("Bristol" for
 *   "Bristol, City of", "Hull", "St Helens" and "Saint Helens"); council words ("City Council", "London Borough
 *   of") are dropped only by `localAuthority`'s caller-facing lookup, never when reading free text.
 */
import { COMBINED_AUTHORITY_TSV, LAD_TSV } from './lads.generated.js';
import { itlAncestors, itlLevel, squash } from './itl.js';

export interface LocalAuthority {
  /** LAD GSS code (2025), e.g. `E08000025`. */
  code: string;
  name: string;
  /** ITL 2021 level-3 areas it lies in (two or three for the five that span several). */
  itl3: string[];
  /** The ITL code a place tag takes: its ITL3, or the smallest ITL area holding all of them. */
  itl: string;
  country: 'E' | 'S' | 'W' | 'N';
  /** Key of the combined authority it is a member of (see CombinedAuthority.key), or null. */
  combinedAuthority: string | null;
  /** The county through which it is a member of its combined authority (Derbyshire, ...), if so. */
  viaCounty: string | null;
}

export interface CombinedAuthority {
  /** A short key (mySociety's code, or `NEMCA`). */
  key: string;
  /** GSS code (E47…, E61000001 for the Greater London Authority), or null where none is known. */
  code: string | null;
  name: string;
  /** Other names and codes it is known by (abbreviations, former authorities it replaced). */
  aliases: string[];
  note: string | null;
  /** Its member LADs (codes). */
  lads: string[];
}

interface Tables {
  /** In LAD_TSV order (the postcode tables refer to LADs by this index), replaced codes included. */
  rows: LocalAuthority[];
  replacedBy: Map<string, string>;
  byCode: Map<string, LocalAuthority>;
  byName: Map<string, LocalAuthority>;
  cas: CombinedAuthority[];
  caByKey: Map<string, CombinedAuthority>;
}

let tables: Tables | null = null;

/** The smallest ITL code holding every one of `codes`. */
function commonItl(codes: string[]): string {
  if (codes.length === 1) return codes[0];
  const chains = codes.map((c) => [c, ...itlAncestors(c)]);
  return chains[0].find((a) => chains.every((chain) => chain.includes(a))) ?? 'TL';
}

/** Names a LAD is also known by. */
function nameVariants(name: string): string[] {
  const out = [name];
  const ofForm = /^(.*), (City|County) of$/.exec(name);
  if (ofForm) out.push(ofForm[1], `${ofForm[2]} of ${ofForm[1]}`);
  const cityOf = /^City of (.+)$/.exec(name);
  if (cityOf && cityOf[1] !== 'London') out.push(cityOf[1]);
  const city = /^(.+) City$/.exec(name);
  if (city && !/ and /.test(name)) out.push(city[1]);
  if (/^St\. /.test(name)) out.push(name.replace(/^St\. /, 'Saint '), name.replace(/^St\. /, 'St '));
  if (/^County /.test(name)) out.push(name.replace(/^County /, ''));
  const extra: Record<string, string[]> = {
    'Kingston upon Hull, City of': ['Hull'],
    'Bournemouth, Christchurch and Poole': ['BCP'],
    'Rhondda Cynon Taf': ['Rhondda Cynon Taff'],
    'Na h-Eileanan Siar': ['Western Isles', 'Eilean Siar', 'Comhairle nan Eilean Siar'],
    'Orkney Islands': ['Orkney'],
    'Shetland Islands': ['Shetland'],
    'Vale of Glamorgan': ['The Vale of Glamorgan'],
    'Isle of Anglesey': ['Anglesey', 'Ynys Mon'],
  };
  out.push(...(extra[name] ?? []));
  return out;
}

function load(): Tables {
  if (tables) return tables;
  const rows: LocalAuthority[] = [];
  const replacedBy = new Map<string, string>();
  for (const line of LAD_TSV.split('\n')) {
    const [code, name, itl3, country, ca, viaCounty, replacement] = line.split('\t');
    const codes = itl3.split('|');
    rows.push({ code, name, itl3: codes, itl: commonItl(codes), country: country as LocalAuthority['country'], combinedAuthority: ca || null, viaCounty: viaCounty || null });
    if (replacement) replacedBy.set(code, replacement);
  }
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const current = rows.filter((r) => !replacedBy.has(r.code));
  // A name shared by two current LADs names neither.
  const owners = new Map<string, Set<LocalAuthority>>();
  for (const r of current) {
    for (const variant of nameVariants(r.name)) {
      const key = squash(variant);
      if (!owners.has(key)) owners.set(key, new Set());
      owners.get(key)!.add(r);
    }
  }
  const byName = new Map<string, LocalAuthority>();
  for (const [key, set] of owners) if (set.size === 1) byName.set(key, [...set][0]);
  const cas: CombinedAuthority[] = COMBINED_AUTHORITY_TSV.split('\n').map((line) => {
    const [key, code, name, aliases, note] = line.split('\t');
    return { key, code: code || null, name, aliases: aliases ? aliases.split('|') : [], note: note || null, lads: current.filter((r) => r.combinedAuthority === key).map((r) => r.code) };
  });
  tables = { rows, replacedBy, byCode, byName, cas, caByKey: new Map(cas.map((c) => [c.key, c])) };
  return tables;
}

const LAD_CODE = /^[ESWN]\d{8}$/;

/** The LADs in force (2025 codes), in GSS code order. */
export function localAuthorities(): LocalAuthority[] {
  const t = load();
  return t.rows.filter((r) => !t.replacedBy.has(r.code)).sort((a, b) => a.code.localeCompare(b.code));
}

/** The LAD of a GSS code (a replaced code finds the LAD in force), or null. */
export function localAuthorityByCode(code: string): LocalAuthority | null {
  if (typeof code !== 'string') return null;
  const c = code.trim().toUpperCase();
  if (!LAD_CODE.test(c)) return null;
  const t = load();
  return t.byCode.get(t.replacedBy.get(c) ?? c) ?? null;
}

// "Birmingham City Council", "London Borough of Camden", "Royal Borough of Greenwich", "Cyngor Sir Ceredigion":
// what is left once the words for the council are taken off names the place.
const COUNCIL_WORDS =
  /\b(?:the\s+)?(?:(?:royal|london|metropolitan|county)\s+)?borough\s+of\b|\b(?:(?:city|county|district|borough|metropolitan\s+borough|county\s+borough|city\s+and\s+county|unitary|town)\s+)?council\b|\bcyngor(?:\s+sir)?\b|\bcomhairle\b/gi;

/** A name as written by buyers and users, with the council words taken off: "Birmingham City Council" → "Birmingham". */
export function withoutCouncilWords(name: string): string {
  return name.replace(COUNCIL_WORDS, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * A LAD by GSS code or name: `E08000025`, `Birmingham`, `Bristol`, `St Helens`, and with `councilWords`
 * names with council words too ("Wirral Borough Council"). Null when unknown or when the name is shared.
 */
export function localAuthority(codeOrName: string, options: { councilWords?: boolean } = {}): LocalAuthority | null {
  if (typeof codeOrName !== 'string' || !codeOrName.trim()) return null;
  const byCode = localAuthorityByCode(codeOrName);
  if (byCode) return byCode;
  const t = load();
  const found = t.byName.get(squash(codeOrName));
  if (found || !options.councilWords) return found ?? null;
  const bare = withoutCouncilWords(codeOrName);
  return bare && bare !== codeOrName.trim() ? (t.byName.get(squash(bare)) ?? null) : null;
}

/** The LAD a postcode table's index names (LAD_TSV order). */
export function localAuthorityAt(index: number): LocalAuthority | undefined {
  return load().rows[index];
}

export function combinedAuthorities(): CombinedAuthority[] {
  return load().cas;
}

/** A combined authority by key, GSS code, name or other name: `WMCA`, `E47000007`, `West Midlands Combined Authority`. */
let caByName: Map<string, CombinedAuthority> | null = null;

export function combinedAuthority(codeOrName: string): CombinedAuthority | null {
  if (typeof codeOrName !== 'string' || !codeOrName.trim()) return null;
  if (!caByName) {
    caByName = new Map();
    for (const ca of load().cas) for (const name of [ca.key, ca.code, ca.name, ...ca.aliases]) if (name) caByName.set(squash(name), ca);
  }
  return caByName.get(squash(codeOrName)) ?? null;
}

/** The combined authority a LAD is a member of, or null. */
export function combinedAuthorityOf(lad: string): CombinedAuthority | null {
  const la = localAuthorityByCode(lad);
  return la?.combinedAuthority ? (load().caByKey.get(la.combinedAuthority) ?? null) : null;
}

/** The ITL3 areas of a combined authority's members, each once, in code order. */
export function itl3OfCombinedAuthority(ca: CombinedAuthority): string[] {
  const out = new Set<string>();
  for (const lad of ca.lads) for (const code of localAuthorityByCode(lad)!.itl3) out.add(code);
  return [...out].sort();
}

let soleByItl3: Map<string, LocalAuthority> | null = null;

/** The LAD whose area is exactly this ITL3 area (it holds one LAD, which lies in no other), or null. */
export function soleLocalAuthorityOf(itl3: string): LocalAuthority | null {
  if (!soleByItl3) {
    const inside = new Map<string, LocalAuthority[]>();
    for (const la of localAuthorities()) for (const code of la.itl3) inside.set(code, [...(inside.get(code) ?? []), la]);
    soleByItl3 = new Map();
    for (const [code, list] of inside) if (list.length === 1 && list[0].itl3.length === 1) soleByItl3.set(code, list[0]);
  }
  return itlLevel(itl3) === 3 ? (soleByItl3.get(itl3) ?? null) : null;
}
