/**
 * One meaning of "in a place", for tenders, suppliers and spend reports alike.
 *
 * Every place is a set of atoms: the pieces of a local authority district (LAD) in one ITL3 area (a LAD that
 * spans several ITL3 areas is one atom per area). An ITL area is its atoms, a LAD its own, a combined authority
 * its members', the UK all of them; England-wide and UK-wide tags (`national`) stand for all of England or the UK,
 * whatever ITL1 row carries them. A tagged place is then, against the place asked about:
 *
 * - `inside` when all of it lies within the place (a tender delivered in Birmingham is inside WMCA);
 * - `wider area` when it overlaps the place without lying within it (a tender tagged only "West Midlands", the
 *   ITL1 region, overlaps WMCA; England-wide work overlaps everywhere in England): returned, and said;
 * - `outside` when they share nothing.
 *
 * Something tagged with several places takes the best of them (delivered in Birmingham and Leeds is inside WMCA).
 */
import { allItlCodes, ENGLAND_ITL1, itlLevel, toItl, UK } from './itl.js';
import { combinedAuthority, localAuthorities, localAuthorityByCode } from './local-authorities.js';

export type PlaceMatch = 'inside' | 'wider area' | 'outside';

/** A place something is tagged with: an ITL code, with its LAD where known. */
export interface TaggedPlace {
  code: string;
  lad?: string | null;
  /** UK-wide (`TL`) or England-wide (an English ITL1 code): stands for the whole UK or England. */
  national?: boolean;
}

/** A place asked about, as ITL codes (any level, `TL` = the UK) and LAD codes; the area is their union. */
export interface AskedPlace {
  codes: string[];
  lads: string[];
}

/** A set of atoms, as bits. */
type Area = Uint32Array;

interface Atoms {
  count: number;
  /** ITL3 code of each atom. */
  itl3: string[];
  byLad: Map<string, Area>;
  byItl: Map<string, Area>;
  words: number;
}

let atoms: Atoms | null = null;

function table(): Atoms {
  if (atoms) return atoms;
  const itl3: string[] = [];
  const ladAtoms = new Map<string, number[]>();
  for (const lad of localAuthorities()) {
    for (const code of lad.itl3) {
      ladAtoms.set(lad.code, [...(ladAtoms.get(lad.code) ?? []), itl3.length]);
      itl3.push(code);
    }
  }
  const words = Math.ceil(itl3.length / 32);
  const make = (indices: number[]) => {
    const a = new Uint32Array(words);
    for (const i of indices) a[i >>> 5] |= 1 << (i & 31);
    return a;
  };
  const byLad = new Map([...ladAtoms].map(([lad, list]) => [lad, make(list)]));
  const byItl = new Map<string, Area>();
  for (const code of allItlCodes()) {
    const list: number[] = [];
    itl3.forEach((c, i) => {
      if (code === UK || c.startsWith(code)) list.push(i);
    });
    byItl.set(code, make(list));
  }
  atoms = { count: itl3.length, itl3, byLad, byItl, words };
  return atoms;
}

const empty = () => new Uint32Array(table().words);

function union(into: Area, more: Area | undefined): Area {
  if (more) for (let i = 0; i < into.length; i++) into[i] |= more[i];
  return into;
}

function isEmpty(a: Area): boolean {
  return a.every((w) => w === 0);
}

function intersects(a: Area, b: Area): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] & b[i]) return true;
  return false;
}

function within(inner: Area, outer: Area): boolean {
  for (let i = 0; i < inner.length; i++) if ((inner[i] & ~outer[i]) !== 0) return false;
  return true;
}

let england: Area | null = null;
function englandArea(): Area {
  if (!england) {
    england = empty();
    for (const code of ENGLAND_ITL1) union(england, table().byItl.get(code));
  }
  return england;
}

/** The area of an ITL code (NUTS codes are read as their ITL twins); empty when unknown. */
function itlArea(code: string): Area | undefined {
  const itl = toItl(code);
  return itl ? table().byItl.get(itl) : undefined;
}

/** The atoms of a tagged place. */
function taggedArea(tag: TaggedPlace): Area {
  if (tag.national) {
    const itl = toItl(tag.code);
    if (itl === UK) return table().byItl.get(UK)!;
    if (itl && ENGLAND_ITL1.includes(itl)) return englandArea();
  }
  if (tag.lad) {
    const la = localAuthorityByCode(tag.lad);
    const area = la ? table().byLad.get(la.code) : undefined;
    if (area) return area;
  }
  return itlArea(tag.code) ?? empty();
}

