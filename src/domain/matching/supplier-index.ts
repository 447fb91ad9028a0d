/**
 * Matching many suppliers against many tenders without scoring every pair.
 *
 * Suppliers are filed under each significant CPV code they list (exact lists) and under every leading part of
 * two digits or more of those codes (prefix lists). A notice code then finds, list by list, the suppliers whose
 * codes are its own, above it, below it, or siblings sharing three or more digits: exactly the capability gate of
 * the scorer, each list with the highest CPV relation its suppliers can have. Every list is ordered by the
 * supplier's home area (ITL code as bits), so the suppliers based in the delivery place's ITL3, ITL2 or ITL1 area
 * are one contiguous run found by binary search: the place part of their score is known before scoring them.
 *
 * The top-k search is a threshold algorithm: for each slot (based in the ITL3, ITL2 or ITL1 area of a delivery
 * place, or not local) the ceiling of any supplier not yet scored is built from the best unscanned list of each
 * notice code, the slot's place score and the notice's own constants; it scans the best run of the slot with the
 * highest ceiling and stops once the k-th best score is above every ceiling. Before scoring a row it works out the
 * row's exact place, size, suitability and text parts (the kernel's own part functions, score.ts) and passes over it
 * if even its CPV bound cannot lift it over the k-th score. Every bound is an upper bound, so the lists are exactly those of scoring every pair; the
 * benchmark and tests check this against the naive all-pairs scorer.
 */
import { compileOpportunity, compileSupplier } from './compile.js';
import { FLAG_FEEDBACK, FLAG_HIGH_POTENTIAL, FLAG_PHRASES, type CompiledOpportunity, type CompiledSupplier, type SupplierTable } from './compiled.js';
import type { Audience } from './reasons.js';
import { emptyParts, fitFactor, LOCAL_SCORE, placePart, scoreRow, sizePart, suitabilityPart, textPart } from './score.js';
import { fileSuppliers } from './supplier-table.js';
import { Vocabulary } from './text.js';
import type { MatchResult, MatchSettings, Opportunity, SupplierProfile } from './types.js';
import { resultOf, scoreCompiled } from './verdict.js';

export interface RankOptions {
  /** Keep at most this many (best first); default: all eligible. */
  limit?: number;
  /** Drop results scoring below this. */
  minScore?: number;
  /** Write the reasons of the kept results (default true). */
  explain?: boolean;
  /** Who reads the reasons (default the supplier: "you are based in ..."). */
  audience?: Audience;
}

/** Best first; equal scores by supplier id, so that every ranking of the same inputs is the same list. */
export function compareResults(a: { score: number; supplierId: string }, b: { score: number; supplierId: string }): number {
  return b.score - a.score || (a.supplierId < b.supplierId ? -1 : a.supplierId > b.supplierId ? 1 : 0);
}


interface Ranked {
  score: number;
  supplierId: string;
  /** Its row in the index's table. */
  row: number;
}

/** Keeps the `limit` best of what it is offered. */
class TopList {
  readonly items: Ranked[] = [];
  constructor(private readonly limit: number) {}

  /** The score a newcomer must beat (or tie with a smaller id) to get in. */
  get floor(): number {
    return this.items.length >= this.limit ? this.items[this.items.length - 1].score : Number.NEGATIVE_INFINITY;
  }

  offer(score: number, supplierId: string, row: number): void {
    const items = this.items;
    if (items.length >= this.limit) {
      const last = items[items.length - 1];
      if (score < last.score || (score === last.score && supplierId >= last.supplierId)) return;
    }
    const r = { score, supplierId, row };
    let i = items.length;
    while (i > 0 && compareResults(r, items[i - 1]) < 0) i--;
    items.splice(i, 0, r);
    if (items.length > this.limit) items.pop();
  }
}

/**
 * The kept rows as results, from the kernel's parts of each on the index's table: with reasons, through the
 * verdict that writes them; without, straight from the packed table, no supplier object touched.
 */
