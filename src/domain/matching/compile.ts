/**
 * Compiling a supplier and a tender or lot for scoring (the shapes are in compiled.ts): codes as significant
 * digits and bits, words as ids, and what a notice asks of every bidder worked out once.
 */
import { cpvSignificant } from '../cpv/index.js';
import { cpvNibbles, itlBits } from './closeness.js';
import type { CompiledOpportunity, CompiledSupplier } from './compiled.js';
import { closedGate, reservedKindOf } from './gates.js';
import { compileMarks, foldBuyer } from './feedback.js';
import { closedReason, reservedForInWords } from './reasons.js';
import { timePart } from './score.js';
import { words, type Vocabulary } from './text.js';
import type { Opportunity, SupplierProfile } from './types.js';

const MAX_CODES = 12;

/** A bit per CPV division (00–99) of the codes, in four 32-bit words. */
function divisionsOf(sigs: string[]): number[] {
  const mask = [0, 0, 0, 0];
  for (const s of sigs) {
    const d = Number(s.slice(0, 2));
    if (Number.isInteger(d)) mask[d >> 5] |= 1 << (d & 31);
  }
  return mask;
}

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
  return {
    profile,
    codes,
    sig,
    divisions: divisionsOf(sig),
    pastWins: profile.pastWins?.length ? profile.pastWins.map((codes) => codes.map(cpvSignificant)) : NONE,
    homeRegion: profile.homeRegion,
    isMutualKind: profile.kind === 'vcse' || profile.kind === 'cooperative',
    homeNum: profile.homeRegion ? itlBits(profile.homeRegion) : 0,
    homeLen: profile.homeRegion ? profile.homeRegion.length - 2 : -1,
    tokens: vocab.idsOf(profile.keywords.length ? [profile.description, ...profile.keywords] : [profile.description]),
    keywordPhrases,
    excludePhrases: profile.excludeWords?.length ? profile.excludeWords.map((k) => k.toLowerCase().trim()).filter((k) => k.length >= 3) : NONE,
    marks: profile.feedback?.length ? compileMarks(profile.feedback, vocab) : NONE,
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
  const { rule, daysLeft } = closedGate(opportunity, now, codes.length);
  const places = [...new Set(opportunity.places.filter((p) => !p.national && p.code !== 'TL').map((p) => p.code))];
  const nationalPlaces = [...new Set(opportunity.places.filter((p) => p.national && p.code !== 'TL').map((p) => p.code))];
  const openToAll = opportunity.places.length === 0 || opportunity.places.some((p) => p.code === 'TL');
  const sig = codes.map(cpvSignificant);
  const tokens = vocab.encode(words(opportunity.text));
  const tokenSet = new Uint8Array(tokens.length ? tokens[tokens.length - 1] + 1 : 0);
  for (const t of tokens) tokenSet[t] = 1;
  return {
    opportunity,
    closed: rule ? { rule, reason: closedReason(rule, opportunity) } : null,
    daysLeft,
    value: opportunity.value ?? 0,
    hasValue: opportunity.value !== null,
    timeScore: timePart(daysLeft),
    reservedKind: reservedKindOf(opportunity.reserved),
    reservedFor: reservedForInWords(opportunity.reserved),
    reservedPlaces: opportunity.reservedPlaces,
    suitableSme: opportunity.suitableSme === true,
    unsuitableSme: opportunity.suitableSme === false,
    sigNum: new Uint32Array(sig.map(cpvNibbles)),
    sigLen: new Uint8Array(sig.map((x) => x.length)),
    placeNum: new Uint32Array(places.map(itlBits)),
    placeLen: new Uint8Array(places.map((p) => p.length - 2)),
    nationalNum: new Uint32Array(nationalPlaces.map(itlBits)),
    nationalLen: new Uint8Array(nationalPlaces.map((p) => p.length - 2)),
    suitableVcse: opportunity.suitableVcse === true,
    codes,
    sig,
    divisions: new Uint32Array(divisionsOf(sig)),
    tokens,
    tokenSet,
    textLower: opportunity.text.toLowerCase(),
    buyer: foldBuyer(opportunity.buyer),
    places,
    nationalPlaces,
    openToAll,
    placeKnown: opportunity.places.length > 0,
  };
}
