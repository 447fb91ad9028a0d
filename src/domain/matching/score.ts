/**
 * Scores one supplier against one tender or lot, with reasons in plain English.
 *
 * Gates (any one failing means the supplier cannot bid and gets no score):
 *  - the tender or lot is closed, cancelled, or past its deadline;
 *  - capability: no CPV code of the supplier is the notice's code, above or below it, or in the same CPV group;
 *  - place: the supplier neither serves the delivery place nor is national (UK-wide work is open to all);
 *  - capacity: the value is above the largest contract the supplier says it can deliver (a consortium may);
 *    a supplier that has not said its capacity is not held back by it;
 *  - reserved participation (SME/VCSE, public-service mutuals, a location) that the supplier does not meet: for a
 *    location, a supplier based elsewhere or nowhere stated; one registered only at a wider level (its region) is
 *    kept and told to check (reservedPlaceFit).
 *
 * Score = LOCAL_WEIGHT × place + (1 − LOCAL_WEIGHT) × (0.55 capability + 0.15 size + 0.15 suitability + 0.15 time),
 * every part in [0,1], capability = 0.6 CPV + 0.25 text similarity + 0.15 track record (similar contracts won before).
 */
import { cpvLabel, cpvSignificant } from '../cpv/index.js';
import { ENGLAND_ITL1, itlName } from '../geo/index.js';
import { CLOSED_STATUSES } from '../ocds/types.js';
import { overlap, sharedIds, Vocabulary, words } from './text.js';
import type { Exclusion, MatchResult, MatchSettings, Opportunity, ScoreParts, SupplierProfile, Verdict } from './types.js';

const DAY_MS = 86_400_000;
const MAX_CODES = 12;
/** A pair of CPV codes counts as related at or above this (same group, or one above the other). */
export const CPV_GATE = 0.2;

export interface CompiledSupplier {
  profile: SupplierProfile;
  /** Significant digits of each CPV code, de-duplicated. */
  sig: string[];
  codes: string[];
  /** Sorted word ids. Plain arrays, not typed ones: a hundred thousand suppliers with eight small typed arrays each made the collector crawl. */
  tokens: number[];
  keywordPhrases: string[];
  /** Home region and served areas (ITL codes), for the place gate. */
  areas: string[];
  national: boolean;
  capacity: number;
  isVcse: boolean;
  /** Bit per CPV division (00–99) of its codes: a quick "no shared division" rejection. */
  divisions: number[];
  /** Significant CPV digits of each past win. */
  pastWins: string[][];
  homeRegion: string | null;
  isMutualKind: boolean;
  homeNum: number;
  homeLen: number;
  /** The packed table holding this supplier (an index's, or its own one-row table made when first needed) and its row. */
  table?: SupplierTable;
  row?: number;
}

export interface CompiledOpportunity {
  opportunity: Opportunity;
  closed: Exclusion | null;
  daysLeft: number | null;
  /** Per-notice constants, worked out once rather than for every candidate. */
  value: number;
  hasValue: boolean;
  timeScore: number;
  /** 0 = no reservation; 1 = SME/VCSE (all registered kinds qualify); 2 = VCSE only; 3 = mutuals and VCSEs. */
  reservedKind: number;
  /** Who a kind-3 reservation names, in words: public-service mutuals, supported businesses (sheltered workshops), or both. */
  reservedFor: string;
  reservedPlaces: string[];
  suitableSme: boolean;
  unsuitableSme: boolean;
  suitableVcse: boolean;
  sig: string[];
  sigNum: Uint32Array;
  sigLen: Uint8Array;
  placeNum: Uint32Array;
  placeLen: Uint8Array;
  nationalNum: Uint32Array;
  nationalLen: Uint8Array;
  codes: string[];
  tokens: Int32Array;
  /** tokenSet[id] = 1 when word `id` is in the notice: intersecting is then one lookup per supplier word. */
  tokenSet: Uint8Array;
  textLower: string;
  /** Specific delivery places (not national); empty with `openToAll` means no restriction. */
  places: string[];
  /** Places flagged national (England-wide as its nine regions): gate on them, but local to nobody. */
  nationalPlaces: string[];
  openToAll: boolean;
  placeKnown: boolean;
  divisions: Uint32Array;
}

function divisionMask(sigs: string[]): Uint32Array {
  const mask = new Uint32Array(4);
  for (const s of sigs) {
    const d = Number(s.slice(0, 2));
    if (Number.isInteger(d)) mask[d >> 5] |= 1 << (d & 31);
  }
  return mask;
}

/** Exclusions shared by all suppliers when reasons are not asked for: no strings built, nothing allocated per pair. */
const quiet = (rule: Exclusion['rule']) => Object.freeze({ eligible: false as const, supplierId: '', rule, reason: rule });
const NO_CAPABILITY = quiet('capability');
const NO_PLACE = quiet('place');
const NO_CAPACITY = quiet('capacity');
const NO_RESERVED = quiet('reserved');

/** The distinct non-empty values, in first-seen order (lists here are a handful long: no Set needed). */
function distinct(values: Array<string | null>): string[] {
  const out: string[] = [];
  for (const v of values) if (v && !out.includes(v)) out.push(v);
  return out;
}

const NONE: never[] = [];

/**
 * Compiles a supplier for scoring. A hundred thousand of these stay alive in an index, so it allocates no more
 * than it keeps: no Sets, no typed arrays, one shared empty list for what most suppliers lack.
 */