/** The atoms of a place asked about. */
export function askedArea(asked: AskedPlace): Area {
  const area = empty();
  for (const code of asked.codes) union(area, itlArea(code));
  for (const lad of asked.lads) {
    const la = localAuthorityByCode(lad);
    if (la) union(area, table().byLad.get(la.code));
  }
  return area;
}

function relationOf(tagArea: Area, asked: Area): PlaceMatch {
  if (isEmpty(tagArea) || !intersects(tagArea, asked)) return 'outside';
  return within(tagArea, asked) ? 'inside' : 'wider area';
}

const RANK: Record<PlaceMatch, number> = { inside: 2, 'wider area': 1, outside: 0 };

/** How a set of tagged places stands to a place asked about: the best of them (see the module comment). */
export function placeMatch(tags: TaggedPlace[], asked: AskedPlace | Area): PlaceMatch {
  const area = asked instanceof Uint32Array ? asked : askedArea(asked);
  let best: PlaceMatch = 'outside';
  for (const tag of tags) {
    const r = relationOf(taggedArea(tag), area);
    if (RANK[r] > RANK[best]) best = r;
    if (best === 'inside') break;
  }
  return best;
}

/** True when the place asked about holds no atom at all (codes and LADs all unknown). */
export function isNowhere(asked: AskedPlace): boolean {
  return isEmpty(askedArea(asked));
}

/**
 * The place asked about as conditions on stored tag rows (code, lad, national), for a store to select with:
 * - a row whose code starts with one of `whole` lies inside (unless national: see `nationalInside`);
 * - a row with no LAD whose code is one of `overlapping` overlaps without lying inside;
 * - a row with one of `partialLads` overlaps, and with one of `insideLads` lies inside (LADs of ITL3 areas the
 *   place covers only in part, where the LAD decides).
 * Every other row is outside. Lists are as short as the place allows (whole ITL areas rather than their parts).
 */
export interface PlaceQuery {
  whole: string[];
  overlapping: string[];
  partialLads: string[];
  insideLads: string[];
  /** England-wide rows lie inside (the place covers England); UK-wide rows likewise (it covers the UK). */
  nationalInside: { england: boolean; uk: boolean };
  /** England-wide rows overlap the place whatever their ITL1 code (it lies at least partly in England). */
  nationalOverlap: { england: boolean };
}

export function placeQuery(asked: AskedPlace): PlaceQuery {
  const area = askedArea(asked);
  const t = table();
  const whole: string[] = [];
  const overlapping: string[] = [];
  // Shallow codes first, so that a code inside one already whole is skipped.
  const codes = allItlCodes().sort((a, b) => itlLevel(a) - itlLevel(b) || a.localeCompare(b));
  const underWhole = (code: string) => whole.some((w) => w === UK || code.startsWith(w));
  for (const code of codes) {
    const a = t.byItl.get(code)!;
    if (isEmpty(a) || !intersects(a, area)) continue;
    if (within(a, area)) {
      if (!underWhole(code)) whole.push(code);
    } else overlapping.push(code);
  }
  const partialLads: string[] = [];
  const insideLads: string[] = [];
  for (const la of localAuthorities()) {
    const a = t.byLad.get(la.code)!;
    if (!intersects(a, area) || underWhole(la.itl)) continue;
    partialLads.push(la.code);
    if (within(a, area)) insideLads.push(la.code);
  }
  return {
    whole,
    overlapping,
    partialLads,
    insideLads,
    nationalInside: { england: within(englandArea(), area), uk: within(t.byItl.get(UK)!, area) },
    nationalOverlap: { england: intersects(englandArea(), area) },
  };
}

/**
 * The ITL codes that hold a place as a supplier's `serves` or the matcher needs it: ITL codes as given, a LAD as
 * its ITL3 area (its ITL3 areas for the five that span several), a combined authority as its members' ITL3 areas.
 */
export function itlCodesOf(asked: AskedPlace): string[] {
  const out: string[] = [];
  const add = (c: string) => {
    if (!out.includes(c)) out.push(c);
  };
  for (const code of asked.codes) {
    const itl = toItl(code);
    if (itl) add(itl);
  }
  for (const lad of asked.lads) for (const c of localAuthorityByCode(lad)?.itl3 ?? []) add(c);
  return out;
}

/** A combined authority as a place asked about: its member LADs. */
export function combinedAuthorityPlace(codeOrName: string): AskedPlace | null {
  const ca = combinedAuthority(codeOrName);
  return ca ? { codes: [], lads: [...ca.lads] } : null;
}

