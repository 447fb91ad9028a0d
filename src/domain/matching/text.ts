/**
 * Words for capability matching: lower case, split on anything not a letter or digit (which also
 * breaks published mojibake such as `â€™` apart), plural endings folded, and common English and
 * procurement boilerplate dropped so that "services", "provision" or "council" never make a match.
 *
 * Not the tagger's tokeniser (src/domain/tagging/text.ts), on purpose: the matcher compares a firm's own words with
 * a notice's and quotes the shared ones in its reasons, so it folds plurals only ("printer" stays apart from
 * "print", "catering" from "cater"); the tagger strips suffixes as well, because its classifier pools the rare
 * forms of a word over a few thousand training notices. Changing either changes what the other's scores mean.
 */
const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by for from has have in into is it its of on or our that the their this to ' +
    'was were will with within without we you your they them which who whom whose what when where all any each other ' +
    'such than then there these those under over up out per via also may must can shall should would could not no ' +
    'service services provision provide provider providers providing supply supplies supplier suppliers contract ' +
    'contracts contractor tender tenders tendering procurement framework lot lots council authority requirement ' +
    'requirements required require including include includes work works project projects support delivery deliver ' +
    'new year years month months uk nhs ltd limited company opportunity notice award awarded call off dps ' +
    'dynamic purchasing system agreement various general related associated accordance please see document documents ' +
    'value period date start end additional information details following one two three'
  ).split(' '),
);

export function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) {
    return word.slice(0, -1);
  }
  return word;
}

/**
 * Calls `visit` with each raw word of a text (lower case, split on anything not a letter or digit, three
 * characters or more, at least one letter), in order: one pass over the characters rather than a
 * regular-expression split, since this runs for every supplier and notice.
 */
function forEachRawWord(text: string, visit: (raw: string) => void): void {
  const lower = text.toLowerCase();
  let start = -1;
  let letters = false;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    const isLetter = c >= 97 && c <= 122;
    if (isLetter || (c >= 48 && c <= 57)) {
      if (start < 0) {
        start = i;
        letters = false;
      }
      if (isLetter) letters = true;
      continue;
    }
    if (start >= 0) {
      if (i - start >= 3 && letters) visit(lower.slice(start, i));
      start = -1;
    }
  }
}

/** The stem of a raw word, or null when it is boilerplate (a stopword before or after stemming). */
function meaningful(raw: string): string | null {
  const w = stem(raw);
  return STOPWORDS.has(w) || STOPWORDS.has(raw) ? null : w;
}

/** The distinct meaningful words of a text, stemmed, in first-seen order. */
export function words(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  forEachRawWord(text, (raw) => {
    const w = meaningful(raw);
    if (w !== null && !seen.has(w)) {
      seen.add(w);
      out.push(w);
    }
  });
  return out;
}

/** Maps words to small integers so that word sets can be intersected as sorted arrays. */
export class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly list: string[] = [];
  /** Each raw word (lower case, as it stands in a text) seen so far: its word's id, or -1 for a stopword. */
  private readonly raw = new Map<string, number>();
  /** Per id, the call of idsOf that last took it: de-duplicates without a set per text. */
  private taken = new Int32Array(1024);
  private call = 0;

  id(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(word, id);
      this.list.push(word);
    }
    return id;
  }

  word(id: number): string {
    return this.list[id];
  }

  /**
   * The sorted, distinct ids of the meaningful words of some texts: the ids of `words()` of each, in one pass
   * over the characters. A raw word is stemmed and checked against the stopwords once for the vocabulary's
   * life, not once per text (a hundred thousand supplier descriptions share most of their words).
   */
  idsOf(texts: Array<string | null | undefined>): number[] {
    const out: number[] = [];
    const call = ++this.call;
    for (const text of texts) {
      if (!text) continue;
      forEachRawWord(text, (raw) => {
        let id = this.raw.get(raw);
        if (id === undefined) {
          const w = meaningful(raw);
          id = w === null ? -1 : this.id(w);
          this.raw.set(raw, id);
        }
        if (id < 0) return;
        if (id >= this.taken.length) {
          const grown = new Int32Array(Math.max(this.taken.length * 2, id + 1));
          grown.set(this.taken);
          this.taken = grown;
        }
        if (this.taken[id] !== call) {
          this.taken[id] = call;
          out.push(id);
        }
      });
    }
    return out.sort((a, b) => a - b);
  }

  /** Sorted, distinct ids of the words of `text`. */
  encode(allWords: string[]): Int32Array {
    const ids = new Int32Array(allWords.length);
    for (let i = 0; i < allWords.length; i++) ids[i] = this.id(allWords[i]);
    ids.sort();
    return ids;
  }
}

/** Size of the intersection of two sorted id arrays. */
export function overlap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

export function sharedIds(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]);
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out;
}
