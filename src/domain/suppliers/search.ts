/**
 * The officers' search of the supplier registry: free text ("electrical inspection", "grounds maintenance", typos
 * included) and filters (kind, high-potential flag, CPV codes, places, size, certification), ranked and paged.
 *
 * Built once for a registry held in memory, it answers with work proportional to what it finds, not to the
 * registry's size:
 * - every supplier's words (the matcher's words: lower case, plurals folded, boilerplate dropped) are filed in an
 *   inverted index with the weight of the field they are in (name and keywords 2, description and certifications 1);
 * - a query word is widened to the registry words that look like it through a trigram index of the vocabulary and a
 *   bounded edit distance (a few hundred candidates checked, whatever the vocabulary's size), each with a closeness
 *   in (0, 1]; a supplier must hold every query word or a look-alike, and its relevance is the weighted closeness of
 *   its best look-alike for each;
 * - kinds, the high-potential flag, CPV codes (by significant prefix, either way round) and places (ITL codes, either
 *   way round) have posting lists too, so a filter alone starts from its own suppliers; size and certification are
 *   checked on those;
 * - the order (relevance, then high-potential firms first when boosted, then name) is a number per supplier, with
 *   names ranked once at build, so a page is a numeric sort of the matches and the next page starts from a cursor.
 */
import { cpvSignificant } from '../cpv/index.js';
import { words } from '../matching/text.js';

export interface SearchableSupplier {
  id: string;
  name: string;
  description: string | null;
  keywords: string[];
  certifications: string[];
  kind?: string;
  highPotential?: boolean;
  /** CPV codes as registered. */
  cpv?: string[];
  /** Home region and the places it serves (ITL codes). */
  areas?: string[];
  maxContractValue?: number | null;
}

export interface SupplierQuery {
  text?: string;
  kind?: string;
  highPotential?: boolean;
  /** Significant CPV prefixes: a supplier matches when one of its codes lies under one, or above it. */
  cpv?: string[];
  /** ITL codes: a supplier matches when its home or a place it serves lies within one, or contains it ('TL': all). */
  regions?: string[];
  /** Can deliver a contract of this value alone; an unstated capacity rules nobody out. */
  minValue?: number;
  /** Letters and digits of a certification ("iso9001" finds "ISO 9001:2015"). */
  certification?: string;
  /** High-potential firms first (among equal relevance). */
  boostHighPotential?: boolean;
  /** A last check on each supplier the indexed filters found (its position in the registry), e.g. how it stands to a place. */
  where?: (doc: number) => boolean;
}

/** Where a page ended: the last supplier's place in the order. */
export interface SearchCursor {
  relevance: number | null;
  highPotential: boolean;
  name: string;
  id: string;
}

export interface SearchPage {
  total: number;
  /** doc: the supplier's position in the list the search was built from. */
  hits: Array<{ doc: number; id: string; relevance: number | null }>;
  next: SearchCursor | null;
}

const FIELD_WEIGHTS = { name: 2, keywords: 2, description: 1, certifications: 1 } as const;
const TOP_WEIGHT = 2;
/** Query words this short are taken exactly: fuzzy three-letter words match too much. */
const FUZZY_FROM = 4;
/** Look-alikes kept per query word, the closest first. */
const LOOK_ALIKES = 20;
/** Edits allowed between a query word and a look-alike: about one in four letters. */
const maxEdits = (length: number) => Math.max(1, Math.floor(length / 4));
const RANK_BITS = 2 ** 21;
/**
 * Names in alphabetical order by a folded key (accents dropped, lower case) compared code point by code point:
 * as a reader sorts them, and a hundred times cheaper than a locale's collation over a registry of 100,000.
 */
export function nameKey(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Lower case letters and digits only: "ISO 9001:2015" and "iso9001" compare as the same certification. */
export function squashCertification(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function trigrams(word: string): string[] {
  const padded = `^${word}$`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return [...new Set(out)];
}

/** Levenshtein distance of a and b if at most `bound`, else bound + 1 (a band of width 2·bound + 1). */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - bound);
    const to = Math.min(b.length, i + bound);
    cur[0] = i;
    if (from > 1) cur[from - 1] = bound + 1;
    let best = bound + 1;
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j - 1] + cost, (j - 1 >= from - 1 ? cur[j - 1] : bound + 1) + 1, (j <= i - 1 + bound ? prev[j] : bound + 1) + 1);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (to < b.length) cur[to + 1] = bound + 1;
    if (best > bound) return bound + 1;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[b.length], bound + 1);
}