function explainKept(co: CompiledOpportunity, table: SupplierTable, kept: Ranked[], settings: MatchSettings, options: RankOptions, vocab: Vocabulary): MatchResult[] {
  const opp = co.opportunity;
  const parts = emptyParts();
  return kept.map((k) => {
    if (options.explain !== false) {
      const v = scoreCompiled(co, table.rows[k.row], settings, true, vocab, options.audience);
      if (!v.eligible || v.score !== k.score) throw new Error(`scoring disagrees for ${k.supplierId} on ${opp.ocid}`);
      return stripVerdict(v);
    }
    if (scoreRow(co, table, k.row, settings, parts) !== k.score) throw new Error(`scoring disagrees for ${k.supplierId} on ${opp.ocid}`);
    return resultOf(co, k.supplierId, (table.flags[k.row] & FLAG_HIGH_POTENTIAL) !== 0, k.score, parts);
  });
}

function stripVerdict(v: MatchResult & { eligible: true }): MatchResult {
  const { eligible: _eligible, ...result } = v;
  return result;
}

/**
 * The naive ranking: the verdict (the one that writes the reasons, here without them) for every supplier, the
 * eligible sorted best first, the first `limit` kept. No index, no lists, no bounds: the baseline the index's
 * search is measured and checked against. Both score with the one kernel, so what this checks is the search.
 */
export function rankAllPairs(
  co: CompiledOpportunity,
  suppliers: CompiledSupplier[],
  settings: MatchSettings,
  options: RankOptions = {},
  vocab?: Vocabulary,
): MatchResult[] {
  if (co.closed) return [];
  const minScore = options.minScore ?? 0;
  const eligible: MatchResult[] = [];
  for (const cs of suppliers) {
    const v = scoreCompiled(co, cs, settings, false);
    if (v.eligible && v.score >= minScore) eligible.push(stripVerdict(v));
  }
  eligible.sort(compareResults);
  const kept = eligible.slice(0, options.limit ?? eligible.length);
  if (options.explain === false) return kept;
  const byId = new Map(suppliers.map((s) => [s.profile.id, s]));
  return kept.map((r) => {
    const v = scoreCompiled(co, byId.get(r.supplierId)!, settings, true, vocab);
    if (!v.eligible) throw new Error(`scoring disagrees for ${r.supplierId} on ${co.opportunity.ocid}`);
    return stripVerdict(v);
  });
}

/**
 * Suppliers (table rows) filed under one CPV key, in row order, which is home-area order: a run of the index's
 * packed posting arrays, so that tens of thousands of keys cost three typed arrays, not three each.
 */
interface Posting {
  /** Its rows are postingRows[start, end); their home areas postingHomes[start, end). */
  start: number;
  end: number;
  /**
   * awayRows[awayStart, awayEnd): the rows that could serve a place outside their home's ITL1 region (national,
   * or serving an area elsewhere, or with no home): the only ones a specific place can take without them being
   * based near it.
   */
  awayStart: number;
  awayEnd: number;
}

