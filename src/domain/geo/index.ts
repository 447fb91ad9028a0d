/**
 * UK geography for tagging: ITL 2021 regions (canonical), NUTS 2021/2016 codes, Contracts Finder region
 * names and postcodes. Pure: reference data ships as TS modules (regions.generated.ts, postcodes.generated.ts).
 *
 * Conventions:
 * - Canonical codes are ITL 2021 (`TLG31`); `TL` stands for the whole UK (level 0).
 * - "England" has no ITL code: it is represented by the nine English ITL1 regions TLC…TLK, each tag
 *   flagged `national` (England-wide work is open to every English region, but is not local anywhere).
 * - "United Kingdom", "UK", "Any region", "Great Britain" are `TL`, national.
 */
import { ITL_TSV, OLD_NUTS_TSV } from './regions.generated.js';
import { POSTCODE_AREAS, POSTCODE_DISTRICTS } from './postcodes.generated.js';

export type PlaceMethod = 'code' | 'name' | 'postcode';

export interface PlaceTag {
  /** ITL 2021 code, `TL` = UK-wide. */
  code: string;
  /** 0 = UK, 1..3 = ITL level. */
  level: number;
  method: PlaceMethod;
  /** 1 = certain; below 1 where a postcode district straddles a border or a name is loose. */
  confidence: number;
  /** The text the place was read from. */
  raw: string;
  /** True for UK-wide and England-wide places: open to everyone, local to nobody. */
  national: boolean;
}

interface Region {
  code: string;
  level: number;
  name: string;
  parent: string | null;
}

export const UK = 'TL';
export const ENGLAND_ITL1 = ['TLC', 'TLD', 'TLE', 'TLF', 'TLG', 'TLH', 'TLI', 'TLJ', 'TLK'];

let regions: Map<string, Region> | null = null;
let oldNuts: Map<string, string> | null = null;
let namesIndex: Map<string, string> | null = null;

function regionTable(): Map<string, Region> {
  if (!regions) {
    regions = new Map([[UK, { code: UK, level: 0, name: 'United Kingdom', parent: null }]]);
    for (const line of ITL_TSV.split('\n')) {
      const [code, level, name, parent] = line.split('\t');
      regions.set(code, { code, level: Number(level), name, parent: parent || UK });
    }
    oldNuts = new Map();
    for (const line of OLD_NUTS_TSV.split('\n')) {
      const [old, itl] = line.split('\t');
      oldNuts.set(old, itl);
    }
  }
  return regions;
}

/** Every ITL 2021 code known (levels 0–3). */
export function allItlCodes(): string[] {
  return [...regionTable().keys()];
}

/**
 * Any UK NUTS 2013/2016/2021 or ITL 2021 code (any case, with stray spaces) → ITL 2021 code, or null.
 * `UK`/`TL` → `TL`; extra-regio (`UKZ…`) → null.
 */
export function toItl(code: string): string | null {
  if (typeof code !== 'string') return null;
  const c = code.replace(/\s+/g, '').toUpperCase();
  if (!/^(UK|TL)[A-Z0-9]{0,3}$/.test(c)) return null;
  const t = regionTable();
  if (c.startsWith('TL')) return t.has(c) ? c : null;
  const old = oldNuts!.get(c);
  if (old) return old;
  const itl = 'TL' + c.slice(2);
  return t.has(itl) ? itl : null;
}

export function itlName(code: string): string | null {
  return regionTable().get(code)?.name ?? null;
}

export function itlParent(code: string): string | null {
  return regionTable().get(code)?.parent ?? null;
}

/** Ancestors nearest first, up to the ITL1 region (the UK `TL` is not included). */
export function itlAncestors(code: string): string[] {
  const out: string[] = [];
  for (let p = itlParent(code); p && p !== UK; p = itlParent(p)) out.push(p);
  return out;
}

/** 0 for `TL` (UK), 1..3 for ITL levels, -1 when unknown. */
export function itlLevel(code: string): number {
  return regionTable().get(code)?.level ?? -1;
}

/** Codes below `code` (all levels), not including it. */
export function itlDescendants(code: string): string[] {
  return allItlCodes().filter((c) => c !== code && c.startsWith(code === UK ? 'TL' : code));
}

/** True when `inner` is `outer` or lies within it. */
export function itlWithin(inner: string, outer: string): boolean {
  return outer === UK ? regionTable().has(inner) : inner.startsWith(outer) && regionTable().has(inner);
}

const squash = (s: string) =>
  s
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\(england\)/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

// Contracts Finder region names and common variants; England is handled apart.
const NAMED_REGIONS: Record<string, string> = {
  'north east': 'TLC',
  'north west': 'TLD',
  'yorkshire and the humber': 'TLE',
  'yorkshire and humber': 'TLE',
  yorkshire: 'TLE',
  'east midlands': 'TLF',
  'west midlands': 'TLG',
  'east of england': 'TLH',
  eastern: 'TLH',
  east: 'TLH',
  london: 'TLI',
  'greater london': 'TLI',
  'south east': 'TLJ',
  'south west': 'TLK',
  wales: 'TLL',
  cymru: 'TLL',
  'pan wales': 'TLL',
  'all wales': 'TLL',
  scotland: 'TLM',
  'northern ireland': 'TLN',
};
const NATIONAL_NAMES = new Set([
  'any region',
  'united kingdom',
  'uk',
  'great britain',
  'gb',
  'uk wide',
  'nationwide',
  'national',
  'england scotland wales and northern ireland',
]);

