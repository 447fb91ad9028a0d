/**
 * ITL 2021 regions (canonical), older NUTS codes and region names. Pure: the reference data ships as
 * regions.generated.ts. `TL` stands for the whole UK (level 0).
 */
import { ITL_TSV, OLD_NUTS_TSV } from './regions.generated.js';

export interface Region {
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

/** Every ITL 2021 region by code (internal to geo). */
export function regionTable(): Map<string, Region> {
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

/** Lower case, `&` as `and`, punctuation as spaces: how names are compared. */
export const squash = (s: string) =>
  s
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\(england\)/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

// Contracts Finder region names and common variants; England is handled apart.
export const NAMED_REGIONS: Record<string, string> = {
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

