/**
 * The one scoring formula: the score of a supplier (a row of a packed table) for a tender or lot, and its parts.
 * Ranking reads the number alone; a result with or without reasons reads the parts this same function writes
 * to `out`, so the score and what it is made of cannot disagree.
 *
 * Score = w × place + (1 − w) × (0.55 capability + 0.15 size + 0.15 suitability + 0.15 time), w = settings.localWeight,
 * every part in [0,1], capability = 0.6 CPV + 0.25 text similarity + 0.15 track record (similar contracts won before),
 * all times the fit factor (fitFactor below, at most 1), rounded to four decimals. A supplier that fails a gate
 * (gates.ts) gets no score: -1.
 *
 * The fit factor reads the notice's own words against the firm's: FIT_FLOOR when nothing in the notice's title,
 * description and lots bears the firm's keywords or description out, up to 1 when they do (keyword phrases found, or
 * the text part; 1 for a firm that gave no words); halved by a phrase the firm asked to leave out; lowered by a "not for us" mark on a notice like
 * this one and raised (never above 1) by a "good match" (feedback.ts). Being at most 1, it only lowers a score, so
 * every upper bound the index works out for the rest of the score stays an upper bound.
 *
 * The part functions below are also what the index's bounded search works out for a row before scoring it.
 */
import { cpvRelation, cpvRelationOf, sharedItlChars } from './closeness.js';
import { FLAG_EXCLUDE, FLAG_FEEDBACK, FLAG_PAST_WINS, FLAG_PHRASES, FLAG_VCSE, type CompiledOpportunity, type CompiledSupplier, type SupplierTable } from './compiled.js';
import { feedbackPart } from './feedback.js';
import { CPV_GATE, meetsReservations, servesPlace, sharesDivision, withinCapacity } from './gates.js';
import { releaseScratchRow, scratchRowOf } from './supplier-table.js';
import type { Exclusion, MatchSettings, ScoreParts } from './types.js';

/** Place part of the score by local level (0 = serves the place without being based there). */
export const LOCAL_SCORE = [0.15, 0.5, 0.75, 1];

/** What scoreRow writes to `out`: the parts of the score and what reasons count in them, or the gate that failed. */
export interface RowParts extends ScoreParts {
  /** 3 = based in the same ITL3 area as a delivery place, 2 = ITL2, 1 = ITL1 region, 0 = not local. */
  localLevel: number;
  /** Words of the notice the supplier's words share (of the text part). */
  sharedWords: number;
  /** Past public contracts won for related work (of the track part). */
  similarWins: number;
  /** The gate that failed when the score is -1, else null. */
  gate: Exclusion['rule'] | null;
  /** Keyword phrases of the supplier found in the notice (of the fit factor). */
  phrases: number;
  /** The first exclusion phrase found in the notice, or -1 (an index into the supplier's excludePhrases). */
  excludedBy: number;
  /** The feedback part, -1..1 (feedback.ts): negative = like a notice marked "not for us". */
  feedback: number;
}

export function emptyParts(): RowParts {
  return {
    capability: 0,
    cpv: 0,
    text: 0,
    track: 0,
    place: 0,
    size: 0,
    suitability: 0,
    time: 0,
    fit: 1,
    localLevel: 0,
    sharedWords: 0,
    similarWins: 0,
    gate: null,
    phrases: 0,
    excludedBy: -1,
    feedback: 0,
  };
}

/** Place part: by how local the supplier is to a specific delivery place; 0.3 (0.5 and up if local) for unplaced work. */
export function placePart(co: CompiledOpportunity, localLevel: number): number {
  return co.places.length === 0 ? (localLevel ? LOCAL_SCORE[localLevel] : 0.3) : LOCAL_SCORE[localLevel];
}

/** Size part: a contract that is a fair share of what the supplier can take on (5% or more) suits it best. */
export function sizePart(co: CompiledOpportunity, capacity: number): number {
  return !co.hasValue || capacity === Number.POSITIVE_INFINITY ? 0.6 : co.value >= capacity * 0.05 ? 1 : 0.8;
}