/** Docs sorted ascending, with a weight each. */
interface Postings {
  docs: Int32Array;
  weights: Uint8Array;
}

function freeze(lists: Map<string, number[]>): Map<string, Postings> {
  const out = new Map<string, Postings>();
  for (const [key, packed] of lists) {
    const docs = new Int32Array(packed.length);
    const weights = new Uint8Array(packed.length);
    for (let i = 0; i < packed.length; i++) {
      docs[i] = packed[i] >> 2;
      weights[i] = packed[i] & 3;
    }
    out.set(key, { docs, weights });
  }
  return out;
}

function freezeSets(lists: Map<string, number[]>): Map<string, Int32Array> {
  const out = new Map<string, Int32Array>();
  for (const [key, docs] of lists) out.set(key, Int32Array.from(new Set(docs)).sort());
  return out;
}

const add = (lists: Map<string, number[]>, key: string, doc: number) => {
  const list = lists.get(key);
  if (list) list.push(doc);
  else lists.set(key, [doc]);
};

export class SupplierSearch {
  private readonly ids: string[];
  private readonly names: string[];
  private readonly keys: string[];
  private readonly postings: Map<string, Postings>;
  private readonly grams = new Map<string, string[]>();
  private readonly kinds: Map<string, Int32Array>;
  private readonly flagged: Int32Array;
  private readonly hp: Uint8Array;
  /** CPV: suppliers with a code under each prefix, and with exactly each significant code. */
  private readonly cpvUnder: Map<string, Int32Array>;
  private readonly cpvExact: Map<string, Int32Array>;
  private readonly areaUnder: Map<string, Int32Array>;
  private readonly areaExact: Map<string, Int32Array>;
  private readonly cpv: string[][];
  private readonly areas: string[][];
  private readonly maxValue: Float64Array;
  private readonly certifications: string[][];
  private readonly certificationDocs: Map<string, Int32Array>;
  private readonly kindOf: string[];
  /** Docs in name order, and each doc's place in it. */
  private readonly byName: Int32Array;
  private readonly nameRank: Uint32Array;
  /** Docs with high-potential firms first, each group in name order. */
  private readonly boostedOrder: Int32Array;
  /** Scratch for one query at a time (stamped, so that nothing is cleared between queries). */
  private readonly score: Float64Array;
  private readonly stamp: Uint32Array;
  private readonly total: Float64Array;
  private readonly member: Uint32Array;
  private readonly relevance: Float64Array;
  private generation = 0;
  /**
   * Changes made in place since the build (upsert, remove): the built suppliers removed or replaced are passed over
   * (`dead`), and those added or changed since are held in a small search of their own, rebuilt when next asked after
   * a change, with their docs as the caller numbered them. A query asks both, with look-alike words taken from both
   * vocabularies as one, and merges the two in the one order, so the answer is that of a search built afresh.
   */
  private readonly dead: Uint8Array;
  private deadCount = 0;
  private docOfId: Map<string, number> | null = null;
  private readonly added = new Map<string, { doc: number; supplier: SearchableSupplier }>();
  private addedSearch: { search: SupplierSearch; docs: number[] } | null = null;

