/** Text features shared by the CPV classifier and its trainer: words, light stemming, word pairs. */

const STOP = new Set(
  (
    'a an and are as at be by for from in into is it its of on or the to with within without this that these those ' +
    'our we you your will shall may can other others etc via per all any each such which who whom whose under over ' +
    'lot lots contract contracts framework agreement tender tenders procurement provision supply supplies service services ' +
    'works work required requirement requirements including include includes related relating up new ii iii iv'
  ).split(' '),
);

/** Turns published mojibake (`â€™`) and accents into plain letters before splitting. */
function clean(text: string): string {
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

/** Features: stemmed words plus adjacent pairs (`road_mainten`), each once. */
export function features(text: string): string[] {
  return featuresOfWords(words(text));
}

/** The same features from words already split, for callers that need the words too. */
export function featuresOfWords(w: string[]): string[] {
  const out = new Set(w);
  for (let i = 0; i + 1 < w.length; i++) out.add(`${w[i]}_${w[i + 1]}`);
  return [...out];
}