/** Set bits of a 32-bit word. */
function bitCount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** First position in homes[from, to) (sorted) whose value is at least `v`. */
function lowerBound(homes: Uint32Array, v: number, from: number, to: number): number {
  let a = from;
  let b = to;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (homes[m] < v) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Where a supplier can stand against the notice's places: based within the ITL area of `level` characters of
 * place `place` (homes in [lo, hi)), or (place -1) anywhere else, serving the place without being based there.
 */
interface Slot {
  place: number;
  level: number;
  placeScore: number;
  lo: number;
  hi: number;
}

/** Division-level relation (same division, no closer): what a notice code can still add once its lists are spent. */
const SPENT = 0.1;

export class SupplierIndex {
  readonly vocab: Vocabulary;
  /** The suppliers it was built from (some may have been removed or replaced since: see `suppliers`). */
  private readonly built: CompiledSupplier[];
  /** The suppliers packed by home area: row r is suppliers[supplierOfRow[r]]. */
  private readonly table: SupplierTable;
  private readonly supplierOfRow: Int32Array;
  /** Suppliers by each significant CPV code they list (`7942110`, or a division `45`). */
  private readonly byExact = new Map<string, Posting>();
  /** Suppliers by every leading part, two digits or more, of the codes they list. */
  private readonly byPrefix = new Map<string, Posting>();
  private readonly postingRows: Int32Array;
  private readonly postingHomes: Uint32Array;
  private readonly awayRows: Int32Array;
  private readonly anyPastWins: boolean;
  private readonly postingsByCode = new Map<string, Array<{ posting: Posting; bound: number }>>();
  /** The most CPV divisions any one supplier lists. */
  private readonly maxDivisions: number;
  /** How many supplier scores the bounded search has computed (for benchmarks). */
  scored = 0;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private positions: Map<string, number> | null = null;
  /**
   * Changes made in place since the build (upsert, remove): the built rows they replaced or removed are passed
   * over by every search (`deadRows`, stamped before each one), and the suppliers added or changed since are held
   * in a small index of their own, over the same vocabulary, rebuilt when next searched after a change. A search
   * ranks both exactly and merges the two lists, so the answer is that of an index built afresh.
   */
  private readonly deadRows: number[] = [];
  private readonly dead: Uint8Array;
  private rowOfId: Map<string, number> | null = null;
  private readonly added = new Map<string, SupplierProfile>();
  private addedIndex: SupplierIndex | null = null;
  private current: CompiledSupplier[] | null = null;

  constructor(profiles: SupplierProfile[], vocab = new Vocabulary()) {
    this.vocab = vocab;
    this.built = profiles.map((p) => compileSupplier(p, vocab));
    const n = this.built.length;
    const suppliers = this.built;
    this.dead = new Uint8Array(n);
    // Rows in home-area order: the suppliers based in one area are neighbours in memory and in every list.
    const order = [...new Array(n).keys()].sort((a, b) => suppliers[a].homeNum - suppliers[b].homeNum || a - b);
    this.supplierOfRow = new Int32Array(order);
    // Each supplier knows its row: explaining a kept supplier scores it from this table too.
    const table = (this.table = fileSuppliers(order.map((i) => suppliers[i])));
    this.stamp = new Uint32Array(n);
    const exact = new Map<string, number[]>();
    const prefix = new Map<string, number[]>();
    const listOf = (map: Map<string, number[]>, key: string) => {
      let list = map.get(key);
      if (!list) map.set(key, (list = []));
      return list;
    };
    // The lists a code is filed in, worked out once per distinct code (suppliers share codes).
    const listsOfCode = new Map<string, number[][]>();
    for (let row = 0; row < n; row++) {
      for (const sig of table.rows[row].sig) {
        let lists = listsOfCode.get(sig);
        if (!lists) {
          lists = [listOf(exact, sig)];
          for (let k = 2; k <= sig.length; k++) lists.push(listOf(prefix, sig.slice(0, k)));
          listsOfCode.set(sig, lists);
        }
        for (const list of lists) if (list[list.length - 1] !== row) list.push(row);
      }
    }
    const away = new Uint8Array(n);
    let maxDivisions = 0;
    for (let row = 0; row < n; row++) {
      const s = table.rows[row];
      const region = s.homeRegion && s.homeRegion.length > 2 ? s.homeRegion.slice(0, 3) : null;
      away[row] = s.national || region === null || s.areas.some((a) => !a.startsWith(region)) ? 1 : 0;
      maxDivisions = Math.max(maxDivisions, bitCount(s.divisions[0]) + bitCount(s.divisions[1]) + bitCount(s.divisions[2]) + bitCount(s.divisions[3]));
    }
    this.maxDivisions = maxDivisions;
    let total = 0;
    let awayTotal = 0;
    for (const lists of [exact, prefix]) {
      for (const list of lists.values()) {
        total += list.length;
        for (const row of list) awayTotal += away[row];
      }
    }
    this.postingRows = new Int32Array(total);
    this.postingHomes = new Uint32Array(total);
    this.awayRows = new Int32Array(awayTotal);
    let at = 0;
    let awayAt = 0;
    const pack = (from: Map<string, number[]>, to: Map<string, Posting>) => {
      for (const [key, list] of from) {
        const posting: Posting = { start: at, end: at + list.length, awayStart: awayAt, awayEnd: awayAt };
        for (const row of list) {
          this.postingRows[at] = row;
          this.postingHomes[at++] = table.homeNum[row];
          if (away[row] === 1) this.awayRows[awayAt++] = row;
        }
        posting.awayEnd = awayAt;
        to.set(key, posting);
      }
    };
    pack(exact, this.byExact);
    pack(prefix, this.byPrefix);
    this.anyPastWins = suppliers.some((s) => s.pastWins.length > 0);
  }

  /**
   * For one notice code, its postings best first, each with the highest CPV relation any of its suppliers can
   * have with the code (the formulas of cpvRelationOf).
   */
  private postingsOf(n: string): Array<{ posting: Posting; bound: number }> {
    // Notices ask for the same codes again and again, and the index does not change: work each out once.
    const known = this.postingsByCode.get(n);
    if (known) return known;
    const best = new Map<Posting, number>();
    const add = (bound: number, posting: Posting | undefined) => {
      if (posting && !((best.get(posting) ?? -1) >= bound)) best.set(posting, bound);
    };
    const len = n.length;
    add(1, this.byExact.get(n));
    if (len <= 2) add(0.7, this.byPrefix.get(n));
    else {
      // Codes above the notice's (down to its division): deeper is closer.
      for (let k = len - 1; k >= 2; k--) add(0.55 + (0.4 * (k - 2)) / (len - 2), this.byExact.get(n.slice(0, k)));
      // Codes below it.
      add(0.7, this.byPrefix.get(n));
      // Siblings sharing d leading digits: at most 0.2 + 0.5 (d - 2) / (len - 2).
      for (let d = len - 1; d >= 3; d--) add(0.2 + (0.5 * (d - 2)) / (len - 2), this.byPrefix.get(n.slice(0, d)));
    }
    const out = [...best].map(([posting, bound]) => ({ posting, bound })).sort((a, b) => b.bound - a.bound || a.posting.end - a.posting.start - (b.posting.end - b.posting.start));
    this.postingsByCode.set(n, out);
    return out;
  }

  /**
   * The best `limit` (or all, when unlimited), by a threshold algorithm over (posting, slot) runs.
   *
   * A supplier not yet scored that stands in slot s (its best local level at some place, or nowhere local) can
   * relate to notice code b no better than the best posting of b not yet scanned for s (or SPENT when none is
   * left): its score is at most the slot's ceiling, built from those bounds, the slot's place score, text 1 and
   * the notice's own constants. Each step scans the most promising run of the slot with the highest ceiling,
   * and the search stops once the k-th best score is above every ceiling: the result is exactly that of
   * scoring every candidate.
   */
  private rankBounded(co: CompiledOpportunity, settings: MatchSettings, limit: number, minScore: number): Ranked[] {
    const unlimited = limit === Number.POSITIVE_INFINITY;
    const top = new TopList(limit);
    const all: Ranked[] = [];
    const w = settings.localWeight;
    const sizeMax = co.hasValue ? 1 : 0.6;
    const suitMax =
      co.reservedKind !== 0 || co.reservedPlaces.length !== 0 || co.suitableSme || co.suitableVcse ? 1 : co.unsuitableSme ? 0.4 : 0.6;
    const trackMax = this.anyPastWins ? 1 : 0;
    const m = co.sig.length;
    const fixed = (1 - w) * (0.55 * 0.15 * trackMax + 0.15 * sizeMax + 0.15 * suitMax + 0.15 * co.timeScore) + 1e-4;
    // Anyone unseen may share every word with the notice (text part 1) until its own words are looked at.
    const textWeight = (1 - w) * 0.55 * 0.25;
    const cpvWeight = ((1 - w) * 0.55 * 0.6) / m;
    // A supplier's code relates only to notice codes of its own division, and it lists at most maxDivisions.
    const divisionOf = co.sig.map((n) => n.slice(0, 2));
    const divisions = [...new Set(divisionOf)];
    const divisionIndex = new Int32Array(divisionOf.map((d) => divisions.indexOf(d)));
    const divisionSum = new Float64Array(divisions.length);
    const capDivisions = this.maxDivisions < divisions.length;

    // Postings of every notice code, numbered once per notice.
    const numberOf = new Map<Posting, number>();
    const postings: Posting[] = [];
    const lists = co.sig.map((n) =>
      this.postingsOf(n).map(({ posting, bound }) => {
        let x = numberOf.get(posting);
        if (x === undefined) {
          x = postings.length;
          numberOf.set(posting, x);
          postings.push(posting);
        }
        return { x, bound };
      }),
    );

    const placed = co.places.length > 0;
    const places = placed ? co.placeNum.length : 0;
    // Someone not based near a specific place can only take it by serving it from elsewhere (or nationally).
    const awayOnly = placed && !co.openToAll && co.nationalPlaces.length === 0;
    const slots: Slot[] = [];
    for (let p = 0; p < places; p++) {
      const bits = co.placeNum[p];
      for (let level = Math.min(3, co.placeLen[p]); level >= 1; level--) {
        const span = 2 ** (6 * (3 - level));
        const lo = bits - (bits % span);
        slots.push({ place: p, level, placeScore: LOCAL_SCORE[level], lo, hi: lo + span });
      }
    }
    slots.push({ place: -1, level: 0, placeScore: placed ? LOCAL_SCORE[0] : 0.3, lo: 0, hi: 0 });
    // CPV part of each slot's ceiling at this step (0 once nothing is left in it), and the slot of (place, level).
    const slotCpv = new Float64Array(slots.length);
    const slotOf = new Int32Array(4 * Math.max(1, places)).fill(slots.length - 1);
    slots.forEach((s, si) => {
      if (s.place >= 0) slotOf[4 * s.place + s.level] = si;
    });

    // Scanned state of each posting: wholly, or per place the lowest local level scanned (4 = none).
    const whole = new Uint8Array(postings.length);
    const stride = Math.max(1, places);
    const scannedLevel = new Int8Array(postings.length * stride).fill(4);
    const pointer = new Int32Array(slots.length * m);
    const scanned = (x: number, s: Slot) => whole[x] === 1 || (s.place >= 0 && scannedLevel[x * stride + s.place] <= s.level);

    const e = ++this.epoch;
    const stamp = this.stamp;
    for (const row of this.deadRows) stamp[row] = e;
    const table = this.table;
    const consider = (row: number) => {
      if (stamp[row] === e) return;
      stamp[row] = e;
      this.scored++;
      const score = scoreRow(co, table, row, settings);
      if (score < 0 || score < minScore) return;
      if (unlimited) all.push({ score, supplierId: table.ids[row], row });
      else if (score >= top.floor) top.offer(score, table.ids[row], row);
    };
    for (;;) {
      let bestCeiling = Number.NEGATIVE_INFINITY;
      let bestSlot = -1;

      for (let si = 0; si < slots.length; si++) {
        const s = slots[si];
        let open = false;
        divisionSum.fill(0);
        for (let b = 0; b < m; b++) {
          const list = lists[b];
          let q = pointer[si * m + b];
          while (q < list.length && scanned(list[q].x, s)) q++;
          pointer[si * m + b] = q;
          if (q < list.length) {
            divisionSum[divisionIndex[b]] += list[q].bound;
            open = true;
          } else divisionSum[divisionIndex[b]] += SPENT;
        }
        slotCpv[si] = 0;
        if (!open) continue;
        let sum = 0;
        if (capDivisions) {
          const sorted = new Float64Array(divisionSum).sort();
          for (let k = sorted.length - 1; k >= sorted.length - this.maxDivisions; k--) sum += sorted[k];
        } else for (let k = 0; k < divisionSum.length; k++) sum += divisionSum[k];
        const cpvPart = cpvWeight * Math.min(m, sum);
        slotCpv[si] = cpvPart;
        const ceiling = w * s.placeScore + cpvPart + textWeight + fixed;
        if (ceiling > bestCeiling) {
          bestCeiling = ceiling;
          bestSlot = si;
        }
      }
      if (bestSlot < 0 || bestCeiling < minScore) break;
      if (!unlimited && top.floor > bestCeiling) break;

      // The slot's most promising unscanned posting.
      const s = slots[bestSlot];
      let x = -1;
      let bound = -1;
      for (let b = 0; b < m; b++) {
        const q = pointer[bestSlot * m + b];
        if (q < lists[b].length && lists[b][q].bound > bound) {
          bound = lists[b][q].bound;
          x = lists[b][q].x;
        }
      }
      const posting = postings[x];
      const fromAway = s.place < 0 && awayOnly;
      const rows = fromAway ? this.awayRows : this.postingRows;
      let from = fromAway ? posting.awayStart : posting.start;
      let to = fromAway ? posting.awayEnd : posting.end;
      if (s.place >= 0) {
        from = lowerBound(this.postingHomes, s.lo, posting.start, posting.end);
        to = lowerBound(this.postingHomes, s.hi, posting.start, posting.end);
      }
      const bar = Math.max(top.floor, minScore);
      if (s.place >= 0) scannedLevel[x * stride + s.place] = s.level;
      else whole[x] = 1;
      if (bar === Number.NEGATIVE_INFINITY) for (let k = from; k < to; k++) consider(rows[k]);
      else {
        // A row unseen so far scores at most the CPV part of its own slot's ceiling plus its own place, size,
        // suitability and text parts: working those out first (the text from its words against the notice's) is
        // far cheaper than scoring it. A row below the bar now stays below it: the bar only rises, ceilings fall.
        const base = (1 - w) * (0.55 * 0.15 * trackMax + 0.15 * co.timeScore) + 1e-4;
        const set = co.tokenSet;
        const noticeWords = co.tokens.length;
        const pNum = co.placeNum;
        const pLen = co.placeLen;
        for (let k = from; k < to; k++) {
          const row = rows[k];
          if (stamp[row] === e) continue;
          let level = 0;
          let cpvPart = slotCpv[slots.length - 1];
          const homeLen = table.homeLen[row];
          if (homeLen > 0) {
            const home = table.homeNum[row];
            for (let p = 0; p < pNum.length; p++) {
              const common = home === pNum[p] ? 3 : Math.floor((Math.clz32(home ^ pNum[p]) - 14) / 6);
              const l = Math.min(common, homeLen, pLen[p]);
              if (l > 0 && l >= level) {
                const c = slotCpv[slotOf[4 * p + l]];
                cpvPart = l > level ? c : Math.max(cpvPart, c);
                level = l;
              }
            }
          }
          const place = placePart(co, level);
          const size = sizePart(co, table.cap[row]);
          const suitability = suitabilityPart(co, table.flags[row]);
          const known = base + cpvPart + w * place + (1 - w) * (0.15 * size + 0.15 * suitability);
          if (known + textWeight < bar) {
            stamp[row] = e;
            continue;
          }
          const kFrom = table.tokOff[row];
          const kTo = table.tokOff[row + 1];
          const own = kTo - kFrom;
          // It shares at most as many words as the shorter of the two texts has: a bound from the counts alone.
          const most = own < noticeWords ? own : noticeWords;
          const textMost = textPart(most, own, noticeWords);
          if (known + textWeight * textMost < bar) {
            stamp[row] = e;
            continue;
          }
          let shared = 0;
          for (let q = kFrom; q < kTo; q++) {
            const tok = table.tok[q];
            if (tok < set.length && set[tok] === 1) shared++;
          }
          const text = textPart(shared, own, noticeWords);
          // The fit factor multiplies the rest: at most what the row's words can earn it (keyword phrases not yet
          // looked for count as found, feedback as raising it fully; an exclusion only lowers it).
          const flags = table.flags[row];
          const phrases = (flags & FLAG_PHRASES) !== 0 ? 1 : 0;
          const fitMost = own === 0 && phrases === 0 ? 1 : fitFactor(Math.max(text, phrases), false, (flags & FLAG_FEEDBACK) !== 0 ? 1 : 0);
          // Below the bar for good: the bar only rises and the ceilings only fall.
          if ((known + textWeight * text) * fitMost + 1e-4 < bar) stamp[row] = e;
          else consider(row);
        }
      }
    }
    return unlimited ? all.sort(compareResults) : top.items;
  }

  /**
   * Indexes (into `suppliers`) of the suppliers with a code in the same CPV group (or division, for a division-level
   * notice code) as one of the notice's codes, or a division-level code above one, each once: a superset of those
   * the scorer accepts on capability.
   */
  candidates(co: CompiledOpportunity): number[] {
    const out: number[] = [];
    const e = ++this.epoch;
    for (const row of this.deadRows) this.stamp[row] = e;
    const take = (p: Posting | undefined) => {
      if (!p) return;
      for (let k = p.start; k < p.end; k++) {
        const row = this.postingRows[k];
        if (this.stamp[row] !== e) {
          this.stamp[row] = e;
          out.push(this.supplierOfRow[row]);
        }
      }
    };
    for (const sig of co.sig) {
      if (sig.length <= 2) take(this.byPrefix.get(sig));
      else {
        take(this.byPrefix.get(sig.slice(0, 3)));
        take(this.byExact.get(sig.slice(0, 2)));
      }
    }
    if (!this.deadRows.length && !this.added.size) return out.sort((a, b) => a - b);
    // Changed in place: built positions become positions in `suppliers`, then the added ones follow.
    const at = this.position.bind(this);
    const mine = out.map((i) => at(this.built[i].profile.id)!);
    const more = this.added.size ? this.addedIndexNow().candidates(co).map((i) => this.built.length - this.deadRows.length + i) : [];
    return [...mine, ...more].sort((a, b) => a - b);
  }

  /** The suppliers it holds now: those built and still there, then those added or changed since. */
  get suppliers(): CompiledSupplier[] {
    if (!this.deadRows.length && !this.added.size) return this.built;
    return (this.current ??= [...this.built.filter((_, i) => this.dead[this.rowOf(i)] !== 1), ...this.addedIndexNow().built]);
  }

  get size(): number {
    return this.built.length - this.deadRows.length + this.added.size;
  }

  /** How many suppliers were added or changed in place since the build (a holder rebuilds when it grows). */
  get changedSince(): number {
    return this.added.size + this.deadRows.length;
  }

  /** Adds a supplier, or replaces the one of the same id, without rebuilding the index. */
  upsert(profile: SupplierProfile): void {
    this.dropBuilt(profile.id);
    this.added.set(profile.id, profile);
    this.changed();
  }

  /** Removes a supplier (nothing when it is not held), without rebuilding the index. */
  remove(supplierId: string): void {
    this.dropBuilt(supplierId);
    this.added.delete(supplierId);
    this.changed();
  }

  private dropBuilt(supplierId: string): void {
    this.rowOfId ??= new Map(this.table.ids.map((id, row) => [id, row]));
    const row = this.rowOfId.get(supplierId);
    if (row !== undefined && this.dead[row] !== 1) {
      this.dead[row] = 1;
      this.deadRows.push(row);
    }
  }

  private changed(): void {
    this.addedIndex = null;
    this.current = null;
    this.positions = null;
  }

  /** Row in the packed table of built supplier i. */
  private rowOf(i: number): number {
    this.rowOfId ??= new Map(this.table.ids.map((id, row) => [id, row]));
    return this.rowOfId.get(this.built[i].profile.id)!;
  }

  private addedIndexNow(): SupplierIndex {
    return (this.addedIndex ??= new SupplierIndex([...this.added.values()], this.vocab));
  }

  compile(opportunity: Opportunity, now: Date): CompiledOpportunity {
    // The added suppliers' words are in the vocabulary before the notice's are looked up.
    if (this.added.size) this.addedIndexNow();
    return compileOpportunity(opportunity, now, this.vocab);
  }

  /** The eligible suppliers for a tender or lot, best first. */
  match(opportunity: Opportunity | CompiledOpportunity, now: Date, settings: MatchSettings, options: RankOptions = {}): MatchResult[] {
    const co = 'opportunity' in opportunity ? opportunity : this.compile(opportunity, now);
    if (co.closed) return [];
    const kept = this.rankBounded(co, settings, options.limit ?? Number.POSITIVE_INFINITY, options.minScore ?? 0);
    const results = explainKept(co, this.table, kept, settings, options, this.vocab);
    if (!this.added.size) return results;
    // Both lists are exact over their own suppliers, which are apart: their merge is the exact list.
    const merged = [...results, ...this.addedIndexNow().match(co, now, settings, options)].sort(compareResults);
    return options.limit === undefined ? merged : merged.slice(0, options.limit);
  }

  /** The same ranking by the naive all-pairs scorer over this index's suppliers (tests compare the two). */
  matchAllPairs(opportunity: Opportunity | CompiledOpportunity, now: Date, settings: MatchSettings, options: RankOptions = {}): MatchResult[] {
    const co = 'opportunity' in opportunity ? opportunity : this.compile(opportunity, now);
    return rankAllPairs(co, this.suppliers, settings, options, this.vocab);
  }

  /** One supplier's result with its reasons (null when it is not in the index or cannot bid). */
  explain(co: CompiledOpportunity, supplierId: string, settings: MatchSettings, audience: Audience = 'supplier'): MatchResult | null {
    const i = this.position(supplierId);
    if (i === undefined) return null;
    const v = scoreCompiled(co, this.suppliers[i], settings, true, this.vocab, audience);
    return v.eligible ? stripVerdict(v) : null;
  }

  /** Where a supplier is in `suppliers`. */
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
  // Packed once into a table of its own, rather than into a reused row for every notice.
  fileSuppliers([cs]);
  const out: MatchResult[] = [];
  for (const o of opportunities) {
    const v = scoreCompiled(compileOpportunity(o, now, vocab), cs, settings, true, vocab);
    if (v.eligible && v.score >= minScore) out.push(stripVerdict(v));
  }
  return out.sort((a, b) => b.score - a.score || (a.ocid + a.lotId < b.ocid + b.lotId ? -1 : 1));
}