  constructor(suppliers: SearchableSupplier[]) {
    const n = suppliers.length;
    this.ids = suppliers.map((s) => s.id);
    this.names = suppliers.map((s) => s.name);
    const words_ = new Map<string, number[]>();
    const kinds = new Map<string, number[]>();
    const cpvUnder = new Map<string, number[]>();
    const cpvExact = new Map<string, number[]>();
    const areaUnder = new Map<string, number[]>();
    const areaExact = new Map<string, number[]>();
    const certificationDocs = new Map<string, number[]>();
    const flagged: number[] = [];
    this.hp = new Uint8Array(n);
    this.maxValue = new Float64Array(n);
    this.cpv = [];
    this.areas = [];
    this.certifications = [];
    this.kindOf = [];
    suppliers.forEach((s, doc) => {
      const fields: Array<[number, string[]]> = [
        [FIELD_WEIGHTS.name, [s.name]],
        [FIELD_WEIGHTS.keywords, s.keywords],
        [FIELD_WEIGHTS.description, s.description ? [s.description] : []],
        [FIELD_WEIGHTS.certifications, s.certifications],
      ];
      for (const [weight, texts] of fields) {
        for (const text of texts) {
          for (const w of words(text)) {
            // doc·4 + weight, docs in increasing order: a word met again in the same supplier keeps its best weight.
            const list = words_.get(w);
            if (!list) words_.set(w, [doc * 4 + weight]);
            else {
              const last = list[list.length - 1];
              if (last >> 2 !== doc) list.push(doc * 4 + weight);
              else if ((last & 3) < weight) list[list.length - 1] = doc * 4 + weight;
            }
          }
        }
      }
      this.kindOf.push(s.kind ?? '');
      if (s.kind) add(kinds, s.kind, doc);
      if (s.highPotential) {
        this.hp[doc] = 1;
        flagged.push(doc);
      }
      const sig = [...new Set((s.cpv ?? []).map(cpvSignificant))];
      this.cpv.push(sig);
      for (const code of sig) {
        add(cpvExact, code, doc);
        for (let len = 2; len <= code.length; len++) add(cpvUnder, code.slice(0, len), doc);
      }
      const areas = [...new Set((s.areas ?? []).filter(Boolean))];
      this.areas.push(areas);
      for (const area of areas) {
        add(areaExact, area, doc);
        for (let len = 2; len <= area.length; len++) add(areaUnder, area.slice(0, len), doc);
      }
      this.maxValue[doc] = s.maxContractValue ?? Number.NaN;
      const certs = [...new Set(s.certifications.map(squashCertification).filter(Boolean))];
      this.certifications.push(certs);
      for (const c of certs) add(certificationDocs, c, doc);
    });
    this.postings = freeze(words_);
    for (const word of this.postings.keys()) {
      if (word.length < FUZZY_FROM - 1) continue;
      for (const g of trigrams(word)) {
        const list = this.grams.get(g);
        if (list) list.push(word);
        else this.grams.set(g, [word]);
      }
    }
    this.kinds = freezeSets(kinds);
    this.flagged = Int32Array.from(flagged);
    this.cpvUnder = freezeSets(cpvUnder);
    this.cpvExact = freezeSets(cpvExact);
    this.areaUnder = freezeSets(areaUnder);
    this.areaExact = freezeSets(areaExact);
    this.certificationDocs = freezeSets(certificationDocs);
    const order = Array.from({ length: n }, (_, i) => i);
    this.keys = this.names.map(nameKey);
    order.sort((a, b) => byText(this.keys[a], this.keys[b]) || byText(this.names[a], this.names[b]) || byText(this.ids[a], this.ids[b]));
    this.byName = Int32Array.from(order);
    this.nameRank = new Uint32Array(n);
    order.forEach((doc, rank) => (this.nameRank[doc] = rank));
    this.boostedOrder = Int32Array.from([...order.filter((d) => this.hp[d] === 1), ...order.filter((d) => this.hp[d] !== 1)]);
    this.score = new Float64Array(n);
    this.stamp = new Uint32Array(n);
    this.total = new Float64Array(n);
    this.member = new Uint32Array(n);
    this.relevance = new Float64Array(n);
    this.dead = new Uint8Array(n);
  }

  get size(): number {
    return this.ids.length - this.deadCount + this.added.size;
  }

  /** How many suppliers were added, changed or removed in place since the build (a holder rebuilds when it grows). */
  get changedSince(): number {
    return this.deadCount + this.added.size;
  }

  /**
   * Adds a supplier, or replaces the one of the same id, without rebuilding: its hits carry `doc`, which must be a
   * number the built suppliers (0 to their count less one) and the other added ones do not use.
   */
  upsert(doc: number, supplier: SearchableSupplier): void {
    this.dropBuilt(supplier.id);
    this.added.set(supplier.id, { doc, supplier });
    this.addedSearch = null;
  }