function nameIndex(): Map<string, string> {
  if (!namesIndex) {
    namesIndex = new Map();
    // Deeper names first so that the ITL1 names (set last) win on clashes such as "West Midlands".
    const byLevel = [...regionTable().values()].sort((a, b) => b.level - a.level);
    for (const r of byLevel) namesIndex.set(squash(r.name), r.code);
    for (const [name, code] of Object.entries(NAMED_REGIONS)) namesIndex.set(name, code);
  }
  return namesIndex;
}

/**
 * A region name → ITL codes: Contracts Finder names (`West Midlands` → [`TLG`]), ITL names at any level
 * (`Glasgow City` → [`TLM82`]), `England` → the nine English ITL1 codes, UK-wide names → [`TL`].
 * Null when the name is not a known region.
 */
export function regionFromName(name: string): { codes: string[]; national: boolean } | null {
  if (typeof name !== 'string') return null;
  const key = squash(name);
  if (!key) return null;
  if (NATIONAL_NAMES.has(key)) return { codes: [UK], national: true };
  if (key === 'england' || key === 'all england' || key === 'england wide') return { codes: [...ENGLAND_ITL1], national: true };
  const code = nameIndex().get(key);
  return code ? { codes: [code], national: false } : null;
}

// --- Postcodes

// Outward code: area (1–2 letters) + district (digit, then a digit or letter); inward: digit + 2 letters.
// The lookbehind keeps us from starting inside a word; the inward code may run straight into more text
// (`KT22 7TWGB`), as real addresses are often glued together.
const POSTCODE_RE = /(?<![A-Z])([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})(?![0-9])/gi;
const VALID_POSTCODE = /^(GIR 0AA|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2})$/;

let districts: Map<string, PostcodeEntry> | null = null;
let areas: Map<string, PostcodeEntry> | null = null;

interface PostcodeEntry {
  code: string;
  share: number;
  others: Array<{ code: string; share: number }>;
}

function parsePostcodeTable(text: string): Map<string, PostcodeEntry> {
  const m = new Map<string, PostcodeEntry>();
  for (const line of text.split('\n')) {
    const [key, letter, share, others] = line.split(' ');
    m.set(key, {
      code: 'TL' + letter,
      share: Number(share),
      others: (others ?? '')
        .split(';')
        .filter(Boolean)
        .map((o) => {
          const [c, s] = o.split(':');
          return { code: 'TL' + c, share: Number(s) };
        }),
    });
  }
  return m;
}

function postcodeTables() {
  if (!districts) {
    districts = parsePostcodeTable(POSTCODE_DISTRICTS);
    areas = parsePostcodeTable(POSTCODE_AREAS);
  }
  return { districts, areas: areas! };
}

/** `kt227tw`, `KT22  7TW` → `KT22 7TW`; null when it is not a well-formed UK postcode. */
export function normalisePostcode(s: string): string | null {
  if (typeof s !== 'string') return null;
  const c = s.replace(/\s+/g, '').toUpperCase();
  if (c.length < 5 || c.length > 7) return null;
  const pc = `${c.slice(0, -3)} ${c.slice(-3)}`;
  return VALID_POSTCODE.test(pc) ? pc : null;
}

/**
 * Every UK postcode in a piece of text, normalised, in order, de-duplicated. Postcodes whose area is not
 * a real UK postcode area are dropped, which keeps codes like `CPV 72000000` or `ISO 9001` out.
 */
export function findPostcodes(text: string): string[] {
  if (typeof text !== 'string' || !text) return [];
  const { areas: known } = postcodeTables();
  const out: string[] = [];
  for (const m of text.matchAll(POSTCODE_RE)) {
    let outward = m[1].toUpperCase();
    // A glued word before the outward code (`SURREYKT22`) is cut by the lookbehind only when it is a
    // digit; letters are kept, so try the two- and one-letter areas that end the letter run.
    const area = /^[A-Z]+/.exec(outward)![0];
    if (!known.has(area)) {
      if (area.length === 2 && known.has(area[1])) outward = outward.slice(1);
      else continue;
    }
    const pc = normalisePostcode(outward + m[2]);
    if (pc && !out.includes(pc)) out.push(pc);
  }
  // The lookbehind rejects postcodes glued after letters (`SURREYKT22 7TW`): find those too.
  for (const m of text.matchAll(/([A-Z]{2,})([0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})(?![0-9])/g)) {
    const run = m[1];
    for (const len of [2, 1]) {
      const area = run.slice(-len);
      if (!known.has(area)) continue;
      const pc = normalisePostcode(area + m[2] + m[3]);
      if (pc && !out.includes(pc)) out.push(pc);
      break;
    }
  }
  return out;
}