export function compileSupplier(profile: SupplierProfile, vocab: Vocabulary): CompiledSupplier {
  const codes = distinct(profile.cpv);
  const keywordPhrases = profile.keywords.length ? profile.keywords.map((k) => k.toLowerCase().trim()).filter((k) => k.length >= 3) : NONE;
  const areas = distinct([profile.homeRegion, ...profile.serves]);
  const sig = codes.map(cpvSignificant);
  const divisions = [0, 0, 0, 0];
  for (const x of sig) {
    const d = Number(x.slice(0, 2));
    if (Number.isInteger(d)) divisions[d >> 5] |= 1 << (d & 31);
  }
  return {
    profile,
    codes,
    sig,
    divisions,
    pastWins: profile.pastWins?.length ? profile.pastWins.map((codes) => codes.map(cpvSignificant)) : NONE,
    homeRegion: profile.homeRegion,
    isMutualKind: profile.kind === 'vcse' || profile.kind === 'cooperative',
    homeNum: profile.homeRegion ? itlBits(profile.homeRegion) : 0,
    homeLen: profile.homeRegion ? profile.homeRegion.length - 2 : -1,
    tokens: vocab.idsOf(profile.keywords.length ? [profile.description, ...profile.keywords] : [profile.description]),
    keywordPhrases,
    areas,
    national: profile.national || areas.includes('TL'),
    capacity: profile.maxContractValue ?? Number.POSITIVE_INFINITY,
    isVcse: profile.kind === 'vcse',
    // Set when it is filed in a table; present from the start so that every compiled supplier has one shape.
    table: undefined,
    row: undefined,
  };
}

export function compileOpportunity(opportunity: Opportunity, now: Date, vocab: Vocabulary): CompiledOpportunity {
  const codes = [...new Set(opportunity.cpv)].slice(0, MAX_CODES);
  let closed: Exclusion | null = null;
  let daysLeft: number | null = null;
  const what = opportunity.lotId ? 'This lot' : 'This tender';
  if (opportunity.status && CLOSED_STATUSES.has(opportunity.status)) {
    closed = { rule: 'closed', reason: `${what} is ${opportunity.status}: it takes no more bids.` };
  }
  if (opportunity.deadline) {
    const due = Date.parse(opportunity.deadline);
    if (Number.isFinite(due)) {
      daysLeft = (due - now.getTime()) / DAY_MS;
      if (daysLeft <= 0 && !closed) closed = { rule: 'expired', reason: `${what} closed for bids on ${opportunity.deadline.slice(0, 10)}.` };
    }
  }
  if (!closed && codes.length === 0) {
    closed = { rule: 'no-cpv', reason: `${what} has no CPV code, published or inferred, so capability cannot be judged.` };
  }
  const places = opportunity.places.filter((p) => !p.national && p.code !== 'TL').map((p) => p.code);
  const nationalPlaces = opportunity.places.filter((p) => p.national && p.code !== 'TL').map((p) => p.code);
  const openToAll = opportunity.places.length === 0 || opportunity.places.some((p) => p.code === 'TL');
  const sig = codes.map(cpvSignificant);
  const tokens = vocab.encode(words(opportunity.text));
  const tokenSet = new Uint8Array(tokens.length ? tokens[tokens.length - 1] + 1 : 0);
  for (const t of tokens) tokenSet[t] = 1;
  let reservedKind = 0;
  for (const code of opportunity.reserved) {
    if (SME_RESERVED.has(code)) reservedKind = Math.max(reservedKind, 1);
    else if (VCSE_RESERVED.has(code)) reservedKind = 2;
    else if (MUTUAL_RESERVED.has(code) && reservedKind !== 2) reservedKind = 3;
  }
  // Supported businesses (PCR 2015 reg. 20) are social enterprises too: the gate is the same, the words are not.
  const sheltered = opportunity.reserved.includes('shelteredWorkshop');
  const mission = opportunity.reserved.includes('publicServiceMissionOrganization');
  const reservedFor = sheltered && mission ? 'public-service mutuals, social enterprises and supported businesses' : sheltered ? 'supported businesses (sheltered workshops)' : 'public-service mutuals and social enterprises';
  const d = daysLeft;
  return {
    opportunity,
    closed,
    daysLeft,
    value: opportunity.value ?? 0,
    hasValue: opportunity.value !== null,
    timeScore: d === null ? 0.6 : d < 3 ? 0.2 : d < 7 ? 0.5 : d < 14 ? 0.8 : 1,
    reservedKind,
    reservedFor,
    reservedPlaces: opportunity.reservedPlaces,
    suitableSme: opportunity.suitableSme === true,
    unsuitableSme: opportunity.suitableSme === false,
    sigNum: new Uint32Array(sig.map(cpvNibbles)),
    sigLen: new Uint8Array(sig.map((x) => x.length)),
    placeNum: new Uint32Array([...new Set(places)].map(itlBits)),
    placeLen: new Uint8Array([...new Set(places)].map((p) => p.length - 2)),
    nationalNum: new Uint32Array([...new Set(nationalPlaces)].map(itlBits)),
    nationalLen: new Uint8Array([...new Set(nationalPlaces)].map((p) => p.length - 2)),
    suitableVcse: opportunity.suitableVcse === true,
    codes,
    sig,
    divisions: divisionMask(sig),
    tokens,
    tokenSet,
    textLower: opportunity.text.toLowerCase(),
    places: [...new Set(places)],
    nationalPlaces: [...new Set(nationalPlaces)],
    openToAll,
    placeKnown: opportunity.places.length > 0,
  };
}