  /** Removes a supplier (nothing when it is not held), without rebuilding. */
  remove(supplierId: string): void {
    this.dropBuilt(supplierId);
    if (this.added.delete(supplierId)) this.addedSearch = null;
  }

  private dropBuilt(id: string): void {
    this.docOfId ??= new Map(this.ids.map((x, doc) => [x, doc]));
    const doc = this.docOfId.get(id);
    if (doc !== undefined && this.dead[doc] !== 1) {
      this.dead[doc] = 1;
      this.deadCount++;
    }
  }

  private addedNow(): { search: SupplierSearch; docs: number[] } {
    if (!this.addedSearch) {
      const list = [...this.added.values()];
      this.addedSearch = { search: new SupplierSearch(list.map((a) => a.supplier)), docs: list.map((a) => a.doc) };
    }
    return this.addedSearch;
  }

  private get changed(): boolean {
    return this.deadCount > 0 || this.added.size > 0;
  }

  /** Distinct words in the registry's index. */
  get vocabularySize(): number {
    return this.postings.size;
  }

  /** The words of a query that can be searched for (none when it is all boilerplate). */
  static queryWords(text: string): string[] {
    return words(text);
  }

  /** Relevance in (0, 1] of every supplier that holds each query word or a look-alike; suppliers by id. */
  search(text: string): Map<string, number> {
    const out = new Map<string, number>();
    const alikes = this.changed ? this.alikesAcross() : undefined;
    const found = this.textMatches(text, alikes);
    if (found) for (const doc of found.docs) if (this.dead[doc] !== 1) out.set(this.ids[doc], found.relevance[doc]);
    if (this.added.size) for (const [id, r] of this.addedNow().search.ownSearch(text, alikes)) out.set(id, r);
    return out;
  }

  private ownSearch(text: string, alikes?: (q: string) => Array<[string, number]>): Map<string, number> {
    const out = new Map<string, number>();
    const found = this.textMatches(text, alikes);
    if (found) for (const doc of found.docs) out.set(this.ids[doc], found.relevance[doc]);
    return out;
  }

  /** Look-alikes of a query word over this search's words and those of its added suppliers, as one vocabulary. */
  private alikesAcross(): (q: string) => Array<[string, number]> {
    const parts: SupplierSearch[] = this.added.size ? [this, this.addedNow().search] : [this];
    return (q) => lookAlikesOver(q, parts);
  }

  /** Whether a word of this search's vocabulary is still held by a supplier that was not removed. */
  private holds(word: string): boolean {
    const list = this.postings.get(word);
    if (!list) return false;
    if (!this.deadCount) return true;
    for (const doc of list.docs) if (this.dead[doc] !== 1) return true;
    return false;
  }

  /** One page of the suppliers matching every part of the query, in the order described above. */
  find(query: SupplierQuery, page: { limit: number; offset?: number; after?: SearchCursor }): SearchPage {
    if (!this.changed) return this.findOwn(query, page);
    const alikes = this.alikesAcross();
    const offset = page.after ? 0 : (page.offset ?? 0);
    const sub = page.after ? { limit: page.limit, after: page.after } : { limit: offset + page.limit, offset: 0 };
    const own = this.findOwn(query, sub, alikes);
    type Hit = { doc: number; id: string; relevance: number | null; hp: boolean; name: string; key: string };
    const hits: Hit[] = own.hits.map((h) => ({ ...h, hp: this.hp[h.doc] === 1, name: this.names[h.doc], key: this.keys[h.doc] }));
    let more = own.next !== null;
    let total = own.total;
    if (this.added.size) {
      const { search: other, docs } = this.addedNow();
      const where = query.where;
      const theirs = other.findOwn(where ? { ...query, where: (k) => where(docs[k]) } : query, sub, alikes);
      for (const h of theirs.hits) hits.push({ doc: docs[h.doc], id: h.id, relevance: h.relevance, hp: other.hp[h.doc] === 1, name: other.names[h.doc], key: other.keys[h.doc] });
      more ||= theirs.next !== null;
      total += theirs.total;
    }
    const boost = query.boostHighPotential ?? false;
    const rel = (r: number | null) => (r === null ? 0 : 1000 - Math.round(r * 1000));
    hits.sort(
      (a, b) =>
        rel(a.relevance) - rel(b.relevance) ||
        Number(boost && !a.hp) - Number(boost && !b.hp) ||
        byText(a.key, b.key) ||
        byText(a.name, b.name) ||
        byText(a.id, b.id),
    );
    const shown = hits.slice(offset, offset + page.limit);
    more = page.after ? more || hits.length > page.limit : offset + page.limit < total;
    const last = shown[shown.length - 1];
    return {
      total,
      hits: shown.map(({ doc, id, relevance }) => ({ doc, id, relevance })),
      next: more && last ? { relevance: last.relevance, highPotential: last.hp, name: last.name, id: last.id } : null,
    };
  }