/** The ITL1 region of a postcode: by its district, else by its area; confidence = share of the district. */
export function postcodeToItl1(pc: string): { code: string; confidence: number; via: 'district' | 'area' } | null {
  const norm = normalisePostcode(pc);
  if (!norm) return null;
  const { districts: d, areas: a } = postcodeTables();
  const outward = norm.split(' ')[0];
  const byDistrict = d.get(outward);
  if (byDistrict) return { code: byDistrict.code, confidence: byDistrict.share, via: 'district' };
  const byArea = a.get(/^[A-Z]+/.exec(outward)![0]);
  if (byArea) return { code: byArea.code, confidence: Math.min(byArea.share, 0.9), via: 'area' };
  return null;
}

// --- Any form

/**
 * Reads a place as published — a NUTS/ITL code, a region name, or text holding postcodes — and returns
 * its ITL tags. Unknown text gives [].
 */
export function resolvePlace(raw: string): PlaceTag[] {
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (!text) return [];
  const asCode = toItl(text);
  if (asCode) {
    return [{ code: asCode, level: itlLevel(asCode), method: 'code', confidence: 1, raw: text, national: asCode === UK }];
  }
  const named = regionFromName(text);
  if (named) {
    return named.codes.map((code) => ({
      code,
      level: itlLevel(code),
      method: 'name' as const,
      confidence: 1,
      raw: text,
      national: named.national,
    }));
  }
  // A code with its name, as some publishers write it: "UKG31 Birmingham" or "TLG3 - West Midlands".
  const lead = /^((?:UK|TL)[A-Z0-9]{0,3})\b/i.exec(text);
  if (lead) {
    const code = toItl(lead[1]);
    if (code) return [{ code, level: itlLevel(code), method: 'code', confidence: 1, raw: text, national: code === UK }];
  }
  const tags: PlaceTag[] = [];
  for (const pc of findPostcodes(text)) {
    const hit = postcodeToItl1(pc);
    if (hit && !tags.some((t) => t.code === hit.code)) {
      tags.push({ code: hit.code, level: 1, method: 'postcode', confidence: round(hit.confidence), raw: text, national: false });
    }
  }
  if (tags.length) return tags;
  return placesNamedIn(text).map((code) => ({ code, level: itlLevel(code), method: 'name' as const, confidence: NAME_IN_TEXT_CONFIDENCE, raw: text, national: false }));
}

/** A region named inside free text ("Various locations in Swansea") is likely, not certain. */
const NAME_IN_TEXT_CONFIDENCE = 0.7;
const TOO_VAGUE = new Set(['east', 'eastern', 'city of', 'west', 'north', 'south', 'central']);
let phraseIndex: Map<string, string> | null = null;

/**
 * Region names and unambiguous parts of them (`Angus and Dundee City` gives `angus` and `dundee city`) →
 * ITL code. A part that belongs to two regions is left out.
 */
function phrases(): Map<string, string> {
  if (phraseIndex) return phraseIndex;
  const owners = new Map<string, Set<string>>();
  const own = (phrase: string, code: string) => {
    const p = phrase.trim();
    if (p.length < 4 || TOO_VAGUE.has(p)) return;
    if (!owners.has(p)) owners.set(p, new Set());
    owners.get(p)!.add(code);
  };
  for (const r of regionTable().values()) {
    if (r.level === 0) continue;
    const name = squash(r.name);
    own(name, r.code);
    for (const part of r.name.split(/,| and | & /i)) own(squash(part), r.code);
    const cityOf = /^(.*), City of$/i.exec(r.name);
    if (cityOf) own(squash(`City of ${cityOf[1]}`), r.code);
  }
  phraseIndex = new Map();
  for (const [p, codes] of owners) {
    // A part shared by a region and its own parent names the parent (`Highlands and Islands`).
    const list = [...codes].sort((a, b) => a.length - b.length);
    if (list.every((c) => c.startsWith(list[0]))) phraseIndex.set(p, list[0]);
  }
  for (const [name, code] of Object.entries(NAMED_REGIONS)) if (!TOO_VAGUE.has(name)) phraseIndex.set(name, code);
  return phraseIndex;
}

/** ITL codes of the region names found in free text, longest names first, none overlapping. */
export function placesNamedIn(text: string): string[] {
  const w = squash(text).split(' ').filter(Boolean);
  const index = phrases();
  const found: string[] = [];
  for (let i = 0; i < w.length; ) {
    let matched = 0;
    for (let n = Math.min(8, w.length - i); n >= 1; n--) {
      const code = index.get(w.slice(i, i + n).join(' '));
      if (code) {
        if (!found.includes(code)) found.push(code);
        matched = n;
        break;
      }
    }
    i += matched || 1;
  }
  return found.slice(0, 5);
}

const round = (n: number) => Math.round(n * 1000) / 1000;