/** The place gate: UK-wide or unplaced work is open to all; otherwise the supplier must serve the place. */
export function servesPlace(co: CompiledOpportunity, cs: CompiledSupplier): boolean {
  return co.openToAll || cs.national || overlapsAny(co.places, cs.areas) || overlapsAny(co.nationalPlaces, cs.areas);
}

/** A code's digits as 4-bit nibbles, first digit highest: shared leading digits = leading zero bits / 4 of the XOR. */
export function cpvNibbles(sig: string): number {
  let v = 0;
  for (let i = 0; i < 8; i++) v = (v << 4) | (i < sig.length ? sig.charCodeAt(i) - 48 : 0);
  return v >>> 0;
}

/**
 * How closely a supplier's CPV code answers a notice's code, 0..1, from their nibble forms and significant
 * lengths: 1 the same code; 0.55–0.95 the supplier's code is above the notice's (deeper = closer); 0.7 the
 * supplier's is below it; 0.2–0.7 siblings sharing three or more digits; 0.1 the same division only.
 */
export function cpvRelationOf(n: number, nLen: number, s: number, sLen: number): number {
  if (n === s) return 1;
  const d = Math.clz32((n ^ s) >>> 0) >> 2;
  if (d >= sLen) return 0.55 + (0.4 * (sLen - 2)) / Math.max(1, nLen - 2);
  if (d >= nLen) return 0.7;
  if (d >= 3) return 0.2 + (0.5 * (d - 2)) / (Math.max(nLen, sLen) - 2);
  return d === 2 ? 0.1 : 0;
}

/** The same for significant-digit strings (`7942110`). */
export function cpvRelation(notice: string, supplier: string): number {
  return cpvRelationOf(cpvNibbles(notice), notice.length, cpvNibbles(supplier), supplier.length);
}

/**
 * An ITL code's characters after `TL`, 6 bits each, left-aligned in 18 bits (`TLM93` → M,9,3), so that
 * shared leading characters come from the XOR's leading zeros. Length = characters after `TL` (ITL level).
 */
export function itlBits(code: string): number {
  let v = 0;
  for (let i = 2; i < 5; i++) {
    const c = i < code.length ? code.charCodeAt(i) : 0;
    v = (v << 6) | (c >= 65 ? c - 54 : c >= 48 ? c - 47 : 0);
  }
  return v;
}

function sharedItlChars(a: number, b: number): number {
  return a === b ? 3 : Math.floor((Math.clz32(a ^ b) - 14) / 6);
}

/** True when one of the places and one of the areas lie one within the other. */
function overlapsAnyBits(pNum: Uint32Array, pLen: Uint8Array, aNum: Uint32Array, aLen: Uint8Array): boolean {
  for (let i = 0; i < pNum.length; i++) {
    for (let j = 0; j < aNum.length; j++) {
      if (sharedItlChars(pNum[i], aNum[j]) >= Math.min(pLen[i], aLen[j])) return true;
    }
  }
  return false;
}

/** Place part of the score by local level (0 = serves the place without being based there). */
export const LOCAL_SCORE = [0.15, 0.5, 0.75, 1];

/** True when one of `places` and one of `areas` lie one within the other (ITL codes nest by prefix). */
function overlapsAny(places: string[], areas: string[]): boolean {
  for (const p of places) {
    for (const a of areas) if (a.startsWith(p) || p.startsWith(a)) return true;
  }
  return false;
}

/** ITL level two codes share: 3 = same ITL3, 2 = same ITL2, 1 = same ITL1, 0 = none. */
export function sharedItlLevel(a: string, b: string): number {
  if (a === 'TL' || b === 'TL') return 0;
  const n = Math.min(a.length, b.length);
  let d = 0;
  while (d < n && a.charCodeAt(d) === b.charCodeAt(d)) d++;
  return Math.max(0, d - 2);
}

function placeName(code: string): string {
  const name = itlName(code);
  return name ? `${name} (${code})` : code;
}

export function formatMoney(v: number): string {
  if (v >= 1_000_000) return `£${(v / 1_000_000).toFixed(v >= 10_000_000 ? 0 : 1).replace(/\.0$/, '')}m`;
  if (v >= 10_000) return `£${Math.round(v / 1000)}k`;
  return `£${Math.round(v).toLocaleString('en-GB')}`;
}

function cpvName(code: string): string {
  const label = cpvLabel(code);
  return label ? `${code} (${label})` : code;
}

const SME_RESERVED = new Set(['smeVcse', 'sme', 'smes', 'smeOrVcse']);
const VCSE_RESERVED = new Set(['vcse']);
const MUTUAL_RESERVED = new Set(['publicServiceMissionOrganization', 'shelteredWorkshop']);

/**
 * Whether a supplier based at `home` may bid where participation is reserved to `places` (ITL codes): 1 = it is
 * based inside one of them (`TL`: anywhere in the UK); 2 = it is registered only at a wider level that contains
 * one (a postcode gives only the ITL1 region), so it may be: it is kept, and told to check; 0 = it is based
 * elsewhere, or has not said where it is based.
 */