/** Suitability part: a reservation the supplier meets, or the buyer's SME or VCSE flag, raise it; "not for SMEs" lowers it. */
export function suitabilityPart(co: CompiledOpportunity, flags: number): number {
  if (co.reservedKind !== 0 || co.reservedPlaces.length !== 0 || ((flags & FLAG_VCSE) !== 0 && co.suitableVcse) || co.suitableSme) return 1;
  return co.unsuitableSme ? 0.4 : 0.6;
}

/** Text part: shared words against the geometric mean of the two word counts, doubled, at most 1. */
export function textPart(shared: number, ownWords: number, noticeWords: number): number {
  return shared === 0 ? 0 : Math.min(1, (2 * shared) / Math.sqrt(ownWords * noticeWords));
}

/** Time part, from the days left to bid (worked out once per notice: CompiledOpportunity.timeScore). */
export function timePart(daysLeft: number | null): number {
  const d = daysLeft;
  return d === null ? 0.6 : d < 3 ? 0.2 : d < 7 ? 0.5 : d < 14 ? 0.8 : 1;
}

/** The fit factor when nothing in the notice bears the firm's words out (chosen on the tuning profiles of the relevance set). */
export const FIT_FLOOR = 0.5;
/** The fit factor is multiplied by this when the notice has one of the firm's exclusion phrases. */
export const EXCLUDED_FACTOR = 0.5;
/** A "not for us" mark of likeness l multiplies the fit factor by 1 − FEEDBACK_LOWER × l; a "good match" adds FEEDBACK_RAISE × l. */
export const FEEDBACK_LOWER = 0.6;
export const FEEDBACK_RAISE = 0.4;

/** Evidence from keyword phrases found in the notice: one 0.8, two or more 1. */
export function phrasePart(phrases: number): number {
  return phrases === 0 ? 0 : phrases === 1 ? 0.8 : 1;
}

/** The fit factor from the text evidence (0..1), whether an exclusion phrase was found, and the feedback part. */
export function fitFactor(evidence: number, excluded: boolean, feedback: number): number {
  let f = FIT_FLOOR + (1 - FIT_FLOOR) * evidence;
  if (excluded) f *= EXCLUDED_FACTOR;
  if (feedback < 0) f *= 1 + FEEDBACK_LOWER * feedback;
  else if (feedback > 0) f += FEEDBACK_RAISE * feedback;
  return Math.min(1, f);
}

/** Whether `phrase` stands in `text` as whole words (not "print" inside "fingerprint"). */
export function hasPhrase(text: string, phrase: string): boolean {
  for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
    const before = at === 0 ? 32 : text.charCodeAt(at - 1);
    const after = at + phrase.length >= text.length ? 32 : text.charCodeAt(at + phrase.length);
    if (!isWordChar(before) && !isWordChar(after)) return true;
  }
  return false;
}

const isWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);

/** Track-record part: 0.6 for one similar win, 0.2 more for each further one, at most 1. */
export function trackPart(similarWins: number): number {
  return similarWins === 0 ? 0 : Math.min(1, 0.4 + 0.2 * similarWins);
}

function excluded(out: RowParts | undefined, gate: Exclusion['rule']): number {
  if (out !== undefined) out.gate = gate;
  return -1;
}

/**
 * The score of row `i` of a supplier table, or -1 when a gate excludes it. The cheapest gates run first.
 * With `out`, an eligible row's parts are written there, or the failed gate of an excluded one, named in the order
 * the gates are explained in (capability, place, capacity, reservations) when more than one fails.
 */
