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
import { compileOpportunity, compileSupplier, quickScore, scoreCompiled, type CompiledOpportunity, type CompiledSupplier } from './score.js';
import { Vocabulary } from './text.js';
import type { MatchResult, MatchSettings, Opportunity, SupplierProfile } from './types.js';

export * from './types.js';
export { scoreMatch, scoreCompiled, quickScore, compileOpportunity, compileSupplier, rankValue, formatMoney, cpvRelation } from './score.js';
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
  score: number;
  supplierId: string;
  supplier: number;
}

/** Keeps the `limit` best of what it is offered. */
class TopList {
  readonly items: Ranked[] = [];
  constructor(private readonly limit: number) {}

  /** The score a newcomer must beat (or tie with a smaller id) to get in. */
  offer(score: number, supplierId: string, supplier: number): void {
    const items = this.items;
    if (items.length >= this.limit) {
      const last = items[items.length - 1];
      if (score < last.score || (score === last.score && supplierId >= last.supplierId)) return;
    }
    const r = { score, supplierId, supplier };
    let i = items.length;
    while (i > 0 && compareResults(r, items[i - 1]) < 0) i--;
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
  const unlimited = limit === Number.POSITIVE_INFINITY;
  const n = candidates ? candidates.length : suppliers.length;
  for (let k = 0; k < n; k++) {
    const i = candidates ? candidates[k] : k;
    const score = quickScore(co, suppliers[i], settings);
    if (score < 0 || score < minScore) continue;
    if (unlimited) all.push({ score, supplierId: suppliers[i].profile.id, supplier: i });
    else top.offer(score, suppliers[i].profile.id, i);
  }
  const kept = unlimited ? all.sort(compareResults) : top.items;
  return kept.map((k) => {
    const v = scoreCompiled(co, suppliers[k.supplier], settings, options.explain !== false, vocab);
    if (!v.eligible || v.score !== k.score) throw new Error(`scoring disagrees for ${k.supplierId} on ${co.opportunity.ocid}`);
    return stripVerdict(v);
  });
}

function stripVerdict(v: MatchResult & { eligible: true }): MatchResult {
  const { eligible: _eligible, ...result } = v;
  return result;
}

/** The suppliers filed under one CPV key, also split by the ITL1 regions they serve (national ones apart). */
interface Bucket {
  all: number[];
  national: number[];
  byRegion: Map<string, number[]>;
}

export class SupplierIndex {
  readonly vocab: Vocabulary;
  readonly suppliers: CompiledSupplier[];
  private readonly byGroup = new Map<string, Bucket>();
  private readonly divisionClaimers = new Map<string, Bucket>();
  private readonly byDivision = new Map<string, Bucket>();
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private positions: Map<string, number> | null = null;

  constructor(profiles: SupplierProfile[], vocab = new Vocabulary()) {
    this.vocab = vocab;
    this.suppliers = profiles.map((p) => compileSupplier(p, vocab));
    this.stamp = new Uint32Array(this.suppliers.length);
    const push = (list: number[], i: number) => {
      if (list[list.length - 1] !== i) list.push(i);
    };
    const add = (map: Map<string, Bucket>, key: string, i: number, regions: string[], national: boolean) => {
      let b = map.get(key);
      if (!b) map.set(key, (b = { all: [], national: [], byRegion: new Map() }));
      push(b.all, i);
      if (national) push(b.national, i);
      else {
        for (const r of regions) {
          let list = b.byRegion.get(r);
          if (!list) b.byRegion.set(r, (list = []));
          push(list, i);
        }
      }
    };
    this.suppliers.forEach((s, i) => {
      // ITL codes nest by prefix, so a supplier can only serve places in the ITL1 regions of its areas.
      const regions = [...new Set(s.areas.map((a) => a.slice(0, 3)))];
      for (const sig of [...new Set(s.sig)].sort()) {
        const division = sig.slice(0, 2);
        add(this.byDivision, division, i, regions, s.national);
        if (sig.length <= 2) add(this.divisionClaimers, division, i, regions, s.national);
        else add(this.byGroup, sig.slice(0, 3), i, regions, s.national);
      }
    });
  }

  get size(): number {
    return this.suppliers.length;
  }

  /**
   * Indexes of the suppliers that pass the capability gate for this notice and could serve its place,
   * each once. Exactly a superset of those the scorer accepts.
   */
  candidates(co: CompiledOpportunity): number[] {
    const out: number[] = [];
    const e = ++this.epoch;
    const takeList = (list: number[] | undefined) => {
      if (!list) return;
      for (const i of list) {
        if (this.stamp[i] !== e) {
          this.stamp[i] = e;
          out.push(i);
        }
      }
    };
    const regions = co.openToAll ? null : [...new Set([...co.places, ...co.nationalPlaces].map((p) => p.slice(0, 3)))];
    const take = (b: Bucket | undefined) => {
      if (!b) return;
      if (!regions) return takeList(b.all);
      takeList(b.national);
      for (const r of regions) takeList(b.byRegion.get(r));
    };
    for (const sig of co.sig) {
      const division = sig.slice(0, 2);
      if (sig.length <= 2) take(this.byDivision.get(division));
      else {
        take(this.byGroup.get(sig.slice(0, 3)));
        take(this.divisionClaimers.get(division));
      }
    }
    // In memory order: the compiled suppliers were made one after another, so this walks the heap forwards.
    return out.sort((a, b) => a - b);
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