export function reservedPlaceFit(home: string | null, places: string[]): 0 | 1 | 2 {
  if (home === null) return 0;
  let fit: 0 | 2 = 0;
  for (const p of places) {
    if (p === 'TL' || home.startsWith(p)) return 1;
    if (p.startsWith(home)) fit = 2;
  }
  return fit;
}

/** Reserved places in words: England for its nine regions, the UK for `TL`, else their names, "or" between. */
function reservedPlacesInWords(places: string[]): string {
  const rest = ENGLAND_ITL1.every((c) => places.includes(c)) ? ['England', ...places.filter((p) => !ENGLAND_ITL1.includes(p))] : places;
  const words = rest.map((p) => (p === 'TL' ? 'the UK' : p === 'England' ? p : placeName(p)));
  return words.length <= 2 ? words.join(' or ') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/**
 * Who reads the reasons: the supplier itself ("you are based in ...") or an officer looking at the supplier
 * ("it is based in ..."). The numbers are the same; only the words change.
 */
export type Audience = 'supplier' | 'officer';

interface Voice {
  /** Subject and possessive, lower case and capitalised. */
  you: string;
  You: string;
  your: string;
  Your: string;
  are: string;
  have: string;
  do: string;
  /** A verb in the present tense for the subject: serve → serve / serves, qualify → qualify / qualifies. */
  verb: (base: string) => string;
}

const VOICES: Record<Audience, Voice> = {
  supplier: { you: 'you', You: 'You', your: 'your', Your: 'Your', are: 'are', have: 'have', do: 'do', verb: (b) => b },
  officer: {
    you: 'it',
    You: 'It',
    your: 'its',
    Your: 'Its',
    are: 'is',
    have: 'has',
    do: 'does',
    verb: (b) => (b.endsWith('y') ? `${b.slice(0, -1)}ies` : `${b}s`),
  },
};

const RESERVED_QUIET: Exclusion = Object.freeze({ rule: 'reserved' as const, reason: 'reserved' });

/**
 * The reservation gates, shared by the scorer and by consortia (each member must pass them as a single bidder
 * would): participation reserved to VCSEs, or to mutuals and social enterprises, that the supplier is not; or
 * reserved to suppliers based in places where it is not (see reservedPlaceFit). SME/VCSE reservations let every
 * registered kind through. Null when the supplier may bid.
 */
export function reservationExclusion(co: CompiledOpportunity, cs: CompiledSupplier, explain: boolean, audience: Audience = 'supplier'): Exclusion | null {
  const rk = co.reservedKind;
  const v = VOICES[audience];
  if (rk === 2 && !cs.isVcse) return explain ? { rule: 'reserved', reason: `Bids are reserved for VCSEs, and ${v.you} ${v.are} not registered as one.` } : RESERVED_QUIET;
  if (rk === 3 && !cs.isMutualKind) {
    if (!explain) return RESERVED_QUIET;
    return { rule: 'reserved', reason: `Bids are reserved for ${co.reservedFor}; ${v.you} ${v.are} registered as neither a VCSE nor a cooperative.` };
  }
  if (co.reservedPlaces.length !== 0 && reservedPlaceFit(cs.homeRegion, co.reservedPlaces) === 0) {
    if (!explain) return RESERVED_QUIET;
    const where = reservedPlacesInWords(co.reservedPlaces);
    const home = cs.homeRegion;
    return {
      rule: 'reserved',
      reason: home
        ? `Bids are reserved for suppliers based in ${where}, and ${v.you} ${v.are} not: ${v.you} ${v.are} based in ${placeName(home)}.`
        : `Bids are reserved for suppliers based in ${where}, and ${v.you} ${v.have} not said where ${v.you} ${v.are} based.`,
    };
  }
  return null;
}

/** What a notice reserves, in words for a buyer or officer ("VCSEs", "suppliers based in Kent (TLJ4)"); null = nothing. */
export function reservationInWords(co: CompiledOpportunity): string | null {
  const parts: string[] = [];
  if (co.reservedKind === 2) parts.push('VCSEs');
  else if (co.reservedKind === 3) parts.push(co.reservedFor);
  if (co.reservedPlaces.length) parts.push(`suppliers based in ${reservedPlacesInWords(co.reservedPlaces)}`);
  return parts.length ? parts.join(' and ') : null;
}

/** What the reservations of a notice mean for a supplier that passes them, in plain words. */
function reservationNotes(co: CompiledOpportunity, cs: CompiledSupplier, v: Voice): string[] {
  const notes: string[] = [];
  const rk = co.reservedKind;
  const qualify = `${v.you} ${v.verb('qualify')}`;
  if (rk === 1) notes.push(`Bids are reserved for SMEs and VCSEs, and ${qualify}.`);
  else if (rk === 2) notes.push(`Bids are reserved for VCSEs, and ${qualify}.`);
  else if (rk === 3 && co.opportunity.reserved.includes('shelteredWorkshop')) {
    notes.push(`Bids are reserved for ${co.reservedFor}: check that at least 30% of ${v.your} workers are disabled or disadvantaged before bidding.`);
  } else if (rk === 3) notes.push(`Bids are reserved for ${co.reservedFor}, and ${qualify} as a VCSE or cooperative.`);
  const opp = co.opportunity;
  if (co.reservedPlaces.length) {
    const where = reservedPlacesInWords(co.reservedPlaces);
    const home = cs.homeRegion!;
    if (reservedPlaceFit(home, co.reservedPlaces) === 1) {
      notes.push(`Bids are reserved for suppliers based in ${where}, and ${v.you} ${v.are}${co.reservedPlaces.includes(home) || co.reservedPlaces.includes('TL') ? '' : ` (${placeName(home)})`}.`);
    } else {
      notes.push(`Bids are reserved for suppliers based in ${where}; ${v.you} ${v.are} registered in ${placeName(home)}, which is wider, so check that ${v.you} ${v.are} based in ${where} before bidding.`);
    }
  } else if (opp.reservedLocation) {
    notes.push(`The notice reserves bids for suppliers based in "${opp.reservedLocation}", a place tendermatch could not read: check that ${v.you} ${v.are} based there before bidding.`);
  }
  return notes;
}

/**
 * The score alone, or -1 when a gate excludes the supplier: what ranking thousands of candidates needs.
 * It is the one place the number is computed; `scoreCompiled` takes its score from here, so ranked and
 * explained results always agree. The cheapest gates run first.
 */
export function quickScore(co: CompiledOpportunity, cs: CompiledSupplier, settings: MatchSettings): number {
  if (cs.table) return scoreRow(co, cs.table, cs.row ?? 0, settings);
  // A supplier outside any index is copied into one reused row rather than given a table of its own.
  const t = scratchFor(cs);
  const score = scoreRow(co, t, 0, settings);
  t.rows[0] = EMPTY_ROW;
  return score;
}

/**
 * Suppliers packed column by column in typed arrays, so that scoring thousands of them walks memory in
 * order instead of chasing a dozen small objects per supplier.
 */
export interface SupplierTable {
  rows: CompiledSupplier[];
  /** rows[i].profile.id, packed: ranking compares ids on ties without reaching into each supplier's objects. */
  ids: string[];
  divs: Uint32Array;
  /** bit 0 national, 1 VCSE, 2 VCSE or cooperative, 3 has past wins, 4 high-potential. */
  flags: Uint8Array;
  cap: Float64Array;
  homeNum: Uint32Array;
  homeLen: Int8Array;
  areaOff: Int32Array;
  areaNum: Uint32Array;
  areaLen: Uint8Array;
  cpvOff: Int32Array;
  cpvNum: Uint32Array;
  cpvLen: Uint8Array;
  tokOff: Int32Array;
  tok: Int32Array;
}

let scratch: SupplierTable | null = null;
const EMPTY_ROW = null as unknown as CompiledSupplier;

function scratchFor(cs: CompiledSupplier): SupplierTable {
  if (!scratch || scratch.areaNum.length < cs.areas.length || scratch.cpvNum.length < cs.sig.length || scratch.tok.length < cs.tokens.length) {
    scratch = emptyTable(1, Math.max(8, cs.areas.length), Math.max(16, cs.sig.length), Math.max(64, cs.tokens.length));
  }
  fillRows(scratch, [cs]);
  return scratch;
}

export function supplierTable(rows: CompiledSupplier[]): SupplierTable {
  let areas = 0;
  let cpv = 0;
  let toks = 0;
  for (const r of rows) {
    areas += r.areas.length;
    cpv += r.sig.length;
    toks += r.tokens.length;
  }
  const t = emptyTable(rows.length, areas, cpv, toks);
  fillRows(t, rows);
  return t;
}

function emptyTable(n: number, areas: number, cpv: number, toks: number): SupplierTable {
  return {
    rows: [],
    ids: [],
    divs: new Uint32Array(4 * n),
    flags: new Uint8Array(n),
    cap: new Float64Array(n),
    homeNum: new Uint32Array(n),
    homeLen: new Int8Array(n),
    areaOff: new Int32Array(n + 1),
    areaNum: new Uint32Array(areas),
    areaLen: new Uint8Array(areas),
    cpvOff: new Int32Array(n + 1),
    cpvNum: new Uint32Array(cpv),
    cpvLen: new Uint8Array(cpv),
    tokOff: new Int32Array(n + 1),
    tok: new Int32Array(toks),
  };
}

function fillRows(t: SupplierTable, rows: CompiledSupplier[]): void {
  const n = rows.length;
  t.rows = rows;
  t.ids = rows.map((r) => r.profile.id);
  let a = 0;
  let c = 0;
  let k = 0;
  rows.forEach((r, i) => {
    // Plain loops: TypedArray.set from a plain array is the slow path.
    for (let d = 0; d < 4; d++) t.divs[4 * i + d] = r.divisions[d];
    t.flags[i] = (r.national ? 1 : 0) | (r.isVcse ? 2 : 0) | (r.isMutualKind ? 4 : 0) | (r.pastWins.length ? 8 : 0) | (r.profile.highPotential ? 16 : 0);
    t.cap[i] = r.capacity;
    t.homeNum[i] = r.homeNum;
    t.homeLen[i] = r.homeLen;
    t.areaOff[i] = a;
    for (const area of r.areas) {
      t.areaNum[a] = itlBits(area);
      t.areaLen[a++] = area.length - 2;
    }
    t.cpvOff[i] = c;
    for (const sig of r.sig) {
      t.cpvNum[c] = cpvNibbles(sig);
      t.cpvLen[c++] = sig.length;
    }
    t.tokOff[i] = k;
    for (const tok of r.tokens) t.tok[k++] = tok;
  });
  t.areaOff[n] = a;
  t.cpvOff[n] = c;
  t.tokOff[n] = k;
}

function servesRow(pNum: Uint32Array, pLen: Uint8Array, t: SupplierTable, from: number, to: number): boolean {
  for (let i = 0; i < pNum.length; i++) {
    for (let j = from; j < to; j++) {
      if (sharedItlChars(pNum[i], t.areaNum[j]) >= Math.min(pLen[i], t.areaLen[j])) return true;
    }
  }
  return false;
}

/** What scoreRow can also hand back: the parts of the score and the local level, for a result without reasons. */
export interface RowParts extends ScoreParts {
  localLevel: number;
}

/**
 * The score of row `i` of a supplier table, or -1 when a gate excludes it. The cheapest gates run first.
 * With `out`, an eligible row's score parts and local level are written there too.
 */
export function scoreRow(co: CompiledOpportunity, t: SupplierTable, i: number, settings: MatchSettings, out?: RowParts): number {
  if (co.closed !== null) return -1;
  const od = co.divisions;
  const d4 = 4 * i;
  const sd = t.divs;
  if (((od[0] & sd[d4]) | (od[1] & sd[d4 + 1]) | (od[2] & sd[d4 + 2]) | (od[3] & sd[d4 + 3])) === 0) return -1;
  const flags = t.flags[i];
  if (!co.openToAll && (flags & 1) === 0) {
    const from = t.areaOff[i];
    const to = t.areaOff[i + 1];
    if (!servesRow(co.placeNum, co.placeLen, t, from, to) && !servesRow(co.nationalNum, co.nationalLen, t, from, to)) return -1;
  }
  const capacity = t.cap[i];
  if (co.hasValue && co.value > capacity) return -1;
  const rk = co.reservedKind;
  if (rk === 2 && (flags & 2) === 0) return -1;
  if (rk === 3 && (flags & 4) === 0) return -1;
  if (co.reservedPlaces.length !== 0 && reservedPlaceFit(t.rows[i].homeRegion, co.reservedPlaces) === 0) return -1;

  const nNum = co.sigNum;
  const nLen = co.sigLen;
  const cFrom = t.cpvOff[i];
  const cTo = t.cpvOff[i + 1];
  let cpvSum = 0;
  let best = 0;
  for (let a = 0; a < nNum.length; a++) {
    let top = 0;
    for (let b = cFrom; b < cTo; b++) {
      const r = cpvRelationOf(nNum[a], nLen[a], t.cpvNum[b], t.cpvLen[b]);
      if (r > top) top = r;
    }
    cpvSum += top;
    if (top > best) best = top;
  }
  if (best < CPV_GATE) return -1;

  let shared = 0;
  const set = co.tokenSet;
  const kFrom = t.tokOff[i];
  const kTo = t.tokOff[i + 1];
  for (let k = kFrom; k < kTo; k++) {
    const tok = t.tok[k];
    if (tok < set.length && set[tok] === 1) shared++;
  }
  const ownTokens = kTo - kFrom;
  const text = shared === 0 ? 0 : Math.min(1, (2 * shared) / Math.sqrt(ownTokens * co.tokens.length));
  let similarWins = 0;
  if ((flags & 8) !== 0) {
    const ns = co.sig;
    for (const win of t.rows[i].pastWins) {
      if (win.some((w) => ns.some((n) => cpvRelation(n, w) >= CPV_GATE))) similarWins++;
    }
  }
  const track = similarWins === 0 ? 0 : Math.min(1, 0.4 + 0.2 * similarWins);
  const capability = 0.6 * (cpvSum / nNum.length) + 0.25 * text + 0.15 * track;

  let localLevel = 0;
  const homeLen = t.homeLen[i];
  if (homeLen > 0) {
    const homeNum = t.homeNum[i];
    const pNum = co.placeNum;
    const pLen = co.placeLen;
    for (let k = 0; k < pNum.length; k++) {
      const l = Math.min(sharedItlChars(homeNum, pNum[k]), homeLen, pLen[k]);
      if (l > localLevel) localLevel = l;
    }
  }
  const place = co.places.length === 0 ? (localLevel ? LOCAL_SCORE[localLevel] : 0.3) : LOCAL_SCORE[localLevel];
  const size = !co.hasValue || capacity === Number.POSITIVE_INFINITY ? 0.6 : co.value >= capacity * 0.05 ? 1 : 0.8;
  let suitability = 0.6;
  if (rk !== 0 || co.reservedPlaces.length !== 0 || ((flags & 2) !== 0 && co.suitableVcse) || co.suitableSme) suitability = 1;
  else if (co.unsuitableSme) suitability = 0.4;
  const w = settings.localWeight;
  const raw = w * place + (1 - w) * (0.55 * capability + 0.15 * size + 0.15 * suitability + 0.15 * co.timeScore);
  if (out) {
    out.capability = capability;
    out.cpv = cpvSum / nNum.length;
    out.text = text;
    out.track = track;
    out.place = place;
    out.size = size;
    out.suitability = suitability;
    out.time = co.timeScore;
    out.localLevel = localLevel;
  }
  return Math.round(Math.min(1, Math.max(0, raw)) * 10000) / 10000;
}

/**
 * The verdict for one supplier on one tender or lot. With `explain` false the reasons are left empty
 * (and a capability exclusion is one shared object, not naming the supplier):
 * ranking thousands of candidates needs only the number; the kept results are explained afterwards
 * by calling again with `explain` true, which gives the same score.
 */
export function scoreCompiled(
  co: CompiledOpportunity,
  cs: CompiledSupplier,
  settings: MatchSettings,
  explain: boolean,
  vocab?: Vocabulary,
  audience: Audience = 'supplier',
): Verdict {
  const supplierId = cs.profile.id;
  const v = VOICES[audience];
  const opp = co.opportunity;
  if (co.closed) return { eligible: false, supplierId, ...co.closed };
  // Related codes always share a division: most pairs stop here.
  const od = co.divisions;
  const sd = cs.divisions;
  if (((od[0] & sd[0]) | (od[1] & sd[1]) | (od[2] & sd[2]) | (od[3] & sd[3])) === 0 && !explain) return NO_CAPABILITY;

  // Capability: for each notice code, the best of the supplier's codes.
  let cpvSum = 0;
  let best = 0;
  let bestNotice = -1;
  let bestSupplier = -1;
  const coverage: number[] = [];
  for (let i = 0; i < co.sig.length; i++) {
    let top = 0;
    let topJ = -1;
    for (let j = 0; j < cs.sig.length; j++) {
      const r = cpvRelation(co.sig[i], cs.sig[j]);
      if (r > top) {
        top = r;
        topJ = j;
      }
    }
    cpvSum += top;
    if (explain) coverage.push(topJ);
    if (top > best) {
      best = top;
      bestNotice = i;
      bestSupplier = topJ;
    }
  }
  if (best < CPV_GATE) {
    if (!explain) return NO_CAPABILITY;
    return {
      eligible: false,
      supplierId,
      rule: 'capability',
      reason: `None of ${v.your} CPV codes is close to the notice's (${co.codes.slice(0, 3).join(', ')}).`,
    };
  }

  // Place.
  if (!servesPlace(co, cs)) {
    if (!explain) return NO_PLACE;
    const where = [...co.places, ...co.nationalPlaces].slice(0, 3).map(placeName).join(', ');
    return { eligible: false, supplierId, rule: 'place', reason: `Delivery is in ${where}, which ${v.you} ${v.do} not serve.` };
  }

  // Size.
  const value = opp.value;
  if (value !== null && value > cs.capacity) {
    if (!explain) return NO_CAPACITY;
    return {
      eligible: false,
      supplierId,
      rule: 'capacity',
      reason: `The value, ${formatMoney(value)}, is above the largest contract ${v.you} can deliver alone (${formatMoney(cs.capacity)}); a consortium could bid.`,
    };
  }

  // Reserved participation: by kind of supplier, and by where it is based.
  const reservedExclusion = reservationExclusion(co, cs, explain, audience);
  if (reservedExclusion) return explain ? { eligible: false, supplierId, ...reservedExclusion } : NO_RESERVED;
  const reserved = co.reservedKind !== 0 || co.reservedPlaces.length !== 0;

  // Text similarity of the supplier's words to the notice.
  const shared = cs.tokens.length && co.tokens.length ? overlap(cs.tokens, co.tokens) : 0;
  const text = shared === 0 ? 0 : Math.min(1, (2 * shared) / Math.sqrt(cs.tokens.length * co.tokens.length));
  const cpv = cpvSum / co.sig.length;
  // Track record: past public contracts won for related work (same CPV group or one code above the other).
  let similarWins = 0;
  for (const win of cs.pastWins) {
    if (win.some((w) => co.sig.some((n) => cpvRelation(n, w) >= CPV_GATE))) similarWins++;
  }
  const track = similarWins === 0 ? 0 : Math.min(1, 0.4 + 0.2 * similarWins);
  const capability = 0.6 * cpv + 0.25 * text + 0.15 * track;

  // Locality: how close the supplier's base is to a specific delivery place.
  let localLevel = 0;
  const home = cs.profile.homeRegion;
  let localPlace = '';
  if (home) {
    for (const p of co.places) {
      const l = Math.min(sharedItlLevel(home, p), Math.min(home.length, p.length) - 2);
      if (l > localLevel) {
        localLevel = l;
        localPlace = p;
      }
    }
  }
  const place = !co.placeKnown || co.places.length === 0 ? (localLevel ? LOCAL_SCORE[localLevel] : 0.3) : LOCAL_SCORE[localLevel];

  const size = value === null || cs.capacity === Number.POSITIVE_INFINITY ? 0.6 : value >= cs.capacity * 0.05 ? 1 : 0.8;

  let suitability = 0.6;
  if (reserved || (cs.isVcse && opp.suitableVcse) || opp.suitableSme) suitability = 1;
  else if (opp.suitableSme === false) suitability = 0.4;

  const d = co.daysLeft;
  const time = d === null ? 0.6 : d < 3 ? 0.2 : d < 7 ? 0.5 : d < 14 ? 0.8 : 1;

  const score = quickScore(co, cs, settings);
  const parts: ScoreParts = { capability, cpv, text, track, place, size, suitability, time };

  const result: MatchResult = {
    supplierId,
    ocid: opp.ocid,
    lotId: opp.lotId,
    score,
    reasons: [],
    parts,
    localLevel,
    highPotential: cs.profile.highPotential,
    deadline: opp.deadline,
  };
  if (!explain) return { eligible: true, ...result };

  const reasons = result.reasons;
  const target = opp.lotId ? `lot ${opp.lotId}${opp.lotTitle ? ` (${opp.lotTitle})` : ''}` : 'the tender';
  // Capability: the best-matching pair, then what the other notice codes found.
  const nCode = co.codes[bestNotice];
  const sCode = cs.codes[bestSupplier];
  if (nCode === sCode) reasons.push(`${v.Your} CPV code ${cpvName(sCode)} is exactly what ${target} asks for.`);
  else if (co.sig[bestNotice].startsWith(cs.sig[bestSupplier])) reasons.push(`${target[0].toUpperCase()}${target.slice(1)} asks for ${cpvName(nCode)}, which falls under ${v.your} ${cpvName(sCode)}.`);
  else if (cs.sig[bestSupplier].startsWith(co.sig[bestNotice])) reasons.push(`${target[0].toUpperCase()}${target.slice(1)} asks for ${cpvName(nCode)}; ${v.your} ${cpvName(sCode)} is part of it.`);
  else reasons.push(`${v.Your} CPV code ${cpvName(sCode)} is close to the notice's ${cpvName(nCode)}.`);
  if (co.codes.length > 1) {
    const met = coverage.filter((j, i) => j >= 0 && cpvRelation(co.sig[i], cs.sig[j]) >= CPV_GATE).length;
    if (met < co.codes.length) reasons.push(`${v.You} ${v.verb('cover')} ${met} of the ${co.codes.length} kinds of work the notice lists.`);
    else reasons.push(`${v.You} ${v.verb('cover')} all ${co.codes.length} kinds of work the notice lists.`);
  }
  const phrases = cs.keywordPhrases.filter((k) => co.textLower.includes(k)).slice(0, 3);
  if (phrases.length) reasons.push(`${v.Your} keywords ${phrases.map((k) => `"${k}"`).join(', ')} appear in the notice.`);
  else if (shared > 0 && vocab) {
    const common = sharedIds(cs.tokens, co.tokens).slice(0, 4).map((id) => vocab.word(id));
    reasons.push(`${v.Your} description shares words with the notice: ${common.join(', ')}.`);
  }
  if (similarWins > 0) {
    reasons.push(`${v.You} ${v.have} won ${similarWins} similar public contract${similarWins === 1 ? '' : 's'} before (published award notices).`);
  }
  // Place.
  if (localLevel > 0) {
    const common = localPlace.slice(0, localLevel + 2);
    if (common === localPlace) reasons.push(`${v.You} ${v.are} based in ${placeName(common)}, where the work is delivered.`);
    else reasons.push(`${v.You} ${v.are} based in ${placeName(common)}, the ${localLevel === 1 ? 'region' : 'sub-region'} of the delivery place, ${placeName(localPlace)}.`);
  } else if (co.places.length) {
    reasons.push(`Delivery is in ${co.places.slice(0, 3).map(placeName).join(', ')}, which ${v.you} ${v.verb('serve')}${cs.national ? ' nationally' : ''}.`);
  } else if (co.nationalPlaces.length) {
    reasons.push(`Delivery is England-wide, which ${v.you} ${v.verb('serve')}.`);
  } else if (co.placeKnown) {
    reasons.push('Delivery is UK-wide: open to suppliers anywhere.');
  } else {
    reasons.push('The notice does not say where the work is delivered.');
  }
  // Size. "The value", not "its value": to an officer "its" is the supplier's.
  if (value === null) reasons.push('The value is not published.');
  else if (cs.capacity === Number.POSITIVE_INFINITY) reasons.push(`The value is ${formatMoney(value)}; ${v.you} ${v.have} not said the largest contract ${v.you} can take on.`);
  else if (opp.lotId && opp.lotCount > 1) reasons.push(`This lot is worth ${formatMoney(value)}, within the ${formatMoney(cs.capacity)} ${v.you} can deliver: the tender is split into ${opp.lotCount} lots.`);
  else reasons.push(`The value, ${formatMoney(value)}, is within the ${formatMoney(cs.capacity)} ${v.you} can deliver.`);
  // Suitability: a reservation the supplier meets says it best; else the buyer's suitability flags.
  reasons.push(...reservationNotes(co, cs, v));
  if (!reserved) {
    if (cs.isVcse && opp.suitableVcse) reasons.push('The buyer marked it as suitable for VCSEs.');
    else if (opp.suitableSme) reasons.push('The buyer marked it as suitable for SMEs.');
    else if (opp.suitableSme === false) reasons.push('The buyer did not mark it as suitable for SMEs.');
  }
  // Time.
  if (d === null) reasons.push('No bid deadline is published.');
  else {
    const days = Math.floor(d);
    const due = opp.deadline!.slice(0, 10);
    reasons.push(days < 1 ? `Bids close today (${due}).` : `${days} day${days === 1 ? '' : 's'} left to bid (closes ${due}).`);
  }
  if (cs.profile.highPotential) reasons.push(`${v.You} ${v.are} flagged as a high-potential firm.`);
  return { eligible: true, ...result };
}

/** One-off scoring of a tender or lot against a supplier, with reasons. */
export function scoreMatch(opportunity: Opportunity, supplier: SupplierProfile, settings: MatchSettings, now: Date): Verdict {
  const vocab = new Vocabulary();
  return scoreCompiled(compileOpportunity(opportunity, now, vocab), compileSupplier(supplier, vocab), settings, true, vocab);
}

/** Officers' ranking value: the score, raised for high-potential firms; it reorders, never removes. */
export function rankValue(result: Pick<MatchResult, 'score' | 'highPotential'>, settings: MatchSettings): number {
  return result.score + (result.highPotential ? settings.highPotentialBoost : 0);
}
