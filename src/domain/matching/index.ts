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
import { compileOpportunity, compileSupplier, scoreCompiled, scoreRow, supplierTable, type SupplierTable, type CompiledOpportunity, type CompiledSupplier } from './score.js';
import { Vocabulary } from './text.js';
import type { MatchResult, MatchSettings, Opportunity, SupplierProfile } from './types.js';

export * from './types.js';
export { scoreMatch, scoreCompiled, quickScore, scoreRow, supplierTable, compileOpportunity, compileSupplier, rankValue, formatMoney, cpvRelation } from './score.js';
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
  table: SupplierTable,
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
    const score = scoreRow(co, table, i, settings);
    if (score < 0 || score < minScore) continue;
    if (unlimited) all.push({ score, supplierId: suppliers[i].profile.id, supplier: i });
    else if (top.items.length < limit || score >= top.items[top.items.length - 1].score) top.offer(score, suppliers[i].profile.id, i);
  }
  const kept = unlimited ? all.sort(compareResults) : top.items;
  return explainKept(co, suppliers, kept, settings, options, vocab);
}

function explainKept(
  co: CompiledOpportunity,
  suppliers: CompiledSupplier[],
  kept: Ranked[],
  settings: MatchSettings,
  options: RankOptions,
  vocab: Vocabulary,
): MatchResult[] {
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
  private readonly table: SupplierTable;
  private readonly byGroup = new Map<string, Bucket>();
  private readonly divisionClaimers = new Map<string, Bucket>();
  private readonly byDivision = new Map<string, Bucket>();
  /** Suppliers by each significant CPV code they list (`7942110`). */
  private readonly byExact = new Map<string, Bucket>();
  /** Suppliers by every leading part, three digits or more, of the codes they list. */
  private readonly byPrefix = new Map<string, Bucket>();
  private readonly anyPastWins: boolean;
  /** How many supplier scores the bounded search has computed (for benchmarks). */
  scored = 0;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private positions: Map<string, number> | null = null;

  constructor(profiles: SupplierProfile[], vocab = new Vocabulary()) {
    this.vocab = vocab;
    this.suppliers = profiles.map((p) => compileSupplier(p, vocab));
    this.table = supplierTable(this.suppliers);
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
        add(this.byExact, sig, i, regions, s.national);
        for (let k = 3; k <= sig.length; k++) add(this.byPrefix, sig.slice(0, k), i, regions, s.national);
      }
    });
    this.anyPastWins = this.suppliers.some((s) => s.pastWins.length > 0);
  }

  /**
   * The candidate lists of a notice in tiers, each with the highest CPV relation any supplier first met in
   * it can have with one of the notice's codes (an upper bound on the CPV part of its score), best first.
   */
  private tiers(co: CompiledOpportunity): Array<{ bound: number; bucket: Bucket }> {
    const out: Array<{ bound: number; bucket: Bucket }> = [];
    const push = (bound: number, bucket: Bucket | undefined) => {
      if (bucket) out.push({ bound, bucket });
    };
    for (const n of co.sig) {
      const len = n.length;
      const division = n.slice(0, 2);
      if (len <= 2) {
        push(1, this.divisionClaimers.get(division));
        push(0.7, this.byDivision.get(division));
        continue;
      }
      push(1, this.byExact.get(n));
      // Codes above the notice's: deeper is closer (the same formula as cpvRelationOf).
      for (let k = len - 1; k >= 3; k--) push(0.55 + (0.4 * (k - 2)) / (len - 2), this.byExact.get(n.slice(0, k)));
      push(0.55, this.divisionClaimers.get(division));
      // Codes below the notice's.
      push(0.7, this.byPrefix.get(n));
      // Codes sharing d leading digits: at most 0.2 + 0.5 (d - 2) / (len - 2).
      for (let d = len - 1; d >= 3; d--) push(0.2 + (0.5 * (d - 2)) / (len - 2), this.byPrefix.get(n.slice(0, d)));
    }
    return out.sort((a, b) => b.bound - a.bound);
  }

  /**
   * Top `limit` by walking the tiers best first and stopping once no supplier left can beat the list:
   * the same result as scoring every candidate, because every bound is an upper bound of the real score.
   */
  private rankBounded(co: CompiledOpportunity, settings: MatchSettings, limit: number, minScore: number): Ranked[] {
    const w = settings.localWeight;
    const placeMax = co.places.length === 0 ? 0.3 : 1;
    const sizeMax = co.hasValue ? 1 : 0.6;
    const suitMax =
      co.reservedKind !== 0 || co.reservedPlaces.length !== 0 || co.suitableSme || co.suitableVcse ? 1 : co.unsuitableSme ? 0.4 : 0.6;
    const trackMax = this.anyPastWins ? 1 : 0;
    const m = co.sig.length;
    const ceiling = (cpvBest: number) => {
      // The mean CPV relation over the notice's codes is at most the best one.
      const capability = 0.6 * Math.min(1, cpvBest) + 0.25 + 0.15 * trackMax;
      return w * placeMax + (1 - w) * (0.55 * capability + 0.15 * sizeMax + 0.15 * suitMax + 0.15 * co.timeScore) + 1e-4;
    };
    void m;
    const top = new TopList(limit);
    const e = ++this.epoch;
    const regions = co.openToAll ? null : [...new Set([...co.places, ...co.nationalPlaces].map((p) => p.slice(0, 3)))];
    const scoreList = (list: number[] | undefined) => {
      if (!list) return;
      for (const i of list) {
        if (this.stamp[i] === e) continue;
        this.stamp[i] = e;
        this.scored++;
        const score = scoreRow(co, this.table, i, settings);
        if (score < 0 || score < minScore) continue;
        // Most scores are below the list's last: skip them before touching the supplier object.
        if (top.items.length >= limit && score < top.items[top.items.length - 1].score) continue;
        top.offer(score, this.suppliers[i].profile.id, i);
      }
    };
    for (const { bound, bucket } of this.tiers(co)) {
      const ceil = ceiling(bound);
      if (ceil < minScore) break;
      if (top.items.length >= limit && top.items[top.items.length - 1].score > ceil) break;
      if (!regions) scoreList(bucket.all);
      else {
        scoreList(bucket.national);
        for (const r of regions) scoreList(bucket.byRegion.get(r));
      }
    }
    return top.items;
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
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit === Number.POSITIVE_INFINITY) return rank(co, this.suppliers, this.table, this.candidates(co), settings, options, this.vocab);
    const kept = this.rankBounded(co, settings, limit, options.minScore ?? 0);
    return explainKept(co, this.suppliers, kept, settings, options, this.vocab);
  }

  /** The same ranking by scoring every supplier: the baseline the index is measured and checked against. */
  matchAllPairs(opportunity: Opportunity | CompiledOpportunity, now: Date, settings: MatchSettings, options: RankOptions = {}): MatchResult[] {
    const co = 'opportunity' in opportunity ? opportunity : this.compile(opportunity, now);
    return rank(co, this.suppliers, this.table, null, settings, options, this.vocab);
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