  private findOwn(query: SupplierQuery, page: { limit: number; offset?: number; after?: SearchCursor }, alikes?: (q: string) => Array<[string, number]>): SearchPage {
    const text = query.text?.trim() ? this.textMatches(query.text, alikes) : null;
    let candidates: Iterable<number>;
    if (text) candidates = text.docs;
    else {
      const start = this.smallestFilter(query);
      if (start === null) return this.everyone(query, page);
      candidates = start;
    }
    const boost = query.boostHighPotential ?? false;
    const keys: number[] = [];
    for (const doc of candidates) {
      if (!this.passes(doc, query)) continue;
      keys.push(this.keyOf(text ? text.relevance[doc] : null, boost && this.hp[doc] === 1, this.nameRank[doc]));
    }
    const sorted = Float64Array.from(keys).sort();
    let from = 0;
    if (page.after) {
      const bound = this.keyOf(page.after.relevance, boost && page.after.highPotential, this.rankAfter(page.after));
      while (from < sorted.length && sorted[from] <= bound) from++;
    } else from = Math.min(page.offset ?? 0, sorted.length);
    const slice = sorted.subarray(from, from + page.limit);
    const hits = Array.from(slice, (key) => {
      const doc = this.byName[key % RANK_BITS];
      return { doc, id: this.ids[doc], relevance: text ? text.relevance[doc] : null };
    });
    const last = hits[hits.length - 1];
    const more = from + page.limit < sorted.length;
    return {
      total: sorted.length,
      hits,
      next: more && last ? { relevance: last.relevance, highPotential: this.hp[last.doc] === 1, name: this.names[last.doc], id: last.id } : null,
    };
  }

  /** The order as one number: lower first. Relevance (3 decimals) highest first, then the boost, then the name. */
  private keyOf(relevance: number | null, boosted: boolean, rank: number): number {
    const rel = relevance === null ? 0 : 1000 - Math.round(relevance * 1000);
    return (rel * 2 + (boosted ? 0 : 1)) * RANK_BITS + rank;
  }