export function scoreRow(co: CompiledOpportunity, t: SupplierTable, i: number, settings: MatchSettings, out?: RowParts): number {
  if (co.closed !== null) return excluded(out, co.closed.rule);
  if (!sharesDivision(co, t, i)) return excluded(out, 'capability');
  // Without `out` the first gate that fails ends it; with it, capability (the first in words) is still looked at.
  let failed: Exclusion['rule'] | null = null;
  if (!servesPlace(co, t, i)) {
    if (out === undefined) return -1;
    failed = 'place';
  } else if (!withinCapacity(co, t, i)) {
    if (out === undefined) return -1;
    failed = 'capacity';
  } else if (!meetsReservations(co, t, i)) {
    if (out === undefined) return -1;
    failed = 'reserved';
  }

  // Capability: for each notice code, the best of the supplier's codes.
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
  if (best < CPV_GATE) return excluded(out, 'capability');
  if (failed !== null) return excluded(out, failed);

  // Text similarity of the supplier's words to the notice.
  let shared = 0;
  const set = co.tokenSet;
  const kFrom = t.tokOff[i];
  const kTo = t.tokOff[i + 1];
  for (let k = kFrom; k < kTo; k++) {
    const tok = t.tok[k];
    if (tok < set.length && set[tok] === 1) shared++;
  }
  const text = textPart(shared, kTo - kFrom, co.tokens.length);
  // Track record: past public contracts won for related work (same CPV group or one code above the other).
  const flags = t.flags[i];
  let similarWins = 0;
  if ((flags & FLAG_PAST_WINS) !== 0) {
    const ns = co.sig;
    for (const win of t.rows[i].pastWins) {
      if (win.some((w) => ns.some((n) => cpvRelation(n, w) >= CPV_GATE))) similarWins++;
    }
  }
  const track = trackPart(similarWins);
  const cpv = cpvSum / nNum.length;
  const capability = 0.6 * cpv + 0.25 * text + 0.15 * track;

  // Locality: how close the supplier's base is to a specific delivery place.
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
  const place = placePart(co, localLevel);
  const size = sizePart(co, t.cap[i]);
  const suitability = suitabilityPart(co, flags);
  const w = settings.localWeight;
  const raw = w * place + (1 - w) * (0.55 * capability + 0.15 * size + 0.15 * suitability + 0.15 * co.timeScore);

  // Fit: the notice's own words against the firm's keywords, exclusions and feedback.
  const row = t.rows[i];
  let phrases = 0;
  if ((flags & FLAG_PHRASES) !== 0) for (const k of row.keywordPhrases) if (hasPhrase(co.textLower, k)) phrases++;
  let excludedBy = -1;
  if ((flags & FLAG_EXCLUDE) !== 0) {
    const ex = row.excludePhrases;
    for (let k = 0; k < ex.length && excludedBy < 0; k++) if (hasPhrase(co.textLower, ex[k])) excludedBy = k;
  }
  const feedback = (flags & FLAG_FEEDBACK) !== 0 ? feedbackPart(co, row.marks) : 0;
  // A firm that gave no words at all has nothing to bear out: its fit is not lowered for that.
  const evidence = kTo > kFrom || (flags & FLAG_PHRASES) !== 0 ? Math.max(text, phrasePart(phrases)) : 1;
  const fit = fitFactor(evidence, excludedBy >= 0, feedback);
  if (out !== undefined) {
    out.capability = capability;
    out.cpv = cpv;
    out.text = text;
    out.track = track;
    out.place = place;
    out.size = size;
    out.suitability = suitability;
    out.time = co.timeScore;
    out.localLevel = localLevel;
    out.sharedWords = shared;
    out.similarWins = similarWins;
    out.gate = null;
    out.fit = fit;
    out.phrases = phrases;
    out.excludedBy = excludedBy;
    out.feedback = feedback;
  }
  return Math.round(Math.min(1, Math.max(0, raw * fit)) * 10000) / 10000;
}

/**
 * scoreRow for a compiled supplier: on its row when it has been filed in a table (an index's), else copied into
 * a reused one-row table.
 */
export function quickScore(co: CompiledOpportunity, cs: CompiledSupplier, settings: MatchSettings, out?: RowParts): number {
  if (cs.table) return scoreRow(co, cs.table, cs.row ?? 0, settings, out);
  const t = scratchRowOf(cs);
  const score = scoreRow(co, t, 0, settings, out);
  releaseScratchRow(t);
  return score;
}
