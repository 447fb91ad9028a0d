/**
 * UK geography for tagging and for asking "where": ITL 2021 regions (canonical), NUTS 2021/2016 codes, Contracts
 * Finder region names, local authority districts (LAD) and combined authorities, and postcodes (to their LAD and
 * ITL3 area through their sector or district). Pure: reference data ships as TS modules (*.generated.ts).
 *
 * Conventions:
 * - Canonical codes are ITL 2021 (`TLG31`); `TL` stands for the whole UK (level 0). A place tag's code is always
 *   an ITL code (what the matcher reads); its LAD, where known, rides beside it (`lad`).
 * - "England" has no ITL code: it is represented by the nine English ITL1 regions TLC…TLK, each tag
 *   flagged `national` (England-wide work is open to every English region, but is not local anywhere).
 * - "United Kingdom", "UK", "Any region", "Great Britain" are `TL`, national.
 * - "In a place" has one meaning, in areas.ts: inside, wider area or outside.
 */
import { POSTCODE_AREAS, POSTCODE_DISTRICTS } from './postcodes.generated.js';
import { itlLevel, NAMED_REGIONS, regionFromName, regionTable, squash, toItl, UK } from './itl.js';
import { combinedAuthority, localAuthority, localAuthorityByCode, soleLocalAuthorityOf, withoutCouncilWords, type LocalAuthority } from './local-authorities.js';
import { ladSharesOf, placeOfLad, postcodeUnit, shareWithin } from './postcode-place.js';
import type { PlaceTag, PostcodePlace } from './types.js';
import type { AskedPlace } from './areas.js';

export * from './itl.js';
export * from './types.js';
export {
  combinedAuthorities,
  combinedAuthority,
  combinedAuthorityOf,
  itl3OfCombinedAuthority,
  localAuthorities,
  localAuthority,
  localAuthorityByCode,
  soleLocalAuthorityOf,
  withoutCouncilWords,
  type CombinedAuthority,
  type LocalAuthority,
} from './local-authorities.js';
export { ladSharesOf, postcodeUnit, type LadShare } from './postcode-place.js';
export { askedArea, isNowhere, itlCodesOf, placeMatch, placeQuery, type AskedPlace, type PlaceMatch, type PlaceQuery, type TaggedPlace } from './areas.js';

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
  let c = s.replace(/\s+/g, '').toUpperCase();
  if (c.length < 5 || c.length > 7) return null;
  // The inward code starts with a digit: a letter O there is a zero mistyped ("LL17 OJD", a real buyer's).
  if (c[c.length - 3] === 'O') c = `${c.slice(0, -3)}0${c.slice(-2)}`;
  const pc = `${c.slice(0, -3)} ${c.slice(-3)}`;
  return VALID_POSTCODE.test(pc) ? pc : null;
}

/**
 * A newline that a publisher's export turned into the letter n (or rn), or wrote as `\\n`, right before a
 * postcode: "…BIRMINGHAMnB9 4XE", "…CambridgenCB1 8DW". Read as a break, so that the postcode is B9 4XE, never
 * NB9 4XE nor nothing. Only a lowercase n before an uppercase postcode is taken: a word's own n is kept.
 */
const MANGLED_BREAK = /\\[rn]|r?n(?=[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}(?![0-9]))/g;

/**
 * Every UK postcode in a piece of text, normalised, in order, de-duplicated. Postcodes whose area is not
 * a real UK postcode area are dropped, which keeps codes like `CPV 72000000` or `ISO 9001` out.
 */