  /** The name rank just at or after a cursor's supplier (found by name: it may have left the registry since). */
  private rankAfter(c: SearchCursor): number {
    const key = nameKey(c.name);
    let lo = 0;
    let hi = this.byName.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const doc = this.byName[mid];
      const cmp = byText(this.keys[doc], key) || byText(this.names[doc], c.name) || byText(this.ids[doc], c.id);
      if (cmp <= 0) lo = mid + 1;
      else hi = mid;
    }
    // lo is the first rank after the cursor; keys up to lo - 1 were on earlier pages.
    return lo - 1;
  }

  /**
   * No text and no indexed filter: the suppliers in their order (high-potential firms first when boosted), read from
   * the cursor on; size or a false high-potential flag are checked one by one, and counted over all.
   */
  private everyone(query: SupplierQuery, page: { limit: number; offset?: number; after?: SearchCursor }): SearchPage {
    const boost = query.boostHighPotential ?? false;
    const order = boost ? this.boostedOrder : this.byName;
    const keyAt = (i: number) => this.keyOf(null, boost && this.hp[order[i]] === 1, this.nameRank[order[i]]);
    let from = page.offset ?? 0;
    if (page.after) {
      const bound = this.keyOf(null, boost && page.after.highPotential, this.rankAfter(page.after));
      let lo = 0;
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keyAt(mid) <= bound) lo = mid + 1;
        else hi = mid;
      }
      from = lo;
    }
    const checked = query.minValue !== undefined || query.highPotential !== undefined || query.where !== undefined || this.deadCount > 0;
    const picked: number[] = [];
    let total = 0;
    if (!checked) {
      total = order.length;
      for (let i = from; i < Math.min(order.length, from + page.limit + 1); i++) picked.push(order[i]);
    } else {
      let skip = page.after ? 0 : from;
      for (let i = 0; i < order.length; i++) {
        const doc = order[i];
        if (!this.passes(doc, query)) continue;
        total++;
        if (page.after && i < from) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        if (picked.length <= page.limit) picked.push(doc);
      }
    }
    const hits = picked.slice(0, page.limit).map((doc) => ({ doc, id: this.ids[doc], relevance: null }));
    const last = hits[hits.length - 1];
    return {
      total,
      hits,
      next: picked.length > page.limit && last ? { relevance: null, highPotential: this.hp[last.doc] === 1, name: this.names[last.doc], id: last.id } : null,
    };
  }

  private passes(doc: number, q: SupplierQuery): boolean {
    if (this.dead[doc] === 1) return false;
    if (q.kind && this.kindOf[doc] !== q.kind) return false;
    if (q.highPotential !== undefined && (this.hp[doc] === 1) !== q.highPotential) return false;
    if (q.cpv?.length) {
      const own = this.cpv[doc];
      if (!q.cpv.some((want) => own.some((s) => s.startsWith(want) || want.startsWith(s)))) return false;
    }
    if (q.regions?.length && !q.regions.includes('TL')) {
      const areas = this.areas[doc];
      if (!q.regions.some((reg) => areas.some((a) => a.startsWith(reg) || reg.startsWith(a)))) return false;
    }
    const max = this.maxValue[doc];
    if (q.minValue !== undefined && !Number.isNaN(max) && max < q.minValue) return false;
    if (q.certification && !this.certifications[doc].some((held) => held.includes(q.certification!))) return false;
    if (q.where && !q.where(doc)) return false;
    return true;
  }

  /**
   * The suppliers of the most selective indexed filter (null when the query has none): the union of the posting
   * lists that can satisfy it, each supplier once.
   */
  private smallestFilter(q: SupplierQuery): Iterable<number> | null {
    const options: Int32Array[][] = [];
    if (q.kind) options.push([this.kinds.get(q.kind) ?? new Int32Array()]);
    if (q.highPotential === true) options.push([this.flagged]);
    if (q.cpv?.length) options.push(q.cpv.flatMap((want) => this.eitherWay(want, this.cpvUnder, this.cpvExact)));
    if (q.regions?.length && !q.regions.includes('TL')) options.push(q.regions.flatMap((reg) => this.eitherWay(reg, this.areaUnder, this.areaExact)));
    if (q.certification) options.push([...this.certificationDocs].filter(([held]) => held.includes(q.certification!)).map(([, docs]) => docs));
    if (!options.length) return null;
    const size = (lists: Int32Array[]) => lists.reduce((n, l) => n + l.length, 0);
    const best = options.reduce((a, b) => (size(b) < size(a) ? b : a));
    const gen = this.nextGeneration();
    const out: number[] = [];
    for (const list of best) {
      for (const doc of list) {
        if (this.stamp[doc] === gen) continue;
        this.stamp[doc] = gen;
        out.push(doc);
      }
    }
    return out;
  }

  /** Suppliers with a code under `code`, and those with exactly one of its ancestors (a wider code). */
  private eitherWay(code: string, under: Map<string, Int32Array>, exact: Map<string, Int32Array>): Int32Array[] {
    const out: Int32Array[] = [];
    const below = under.get(code);
    if (below) out.push(below);
    for (let len = 2; len < code.length; len++) {
      const above = exact.get(code.slice(0, len));
      if (above) out.push(above);
    }
    return out;
  }

  private nextGeneration(): number {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamp.fill(0);
      this.member.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }

  /**
   * The suppliers holding every query word or a look-alike, with their relevance (in `this.relevance`, by doc, valid
   * until the next query); null when nothing can be searched. Each word's postings are read once; after the rarest
   * word only the suppliers still in the running are kept.
   */
  private textMatches(text: string, alikesOf?: (q: string) => Array<[string, number]>): { docs: number[]; relevance: Float64Array } | null {
    const query = SupplierSearch.queryWords(text);
    if (!query.length) return null;
    // Look-alikes from a wider vocabulary (this search's and its added suppliers') may hold words this one lacks.
    const perWord = query.map((q) => (alikesOf ? alikesOf(q) : this.lookAlikes(q)).filter(([w]) => this.postings.has(w)));
    const order = perWord.map((alikes, i) => ({ i, size: alikes.reduce((n, [w]) => n + this.postings.get(w)!.docs.length, 0) })).sort((a, b) => a.size - b.size);
    let running = 0; // generation marking the suppliers holding every word so far (0: none read yet)
    let docs: number[] = [];
    for (const { i } of order) {
      const gen = this.nextGeneration();
      const touched: number[] = [];
      for (const [word, closeness] of perWord[i]) {
        const { docs: list, weights } = this.postings.get(word)!;
        for (let k = 0; k < list.length; k++) {
          const doc = list[k];
          if (running && this.member[doc] !== running) continue;
          const s = (closeness * weights[k]) / TOP_WEIGHT;
          if (this.stamp[doc] !== gen) {
            this.stamp[doc] = gen;
            this.score[doc] = s;
            touched.push(doc);
          } else if (s > this.score[doc]) this.score[doc] = s;
        }
      }
      for (const doc of touched) {
        this.total[doc] = (running ? this.total[doc] : 0) + this.score[doc];
        this.member[doc] = gen;
      }
      running = gen;
      docs = touched;
      if (!docs.length) break;
    }
    for (const doc of docs) this.relevance[doc] = Math.round((this.total[doc] / query.length) * 1000) / 1000;
    return { docs, relevance: this.relevance };
  }

  /** Registry words like `q`, each with its closeness in (0, 1] (1 = the word itself), the closest first. */
  private lookAlikes(q: string): Array<[string, number]> {
    return lookAlikesOver(q, [this]);
  }

  /** Words of this search's vocabulary sharing each count of trigrams with `grams`. */
  sharedGrams(grams: string[], into: Map<string, number>): void {
    const mine = new Map<string, number>();
    for (const g of grams) for (const w of this.grams.get(g) ?? []) mine.set(w, (mine.get(w) ?? 0) + 1);
    // A word in two vocabularies has the same trigrams in both: counted once.
    for (const [w, n] of mine) if (this.holds(w)) into.set(w, Math.max(into.get(w) ?? 0, n));
  }

  /** Whether the word is in this search's vocabulary, held by a supplier still there. */
  hasWord(word: string): boolean {
    return this.holds(word);
  }
}

