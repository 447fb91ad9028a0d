/**
 * Matching many suppliers against many tenders without scoring every pair.
 *
 * The candidate index files each supplier under the CPV groups (first three digits) of its codes, and
 * under the division for codes given only at division level. A notice code is looked up in its own
 * group plus the division-level claimers of its division (or the whole division when the notice code is
 * itself a division). This is exactly the capability gate of the scorer (same group, or one code above
 * the other), so the index never drops a supplier the scorer would accept: ranking candidates only gives
 * the same lists as ranking everyone. The place, capacity and reserved-participation gates then run on
 * the few candidates left.
 */
import { compileOpportunity, compileSupplier, scoreCompiled, type CompiledOpportunity, type CompiledSupplier } from './score.js';
import { Vocabulary } from './text.js';
import type { MatchResult, MatchSettings, Opportunity, SupplierProfile } from './types.js';

export * from './types.js';
export { scoreMatch, scoreCompiled, compileOpportunity, compileSupplier, rankValue, formatMoney, cpvRelation } from './score.js';
export type { CompiledOpportunity, CompiledSupplier } from './score.js';
export { Vocabulary, words } from './text.js';

export interface RankOptions {
  /** Keep at most this many (best first); default: all eligible. */
  limit?: number;
  /** Drop results scoring below this. */
  minScore?: number;
  /** Write the reasons of the kept results (default true). */
  explain?: boolean;
}

/** Best first; equal scores by supplier id, so that every ranking of the same inputs is the same list. */
export function compareResults(a: { score: number; supplierId: string }, b: { score: number; supplierId: string }): number {
  return b.score - a.score || (a.supplierId < b.supplierId ? -1 : a.supplierId > b.supplierId ? 1 : 0);
}

interface Ranked {
  result: MatchResult;
  supplier: number;
}

/** Keeps the `limit` best of what it is offered. */
class TopList {
  readonly items: Ranked[] = [];
  constructor(private readonly limit: number) {}

  offer(r: Ranked): void {
    const items = this.items;
    if (items.length >= this.limit && compareResults(r.result, items[items.length - 1].result) >= 0) return;
    let i = items.length;
    while (i > 0 && compareResults(r.result, items[i - 1].result) < 0) i--;
    items.splice(i, 0, r);
    if (items.length > this.limit) items.pop();
  }
}

function rank(
  co: CompiledOpportunity,
  suppliers: CompiledSupplier[],
  /** Indexes to score; null = every supplier. */
  candidates: number[] | null,
  settings: MatchSettings,
  options: RankOptions,
  vocab: Vocabulary,
): MatchResult[] {
  if (co.closed) return [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const minScore = options.minScore ?? 0;
  const top = new TopList(limit);
  const all: Ranked[] = [];
  const n = candidates ? candidates.length : suppliers.length;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k] : k;
    const v = scoreCompiled(co, suppliers[i], settings, false);
    if (!v.eligible || v.score < minScore) continue;
    if (limit === Number.POSITIVE_INFINITY) all.push({ result: v, supplier: i });
    else top.offer({ result: v, supplier: i });
  }
  const kept = limit === Number.POSITIVE_INFINITY ? all.sort((a, b) => compareResults(a.result, b.result)) : top.items;
  if (options.explain === false) return kept.map((k) => stripVerdict(k.result as MatchResult & { eligible: true }));
  return kept.map((k) => {
    const v = scoreCompiled(co, suppliers[k.supplier], settings, true, vocab);
    return v.eligible ? stripVerdict(v) : k.result;
  });
}

function stripVerdict(v: MatchResult & { eligible: true }): MatchResult {
  const { eligible: _eligible, ...result } = v;
  return result;
}

export class SupplierIndex {
  readonly vocab: Vocabulary;
  readonly suppliers: CompiledSupplier[];
  private readonly byGroup = new Map<string, number[]>();
  private readonly divisionClaimers = new Map<string, number[]>();
  private readonly byDivision = new Map<string, number[]>();
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private positions: Map<string, number> | null = null;

  constructor(profiles: SupplierProfile[], vocab = new Vocabulary()) {
    this.vocab = vocab;
    this.suppliers = profiles.map((p) => compileSupplier(p, vocab));
    this.stamp = new Uint32Array(this.suppliers.length);
    const add = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (!list) map.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    this.suppliers.forEach((s, i) => {
      for (const sig of [...s.sig].sort()) {
        const division = sig.slice(0, 2);
        add(this.byDivision, division, i);
        if (sig.length <= 2) add(this.divisionClaimers, division, i);
        else add(this.byGroup, sig.slice(0, 3), i);
      }
    });
  }

  get size(): number {
    return this.suppliers.length;
  }

  /** Indexes of the suppliers that pass the capability gate for this notice, each once. */
  candidates(co: CompiledOpportunity): number[] {
    const out: number[] = [];
    const e = ++this.epoch;
    const take = (list: number[] | undefined) => {
      if (!list) return;
      for (const i of list) {
        if (this.stamp[i] !== e) {
          this.stamp[i] = e;
          out.push(i);
        }
      }
    };
    for (const sig of co.sig) {
      const division = sig.slice(0, 2);
      if (sig.length <= 2) take(this.byDivision.get(division));
      else {
        take(this.byGroup.get(sig.slice(0, 3)));
        take(this.divisionClaimers.get(division));
      }
    }
    return out;
  }

  compile(opportunity: Opportunity, now: Date): CompiledOpportunity {
    return compileOpportunity(opportunity, now, this.vocab);
  }

  /** The eligible suppliers for a tender or lot, best first. */
  match(opportunity: Opportunity | CompiledOpportunity, now: Date, settings: MatchSettings, options: RankOptions = {}): MatchResult[] {
    const co = 'opportunity' in opportunity ? opportunity : this.compile(opportunity, now);
    if (co.closed) return [];
    return rank(co, this.suppliers, this.candidates(co), settings, options, this.vocab);
  }

  /** The same ranking by scoring every supplier: the baseline the index is measured and checked against. */
  matchAllPairs(opportunity: Opportunity | CompiledOpportunity, now: Date, settings: MatchSettings, options: RankOptions = {}): MatchResult[] {
    const co = 'opportunity' in opportunity ? opportunity : this.compile(opportunity, now);
    return rank(co, this.suppliers, null, settings, options, this.vocab);
  }

  position(supplierId: string): number | undefined {
    if (!this.positions) this.positions = new Map(this.suppliers.map((s, i) => [s.profile.id, i]));
    return this.positions.get(supplierId);
  }
}

/** Every tender or lot a supplier could bid for, best first (used when one supplier registers or changes). */
export function matchSupplierAgainst(
  supplier: SupplierProfile,
  opportunities: Opportunity[],
  now: Date,
  settings: MatchSettings,
  minScore = 0,
): MatchResult[] {
  const vocab = new Vocabulary();
  const cs = compileSupplier(supplier, vocab);
  const out: MatchResult[] = [];
  for (const o of opportunities) {
    const v = scoreCompiled(compileOpportunity(o, now, vocab), cs, settings, true, vocab);
    if (v.eligible && v.score >= minScore) out.push(stripVerdict(v));
  }
  return out.sort((a, b) => b.score - a.score || (a.ocid + a.lotId < b.ocid + b.lotId ? -1 : 1));
}
