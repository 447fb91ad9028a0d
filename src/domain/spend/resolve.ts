/**
 * Payee names to known suppliers. Sources, in order: the registered suppliers; suppliers named in stored award
 * notices (they carry postcodes, sizes and often Companies House numbers); the council's own supplier directory.
 *
 * Two passes: first an exact match (a Companies House number the line gives, else the normalised name or one of
 * its trading names) in each source in that order; only when none matches, a fuzzy match (fuse.js) in each source
 * in the same order. A near name in the registry does not beat the very name in the directory.
 *
 * Fuzzy matching looks only at the candidates that share the start of a telling word with the payee (blocking): fuse.js over
 * every candidate for each of tens of thousands of card merchants would take minutes.
 */
import Fuse from 'fuse.js';
import { normaliseName, tradingNames } from './payees.js';

export type SupplierSource = 'registry' | 'award' | 'directory';
export const SOURCE_ORDER: readonly SupplierSource[] = ['registry', 'award', 'directory'];

export interface SupplierCandidate {
  source: SupplierSource;
  /** Registry: supplier id; award: `ocid/award/party`; directory: its entry key. */
  ref: string;
  name: string;
  companyNumber: string | null;
  postcode: string | null;
  /** Registry suppliers: their home region (an ITL code, as deep as they gave it). */
  homeRegion: string | null;
  sme: boolean | null;
  vcse: boolean | null;
}

export type ResolutionMethod = 'exact' | 'company_number' | 'fuzzy';

export interface Resolution {
  candidate: SupplierCandidate;
  method: ResolutionMethod;
  /** 1 for exact matches; 1 − fuse.js score for fuzzy ones. */
  confidence: number;
}

/** Fuzzy matches below this confidence are not taken: the spend stays unresolved instead. */
export const MIN_FUZZY_CONFIDENCE = 0.8;

/** Words too common in supplier names to tell one from another. */
const COMMON = new Set([
  'and', 'the', 'of', 'uk', 'gb', 'group', 'services', 'service', 'solutions', 'company', 'co', 'ta', 'international',
  'holdings', 'enterprises', 'trading', 'systems', 'management', 'partnership', 'associates', 'council', 'city', 'county',
  'trust', 'centre', 'center', 'ltd', 'limited', 'plc', 'llp',
]);
/** A word held by more candidates than this blocks nothing. */
const MAX_WORD_FREQUENCY = 400;
const MAX_BLOCK = 300;

interface SourceIndex {
  candidates: SupplierCandidate[];
  keys: string[];
  byName: Map<string, number>;
  byCompanyNumber: Map<string, number>;
  byWord: Map<string, number[]>;
}

const telling = (key: string) => key.split(' ').filter((w) => w.length > 1 && !COMMON.has(w) && !/^\d+$/.test(w));
/** Blocking keys of a name: the first four letters of each telling word, so a typo later in a word still meets it. */
const blockKeys = (words: string[]) => [...new Set(words.map((w) => w.slice(0, 4)))];

function buildIndex(candidates: SupplierCandidate[]): SourceIndex {
  const index: SourceIndex = { candidates, keys: [], byName: new Map(), byCompanyNumber: new Map(), byWord: new Map() };
  candidates.forEach((c, i) => {
    const names = tradingNames(c.name);
    index.keys.push(names[0] ?? '');
    for (const n of names) if (n && !index.byName.has(n)) index.byName.set(n, i);
    if (c.companyNumber && !index.byCompanyNumber.has(c.companyNumber)) index.byCompanyNumber.set(c.companyNumber, i);
    for (const w of blockKeys(names.flatMap(telling))) {
      let list = index.byWord.get(w);
      if (!list) index.byWord.set(w, (list = []));
      list.push(i);
    }
  });
  return index;
}

export class SupplierResolver {
  private readonly indexes: Map<SupplierSource, SourceIndex>;

  constructor(candidates: SupplierCandidate[]) {
    this.indexes = new Map(SOURCE_ORDER.map((s) => [s, buildIndex(candidates.filter((c) => c.source === s))]));
  }

  size(source: SupplierSource): number {
    return this.indexes.get(source)!.candidates.length;
  }

  /** The exact match, else the best fuzzy one, else null. */
  resolve(payeeName: string, companyNumber: string | null = null): Resolution | null {
    return this.exact(payeeName, companyNumber) ?? this.fuzzy(payeeName);
  }

  exact(payeeName: string, companyNumber: string | null = null): Resolution | null {
    const names = tradingNames(payeeName);
    for (const source of SOURCE_ORDER) {
      const index = this.indexes.get(source)!;
      if (companyNumber) {
        const i = index.byCompanyNumber.get(companyNumber);
        if (i !== undefined) return { candidate: index.candidates[i], method: 'company_number', confidence: 1 };
      }
      for (const n of names) {
        const i = index.byName.get(n);
        if (i !== undefined) return { candidate: index.candidates[i], method: 'exact', confidence: 1 };
      }
    }
    return null;
  }

  fuzzy(payeeName: string): Resolution | null {
    const key = normaliseName(payeeName);
    const words = telling(key);
    if (!key || !words.length) return null;
    for (const source of SOURCE_ORDER) {
      const index = this.indexes.get(source)!;
      const block = blockOf(index, blockKeys(words));
      if (!block.length) continue;
      const fuse = new Fuse(
        block.map((i) => ({ i, key: index.keys[i] })),
        { keys: ['key'], includeScore: true, ignoreLocation: true, threshold: 1 - MIN_FUZZY_CONFIDENCE, shouldSort: true },
      );
      const best = fuse.search(key, { limit: 1 })[0];
      if (best && best.score !== undefined) {
        const confidence = Math.round((1 - best.score) * 1000) / 1000;
        if (confidence >= MIN_FUZZY_CONFIDENCE && sameLeadingWord(key, best.item.key)) {
          return { candidate: index.candidates[best.item.i], method: 'fuzzy', confidence };
        }
      }
    }
    return null;
  }
}

/** Candidates sharing the payee's telling words, those sharing most first. */
function blockOf(index: SourceIndex, words: string[]): number[] {
  const shared = new Map<number, number>();
  for (const w of words) {
    const list = index.byWord.get(w);
    if (!list || list.length > MAX_WORD_FREQUENCY) continue;
    for (const i of list) shared.set(i, (shared.get(i) ?? 0) + 1);
  }
  return [...shared.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, MAX_BLOCK)
    .map(([i]) => i);
}

/**
 * Near names of different firms often differ only in their first word (`Oxford Glass` / `Banbury Glass`): a fuzzy
 * match must agree on it, give or take a typo.
 */
function sameLeadingWord(a: string, b: string): boolean {
  const x = a.split(' ')[0];
  const y = b.split(' ')[0];
  if (x === y) return true;
  if (Math.min(x.length, y.length) < 4) return false;
  return editDistanceAtMostOne(x, y);
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
