/**
 * The check that a score is what its parts say it is, on many (tender or lot, supplier) pairs: the documented
 * formula over the parts a result carries gives its score (to the four decimals it is rounded to); a result with
 * reasons and one without agree on eligibility, gate, score and parts; and the index, the verdict on a supplier
 * scored on its own, and the verdict on the index's row all give the same results. Failures are collected (the
 * first few kept) rather than asserted one by one, so that hundreds of thousands of pairs stay quick.
 */
import { compileOpportunity, compileSupplier } from '../../src/domain/matching/compile.js';
import { SupplierIndex } from '../../src/domain/matching/supplier-index.js';
import { Vocabulary } from '../../src/domain/matching/text.js';
import type { MatchResult, MatchSettings, Opportunity, ScoreParts, SupplierProfile } from '../../src/domain/matching/types.js';
import { scoreCompiled } from '../../src/domain/matching/verdict.js';

export interface PartsCase {
  opportunity: Opportunity;
  now: Date;
}

export interface PartsReport {
  pairs: number;
  eligible: number;
  /** Excluded pairs by the gate that failed. */
  rules: Record<string, number>;
  /** Distinct values each part took over the eligible pairs (a check on a narrow sample would prove little). */
  distinct: Record<keyof ScoreParts, number>;
  /** The first failures, in words; [] when every pair holds. */
  failures: string[];
}

const PART_NAMES: Array<keyof ScoreParts> = ['capability', 'cpv', 'text', 'track', 'place', 'size', 'suitability', 'time', 'fit'];

/** The documented formula (README, src/domain/matching/score.ts), written out here independently of the code. */
export function scoreFromParts(p: ScoreParts, localWeight: number): number {
  return p.fit * (localWeight * p.place + (1 - localWeight) * (0.55 * p.capability + 0.15 * p.size + 0.15 * p.suitability + 0.15 * p.time));
}

export function checkScoreParts(cases: PartsCase[], profiles: SupplierProfile[], settings: MatchSettings): PartsReport {
  const failures: string[] = [];
  const fail = (what: string) => {
    if (failures.length < 10) failures.push(what);
  };
  const rules: Record<string, number> = {};
  const seen = Object.fromEntries(PART_NAMES.map((n) => [n, new Set<number>()])) as Record<keyof ScoreParts, Set<number>>;
  let pairs = 0;
  let eligible = 0;

  const checkResult = (where: string, r: Pick<MatchResult, 'score' | 'parts'>) => {
    const sum = scoreFromParts(r.parts, settings.localWeight);
    if (Math.abs(sum - r.score) > 0.00005 + 1e-12) fail(`${where}: parts add up to ${sum}, the score is ${r.score}`);
    const capability = 0.6 * r.parts.cpv + 0.25 * r.parts.text + 0.15 * r.parts.track;
    if (Math.abs(capability - r.parts.capability) > 1e-12) fail(`${where}: capability ${r.parts.capability} is not 0.6 CPV + 0.25 text + 0.15 track (${capability})`);
    for (const n of PART_NAMES) if (!(r.parts[n] >= 0 && r.parts[n] <= 1)) fail(`${where}: part ${n} = ${r.parts[n]} is outside [0,1]`);
  };

  const vocab = new Vocabulary();
  const loose = profiles.map((p) => compileSupplier(p, vocab));
  const index = new SupplierIndex(profiles);
  cases.forEach(({ opportunity, now }, k) => {
    const label = `${opportunity.ocid} lot '${opportunity.lotId}'`;
    const co = compileOpportunity(opportunity, now, vocab);
    const byId = new Map<string, MatchResult>();
    for (const cs of loose) {
      pairs++;
      const where = `${label} × ${cs.profile.id}`;
      const quiet = scoreCompiled(co, cs, settings, false);
      const told = scoreCompiled(co, cs, settings, true, vocab, (pairs & 1) === 0 ? 'supplier' : 'officer');
      if (quiet.eligible !== told.eligible) {
        fail(`${where}: eligible ${quiet.eligible} without reasons, ${told.eligible} with them`);
        continue;
      }
      if (!quiet.eligible || !told.eligible) {
        if (!quiet.eligible && !told.eligible) {
          rules[told.rule] = (rules[told.rule] ?? 0) + 1;
          if (quiet.rule !== told.rule) fail(`${where}: gate ${quiet.rule} without reasons, ${told.rule} with them`);
          if (told.reason.length < 10) fail(`${where}: the reason "${told.reason}" says nothing`);
        }
        continue;
      }
      eligible++;
      if (quiet.score !== told.score || JSON.stringify(quiet.parts) !== JSON.stringify(told.parts) || quiet.localLevel !== told.localLevel) {
        fail(`${where}: ${JSON.stringify([quiet.score, quiet.parts, quiet.localLevel])} without reasons, ${JSON.stringify([told.score, told.parts, told.localLevel])} with them`);
      }
      if (quiet.reasons.length !== 0 || told.reasons.length < 3) fail(`${where}: ${quiet.reasons.length} reasons unasked, ${told.reasons.length} asked for`);
      checkResult(where, told);
      for (const n of PART_NAMES) seen[n].add(told.parts[n]);
      byId.set(cs.profile.id, told);
    }

    // The index's search, with and without reasons, against every pair scored above.
    const ico = index.compile(opportunity, now);
    const ranked = index.match(ico, now, settings, { audience: k % 2 ? 'officer' : 'supplier' });
    const bare = index.match(ico, now, settings, { explain: false });
    if (ranked.length !== byId.size || bare.length !== byId.size) fail(`${label}: the index keeps ${ranked.length} (${bare.length} without reasons) of ${byId.size} eligible`);
    ranked.forEach((r, i) => {
      const b = bare[i];
      const one = byId.get(r.supplierId);
      const where = `${label} × ${r.supplierId} in the index`;
      if (!b || b.supplierId !== r.supplierId || b.score !== r.score || JSON.stringify(b.parts) !== JSON.stringify(r.parts) || b.localLevel !== r.localLevel) {
        fail(`${where}: with and without reasons differ`);
      }
      if (!one || one.score !== r.score || JSON.stringify(one.parts) !== JSON.stringify(r.parts)) fail(`${where}: differs from the supplier scored on its own`);
      if (b) checkResult(`${where}, without reasons`, b);
    });
  });
  const distinct = Object.fromEntries(PART_NAMES.map((n) => [n, seen[n].size])) as Record<keyof ScoreParts, number>;
  return { pairs, eligible, rules, distinct, failures };
}
