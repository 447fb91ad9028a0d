/**
 * The shapes the scorer works on: a supplier and a tender or lot compiled for scoring (compile.ts makes them),
 * and suppliers packed column by column in a table (supplier-table.ts fills it, score.ts scores its rows).
 */
import type { CompiledMark, Exclusion, Opportunity, SupplierProfile } from './types.js';

export interface CompiledSupplier {
  profile: SupplierProfile;
  /** Significant digits of each CPV code, de-duplicated. */
  sig: string[];
  codes: string[];
  /** Sorted word ids. Plain arrays, not typed ones: a hundred thousand suppliers with eight small typed arrays each made the collector crawl. */
  tokens: number[];
  keywordPhrases: string[];
  /** The firm's exclusion words and phrases, lower case. */
  excludePhrases: string[];
  /** Its feedback marks, compiled. */
  marks: CompiledMark[];
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
  /** The packed table holding this supplier (an index's, or a table filed for a list of suppliers) and its row. */
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
  /** The buyer's name folded (feedback.ts foldBuyer), or null. */
  buyer: string | null;
  /** Specific delivery places (not national); empty with `openToAll` means no restriction. */
  places: string[];
  /** Places flagged national (England-wide as its nine regions): gate on them, but local to nobody. */
  nationalPlaces: string[];
  openToAll: boolean;
  placeKnown: boolean;
  divisions: Uint32Array;
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
  /** The FLAG_ bits below. */
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

/** Bits of SupplierTable.flags. */
export const FLAG_NATIONAL = 1;
export const FLAG_VCSE = 2;
export const FLAG_MUTUAL_KIND = 4;
export const FLAG_PAST_WINS = 8;
export const FLAG_HIGH_POTENTIAL = 16;
/** It has keyword phrases, exclusion phrases, or feedback marks: the fit factor has something to read. */
export const FLAG_PHRASES = 32;
export const FLAG_EXCLUDE = 64;
export const FLAG_FEEDBACK = 128;