export function findPostcodes(text: string): string[] {
  if (typeof text !== 'string' || !text) return [];
  text = text.replace(MANGLED_BREAK, ' ');
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

/** The area (one or two letters) of a postcode, sector or district, and its ITL1 region from the area table. */
function areaPlace(outward: string): { area: string; entry: PostcodeEntry } | null {
  const area = /^[A-Z]+/.exec(outward)?.[0];
  const entry = area ? postcodeTables().areas.get(area) : undefined;
  return area && entry ? { area, entry } : null;
}

/**
 * Where a UK postcode lies: `B1 1BB` (or `b11bb`), a sector `B1 1` or a district `B1`. Its local authority
 * district (LAD) is the one holding most of its sector's postcodes, else its district's, and `confidence` is
 * that share; the LAD gives the ITL3 area and combined authority. A district the tables do not know (a new or
 * non-geographic one) falls back to its area's ITL1 region (`via: 'area'`, no LAD, confidence at most 0.9).
 * Null when it is not a UK postcode, sector or district, or lies outside the UK (Channel Islands, Isle of Man).
 * This is never exact: the store-backed resolver (db/queries/places.ts) reads an imported postcode list first.
 */
export function placeOfPostcode(postcode: string): PostcodePlace | null {
  const unit = postcodeUnit(normalisePostcode(postcode) ?? postcode);
  if (!unit) return null;
  const found = ladSharesOf(unit.normalised);
  if (found) return placeOfLad(found.normalised, found.shares[0].lad, found.shares[0].share, found.via);
  const byArea = areaPlace(unit.district);
  if (!byArea || unit.kind === 'district' && !/[0-9]/.test(unit.district)) return null;
  return {
    postcode: unit.normalised,
    lad: null,
    ladName: null,
    itl3: null,
    itl1: byArea.entry.code,
    combinedAuthority: null,
    confidence: Math.min(byArea.entry.share, 0.9),
    via: 'area',
  };
}

/**
 * The ITL1 region of a postcode, with the share of its sector's (else district's) postcodes in that region;
 * districts the LAD tables do not know fall back to the older district table, then to the area.
 */
export function postcodeToItl1(pc: string): { code: string; confidence: number; via: 'sector' | 'district' | 'area' } | null {
  const norm = normalisePostcode(pc);
  if (!norm) return null;
  const found = ladSharesOf(norm);
  if (found) {
    const lad = found.shares[0].lad;
    const code = lad.itl.slice(0, 3);
    return { code, confidence: shareWithin(found.shares, code), via: found.via };
  }
  const outward = norm.split(' ')[0];
  const byDistrict = postcodeTables().districts.get(outward);
  if (byDistrict) return { code: byDistrict.code, confidence: byDistrict.share, via: 'district' };
  const byArea = areaPlace(outward);
  if (byArea) return { code: byArea.entry.code, confidence: Math.min(byArea.entry.share, 0.9), via: 'area' };
  return null;
}

/**
 * The place tag of a postcode: its LAD's ITL3 area (or the smallest ITL area holding a LAD that spans several),
 * with the LAD beside it. `confidence` is the share of the sector's postcodes within that ITL code, `ladConfidence`
 * the share in the LAD. Without a known sector or district, the ITL1 region of its area, with no LAD.
 */
export function postcodePlaceTag(pc: string, raw: string = pc): PlaceTag | null {
  const norm = normalisePostcode(pc);
  if (!norm) return null;
  const found = ladSharesOf(norm);
  if (found) {
    const { lad, share } = found.shares[0];
    return {
      code: lad.itl,
      level: itlLevel(lad.itl),
      method: 'postcode',
      confidence: shareWithin(found.shares, lad.itl),
      raw,
      national: false,
      lad: lad.code,
      ladConfidence: share,
      postcode: norm,
    };
  }
  const hit = postcodeToItl1(norm);
  return hit ? { code: hit.code, level: 1, method: 'postcode', confidence: round(hit.confidence), raw, national: false, lad: null, ladConfidence: null, postcode: norm } : null;
}

/** A postcode known exactly (from an imported postcode list) as a place tag: its LAD, certain. */
export function exactPostcodePlaceTag(pc: string, lad: string, raw: string = pc): PlaceTag | null {
  const la = localAuthorityByCode(lad);
  if (!la) return null;
  return { code: la.itl, level: itlLevel(la.itl), method: 'postcode', confidence: 1, raw, national: false, lad: la.code, ladConfidence: 1, postcode: normalisePostcode(pc) ?? pc };
}

// --- Any form

/** A tag of a LAD named or coded as a whole. */
function ladTag(la: LocalAuthority, method: 'code' | 'name', raw: string): PlaceTag {
  return { code: la.itl, level: itlLevel(la.itl), method, confidence: 1, raw, national: false, lad: la.code, ladConfidence: 1 };
}

/** An ITL3 tag names its LAD too where the ITL3 area is one LAD (Birmingham, Glasgow City, Cardiff, ...). */
function withSoleLad(tag: PlaceTag): PlaceTag {
  if (tag.lad || tag.level !== 3 || tag.national) return tag;
  const la = soleLocalAuthorityOf(tag.code);
  return la ? { ...tag, lad: la.code, ladConfidence: tag.confidence } : tag;
}

/**
 * Reads a place as published — a NUTS/ITL code, a region name, a local authority or combined authority (code or
 * name, council words allowed: "Wirral Borough Council"), or text holding postcodes — and returns its tags, each
 * an ITL code with its LAD where known. A combined authority gives one tag per member LAD. Free text is read for
 * region names only (LAD names such as Reading, Bury or Rugby are ordinary words too often). Unknown text gives [].
 */
export function resolvePlace(raw: string): PlaceTag[] {
  return resolvePlaceTags(raw).map(withSoleLad);
}

function resolvePlaceTags(raw: string): PlaceTag[] {
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (!text) return [];
  const asCode = toItl(text);
  if (asCode) {
    return [{ code: asCode, level: itlLevel(asCode), method: 'code', confidence: 1, raw: text, national: asCode === UK }];
  }
  const byLadCode = localAuthorityByCode(text);
  if (byLadCode) return [ladTag(byLadCode, 'code', text)];
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
  const la = localAuthority(text, { councilWords: true });
  if (la) return [ladTag(la, 'name', text)];
  const ca = combinedAuthority(text);
  if (ca) return ca.lads.map((lad) => ladTag(localAuthorityByCode(lad)!, 'name', text));
  const bare = withoutCouncilWords(text);
  const county = bare && bare !== text ? regionFromName(bare) : null;
  if (county && !county.national) return county.codes.map((code) => ({ code, level: itlLevel(code), method: 'name' as const, confidence: 1, raw: text, national: false }));
  // A code with its name, as some publishers write it: "UKG31 Birmingham" or "TLG3 - West Midlands".
  const lead = /^((?:UK|TL)[A-Z0-9]{0,3})\b/i.exec(text);
  if (lead) {
    const code = toItl(lead[1]);
    if (code) return [{ code, level: itlLevel(code), method: 'code', confidence: 1, raw: text, national: code === UK }];
  }
  const tags: PlaceTag[] = [];
  for (const pc of findPostcodes(text)) {
    const tag = postcodePlaceTag(pc, text);
    if (tag && !tags.some((t) => t.code === tag.code && t.lad === tag.lad)) tags.push(tag);
  }
  if (tags.length) return tags;
  return placesNamedIn(text).map((code) => ({ code, level: itlLevel(code), method: 'name' as const, confidence: NAME_IN_TEXT_CONFIDENCE, raw: text, national: false }));
}

/** A place asked about by name or code, and what kind of place it is. */
export interface NamedArea extends AskedPlace {
  kind: 'itl' | 'local authority' | 'combined authority' | 'national';
  /** How the place is called: the region, LAD or combined authority name. */
  name: string;
}

/**
 * A place asked about (`region=`, `serves`, report places): an ITL/NUTS code (`TLG31`, `UKG3`), a LAD code or
 * name (`E08000025`, `Birmingham`, `Wirral Borough Council`), a combined authority (`WMCA`, `E47000007`, `West
 * Midlands Combined Authority`), a region name (`Yorkshire and the Humber`), `England` or a UK-wide name.
 * Administrators' named places live in the store and are looked up first by the store's caller. Null when unknown.
 */
export function namedArea(input: string): NamedArea | null {
  if (typeof input !== 'string') return null;
  const text = input.trim().replace(/\s+/g, ' ');
  if (!text) return null;
  const code = toItl(text);
  if (code) return { kind: code === UK ? 'national' : 'itl', name: code, codes: [code], lads: [] };
  const la = localAuthorityByCode(text);
  if (la) return { kind: 'local authority', name: la.name, codes: [], lads: [la.code] };
  const region = regionFromName(text);
  if (region) return { kind: region.national ? 'national' : 'itl', name: text, codes: region.codes, lads: [] };
  const byName = localAuthority(text, { councilWords: true });
  if (byName) return { kind: 'local authority', name: byName.name, codes: [], lads: [byName.code] };
  const ca = combinedAuthority(text);
  if (ca) return { kind: 'combined authority', name: ca.name, codes: [], lads: [...ca.lads] };
  // "Kent County Council": the county is an ITL area.
  const bare = withoutCouncilWords(text);
  const county = bare && bare !== text ? regionFromName(bare) : null;
  if (county && !county.national) return { kind: 'itl', name: bare, codes: county.codes, lads: [] };
  return null;
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

/**
 * Where a supplier is based, as finely as its postcode says: the ITL3 area of its postcode's local authority when
 * that lies within the home region it registered (a postcode resolves that far now; older profiles hold only the
 * ITL1 region), else the home region as registered. A postcode in a straddling sector (below 0.9 of its postcodes
 * in one LAD) keeps the registered region.
 */
export function homeAreaOf(postcode: string | null, homeRegion: string | null): string | null {
  const place = postcode ? placeOfPostcode(postcode) : null;
  if (!place?.itl3 || place.confidence < 0.9) return homeRegion;
  if (homeRegion && !(place.itl3 === homeRegion || place.itl3.startsWith(homeRegion))) return homeRegion;
  return place.itl3;
}