/**
 * Words like `q` in the vocabulary of these searches taken as one, each with its closeness in (0, 1] (1 = the word
 * itself), the closest first: a bounded number of candidates found through trigrams, checked by edit distance.
 */
function lookAlikesOver(q: string, searches: SupplierSearch[]): Array<[string, number]> {
  const exact: Array<[string, number]> = searches.some((s) => s.hasWord(q)) ? [[q, 1]] : [];
  if (q.length < FUZZY_FROM) return exact;
  const bound = maxEdits(q.length);
  const grams = trigrams(q);
  // A word within `bound` edits shares all but 3·bound of the query's trigrams; a word the query begins shares
  // every trigram of the query but its last.
  const need = Math.max(1, Math.min(grams.length - 3 * bound, grams.length - 1));
  const shared = new Map<string, number>();
  for (const s of searches) s.sharedGrams(grams, shared);
  const found: Array<[string, number]> = [];
  for (const [w, count] of shared) {
    if (count < need || w === q) continue;
    const d = editDistance(q, w, bound);
    if (d <= bound) found.push([w, Math.max(0.01, 1 - d / Math.max(q.length, w.length))]);
    else if (w.startsWith(q)) found.push([w, Math.max(0.01, (q.length / w.length) * 0.9)]);
  }
  found.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return [...exact, ...found.slice(0, LOOK_ALIKES)];
}
