/**
 * Free-text search of the supplier registry for officers: "electrical inspection", "grounds maintenance",
 * "cyber essentials", typos included.
 *
 * Every supplier's words (the matcher's words: lower case, plurals folded, boilerplate dropped) are filed in an
 * inverted index, each with the weight of the field it is in (name and keywords 2, description and
 * certifications 1). A query word is widened to the registry words that look like it (fuse.js over the
 * vocabulary, a few tens of thousands of short strings, not over a hundred thousand profiles); a supplier must
 * hold every query word, or a look-alike, and its relevance is the weighted closeness of its best look-alike for
 * each, in (0, 1].
 */
import Fuse from 'fuse.js';
import { words } from '../matching/text.js';

export interface SearchableSupplier {
  id: string;
  name: string;
  description: string | null;
  keywords: string[];
  certifications: string[];
}

const FIELD_WEIGHTS = { name: 2, keywords: 2, description: 1, certifications: 1 } as const;
const TOP_WEIGHT = 2;
/** How far a registry word may be from a query word (fuse.js threshold: 0 exact, 1 anything). */
const LOOK_ALIKE = 0.3;
/** Query words this short are taken exactly: fuzzy three-letter words match too much. */
const FUZZY_FROM = 4;

export class SupplierSearch {
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly ids: string[];
  private vocabulary: Fuse<string> | null = null;

  constructor(suppliers: SearchableSupplier[]) {
    this.ids = suppliers.map((s) => s.id);
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
            let docs = this.postings.get(w);
            if (!docs) this.postings.set(w, (docs = new Map()));
            if ((docs.get(doc) ?? 0) < weight) docs.set(doc, weight);
          }
        }
      }
    });
  }

  /** The words of a query that can be searched for (none when it is all boilerplate). */
  static queryWords(text: string): string[] {
    return words(text);
  }

  /** Relevance in (0, 1] of every supplier that holds each query word or a look-alike; suppliers by id. */
  search(text: string): Map<string, number> {
    const query = SupplierSearch.queryWords(text);
    let scores: Map<number, number> | null = null;
    for (const q of query) {
      const best = new Map<number, number>();
      for (const [word, closeness] of this.lookAlikes(q)) {
        for (const [doc, weight] of this.postings.get(word)!) {
          const s = (closeness * weight) / TOP_WEIGHT;
          if (s > (best.get(doc) ?? 0)) best.set(doc, s);
        }
      }
      // Every word must match: keep the suppliers found so far that hold this one too.
      const next = new Map<number, number>();
      for (const [doc, s] of best) {
        if (scores === null) next.set(doc, s);
        else if (scores.has(doc)) next.set(doc, scores.get(doc)! + s);
      }
      scores = next;
      if (!scores.size) break;
    }
    const out = new Map<string, number>();
    for (const [doc, s] of scores ?? []) out.set(this.ids[doc], Math.round((s / query.length) * 1000) / 1000);
    return out;
  }

  /** Registry words like `q`, each with its closeness in (0, 1] (1 = the word itself). */
  private lookAlikes(q: string): Array<[string, number]> {
    const out: Array<[string, number]> = this.postings.has(q) ? [[q, 1]] : [];
    if (q.length < FUZZY_FROM) return out;
    this.vocabulary ??= new Fuse([...this.postings.keys()], { threshold: LOOK_ALIKE, includeScore: true });
    for (const r of this.vocabulary.search(q, { limit: 20 })) {
      if (r.item !== q) out.push([r.item, Math.max(0.01, 1 - (r.score ?? 1))]);
    }
    return out;
  }
}
