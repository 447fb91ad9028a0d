/**
 * The verdict for one supplier on one tender or lot: the kernel's score and parts (score.ts), and, when asked
 * for, the words of reasons.ts on them or on the gate that failed.
 */
import { compileOpportunity, compileSupplier } from './compile.js';
import type { CompiledOpportunity, CompiledSupplier } from './compiled.js';
import { exclusionReason, reasonsFor, type Audience } from './reasons.js';
import { emptyParts, quickScore, type RowParts } from './score.js';
import { Vocabulary } from './text.js';
import type { Exclusion, MatchResult, MatchSettings, Opportunity, SupplierProfile, Verdict } from './types.js';

/** Exclusions shared by all suppliers when reasons are not asked for: no strings built, nothing allocated per pair. */
const QUIET: Record<Exclusion['rule'], Verdict> = Object.fromEntries(
  (['closed', 'expired', 'capability', 'place', 'capacity', 'reserved', 'no-cpv'] as const).map((rule) => [rule, Object.freeze({ eligible: false as const, supplierId: '', rule, reason: rule })]),
) as Record<Exclusion['rule'], Verdict>;

/** Where the kernel writes the parts of the pair being scored (read before the next one is). */
const parts = emptyParts();

/** A result from the kernel's parts of an eligible pair; its reasons are left empty. */
export function resultOf(co: CompiledOpportunity, supplierId: string, highPotential: boolean, score: number, p: RowParts): MatchResult {
  const opp = co.opportunity;
  return {
    supplierId,
    ocid: opp.ocid,
    lotId: opp.lotId,
    score,
    reasons: [],
    parts: { capability: p.capability, cpv: p.cpv, text: p.text, track: p.track, place: p.place, size: p.size, suitability: p.suitability, time: p.time, fit: p.fit },
    localLevel: p.localLevel,
    highPotential,
    deadline: opp.deadline,
  };
}

/**
 * The verdict for one supplier on one tender or lot. With `explain` false the reasons are left empty and an
 * exclusion other than a closed notice is one shared object, not naming the supplier: ranking thousands of
 * candidates needs only the number. With `explain` true the same score comes with its reasons.
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
  if (co.closed) return { eligible: false, supplierId, ...co.closed };
  const score = quickScore(co, cs, settings, parts);
  if (score < 0) {
    const rule = parts.gate!;
    return explain ? { eligible: false, supplierId, rule, reason: exclusionReason(rule, co, cs, audience) } : QUIET[rule];
  }
  const result = resultOf(co, supplierId, cs.profile.highPotential, score, parts);
  if (explain) result.reasons = reasonsFor(co, cs, parts, audience, vocab);
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
