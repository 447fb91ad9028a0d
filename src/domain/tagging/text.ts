/**
 * Text features shared by the CPV classifier and its trainer: words, light stemming, the model's feature vector.
 * Not the matcher's tokeniser (src/domain/matching/text.ts), on purpose: suffix stripping here pools the rare forms
 * of a word for the classifier; the matcher folds plurals only, since it quotes the words it matched to the firm.
 * The model is trained on these exact features, so this stemmer changes only with a retrained model.
 */

const STOP = new Set(
  (
    'a an and are as at be by for from in into is it its of on or the to with within without this that these those ' +
    'our we you your will shall may can other others etc via per all any each such which who whom whose under over ' +
    'lot lots contract contracts framework agreement tender tenders procurement provision supply supplies service services ' +
    'works work required requirement requirements including include includes related relating up new ii iii iv'
  ).split(' '),
);

/** Turns published mojibake (`â€™`) and accents into plain letters before splitting. */
/** "IT" in capitals is information technology, not the pronoun the stop list drops ("IT support", "IT Services"). */
const IT = /\bI\.?T\b(?!')/g;

function clean(raw: string): string {
  const text = raw.includes('IT') || raw.includes('I.T') ? raw.replace(IT, ' infotech ') : raw;
  // Most notices are plain ASCII: skip the Unicode work for them.
  if (/^[\x00-\x7f]*$/.test(text) && !text.includes('&')) return text.toLowerCase();
  return text
    .replace(/&(apos|#39|quot|amp|lt|gt|nbsp);/g, ' ')
    .replace(/â€[™˜œ\u009d“”]/g, "'")
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const suffix of ['ational', 'ation', 'ition', 'ments', 'ment', 'ing', 'ers', 'er', 'ed', 'ion', 'al', 'ly', 'ive', 'ity', 'ic', 'e']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w;
}

// The vocabulary of notices is small beside their number: stem each distinct word once. Bounded so that
// a stream of odd tokens (references, URLs) cannot grow it without end.
const stems = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

function stemCached(raw: string): string {
  let s = stems.get(raw);
  if (s === undefined) {
    if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
    stems.set(raw, (s = stem(raw)));
  }
  return s;
}

const isDigits = (w: string) => {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};

/** Content words, stemmed, in order. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of clean(text).split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || STOP.has(raw) || isDigits(raw)) continue;
    out.push(stemCached(raw));
  }
  return out;
}

/** True when a content word of `text` is in `wanted`; stops at the first one. */
export function someWord(text: string, wanted: Set<string>): boolean {
  const cleaned = clean(text);
  const token = /[a-z0-9]+/g;
  for (let m = token.exec(cleaned); m; m = token.exec(cleaned)) {
    const raw = m[0];
    if (raw.length < 2 || STOP.has(raw) || isDigits(raw)) continue;
    if (wanted.has(stemCached(raw))) return true;
  }
  return false;
}

/** How a notice's words become the linear model's features; chosen on the validation fold, shipped in the model. */
export interface FeatureSettings {
  /** Weight of a feature found only in the description (a title's feature weighs 1). */
  descriptionWeight: number;
  /** Description words read at most (the first ones say what is bought; the rest is boilerplate). */
  descriptionWords: number;
  /** Word pairs as features too. */
  pairs: boolean;
}

/**
 * A notice's features and values: each distinct word (and word pair) of the title weighs 1, of the description
 * `descriptionWeight` (both when in both), and the vector is scaled to length 1 so long texts weigh as much as short.
 */
export function noticeFeatures(titleWords: string[], descriptionWords: string[], s: FeatureSettings): { keys: string[]; values: number[] } {
  const value = new Map<string, number>();
  const add = (w: string[], weight: number) => {
    const seen = new Set<string>();
    const put = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      value.set(f, (value.get(f) ?? 0) + weight);
    };
    for (let i = 0; i < w.length; i++) {
      put(w[i]);
      if (s.pairs && i + 1 < w.length) put(`${w[i]}_${w[i + 1]}`);
    }
  };
  add(titleWords, 1);
  if (s.descriptionWeight > 0) add(descriptionWords.length > s.descriptionWords ? descriptionWords.slice(0, s.descriptionWords) : descriptionWords, s.descriptionWeight);
  const keys = [...value.keys()];
  const values = [...value.values()];
  let norm = 0;
  for (const v of values) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < values.length; i++) values[i] /= norm;
  return { keys, values };
}
