/**
 * The in-process CPV classifier: a logistic regression over CPV groups (linear.ts; weights in model.generated.ts,
 * made by jobs/tools/train-tagger.ts), then, inside the likeliest groups, the codes whose labels share most words
 * with the text. No I/O, no remote model: runs the same on Node and Workers.
 */
import { MODEL } from './model.generated.js';
import { groupProbabilities as linearGroupProbabilities, unpackModel, type LinearModel } from './linear.js';
import { allCpvCodes, cpvLabel, cpvSignificant, isKnownCpv } from '../cpv/index.js';
import { noticeFeatures, words } from './text.js';

/** Rules on top of the model (code choice, label matches, contradictions): bumped when they change. */
const RULES_VERSION = 'r3';
/** The model's version and the rules': stored with every inferred tag, so that a new one tells `retag` to run. */
export const TAGGER_VERSION = `${MODEL.version}.${RULES_VERSION}`;

export interface CpvPrediction {
  code: string;
  confidence: number;
}

export interface Classification {
  /** Divisions (`72000000`), likeliest first, with probabilities summing to about 1. */
  divisions: CpvPrediction[];
  divisionProbability: Map<string, number>;
  /** Groups (`72200000`-style, as 3-digit keys padded), likeliest first. */
  groups: CpvPrediction[];
  /** Concrete CPV codes, best first; confidence = probability of the group times the label match. */
  codes: CpvPrediction[];
}

let model: LinearModel | null = null;
const load = (): LinearModel => (model ??= unpackModel(MODEL));

interface LabelIndex {
  /** Group key (`722`) to label word to the codes of that group whose label has the word. */
  byGroupWord: Map<string, Map<string, string[]>>;
  /** Per code: its label's distinct words, each weighed by rarity (log(1 + codes / codes with the word)). */
  weightsOf: Map<string, { words: string[]; weights: number[]; total: number }>;
}
let labelIndex: LabelIndex | null = null;

function labels() {
  if (labelIndex) return labelIndex;
  const byGroupWord = new Map<string, Map<string, string[]>>();
  const wordsOf = new Map<string, string[]>();
  const df = new Map<string, number>();
  for (const code of allCpvCodes()) {
    const w = [...new Set(words(cpvLabel(code) ?? ''))];
    wordsOf.set(code, w);
    for (const x of w) {
      df.set(x, (df.get(x) ?? 0) + 1);
      // Keyed by group and word, since codes are only ever looked up inside one likely group.
      const group = code.slice(0, 3);
      let byWord = byGroupWord.get(group);
      if (!byWord) byGroupWord.set(group, (byWord = new Map()));
      let list = byWord.get(x);
      if (!list) byWord.set(x, (list = []));
      list.push(code);
    }
  }
  const weightsOf: LabelIndex['weightsOf'] = new Map();
  for (const [code, w] of wordsOf) {
    const weights = w.map((x) => Math.log(1 + 9454 / (df.get(x) ?? 1)));
    weightsOf.set(code, { words: w, weights, total: weights.reduce((a, b) => a + b, 0) });
  }
  labelIndex = { byGroupWord, weightsOf };
  return labelIndex;
}

/** Group probabilities for a notice's words (every group, same order as the model). */
function groupProbabilities(titleWords: string[], descriptionWords: string[]): { groups: string[]; p: Float64Array } {
  const m = load();
  const { keys, values } = noticeFeatures(titleWords, descriptionWords, m.features);
  return { groups: m.groups, p: linearGroupProbabilities(m, keys, values) };
}

const groupCode = (g: string) => g.padEnd(8, '0');

/** Indexes of the k largest values, largest first. */
function topIndexes(p: Float64Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < p.length; i++) {
    if (top.length === k && p[i] <= p[top[k - 1]]) continue;
    let j = top.length < k ? top.length : k - 1;
    top[j] = i;
    while (j > 0 && p[top[j - 1]] < p[i]) {
      top[j] = top[j - 1];
      top[--j] = i;
    }
  }
  return top;
}

function cover(label: { words: string[]; weights: number[]; total: number }, textWords: Set<string>): number {
  if (!label.total) return 0;
  let hit = 0;
  for (let i = 0; i < label.words.length; i++) if (textWords.has(label.words[i])) hit += label.weights[i];
  return hit / label.total;
}

let labelKeys: Map<string, string> | null = null;
const wordKey = (split: string[]) => [...new Set(split)].sort().join(' ');
const exactKey = (text: string) => '=' + text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** The CPV code whose label has exactly the words of `title` (the most general one on ties), or null. */
export function codeForLabel(title: string, titleWords: string[] = words(title)): string | null {
  if (!labelKeys) {
    labelKeys = new Map();
    for (const code of allCpvCodes()) {
      const label = cpvLabel(code) ?? '';
      const key = wordKey(words(label));
      if (key && !labelKeys.has(key)) labelKeys.set(key, code);
      if (!labelKeys.has(exactKey(label))) labelKeys.set(exactKey(label), code);
    }
  }
  const key = wordKey(titleWords);
  return labelKeys.get(exactKey(title)) ?? (key ? labelKeys.get(key) ?? null : null);
}

/** How much a title that is word for word a CPV label moves the groups towards that label's group. */
const LABEL_MATCH_WEIGHT = 0.7;

/**
 * Classifies a notice's words; empty or unknown text gives the prior. When `title` reads as a CPV label (buyers
 * often title a notice with the label of the code they mean), that code leads.
 */
function classifyWords(titleSplit: string[], descriptionSplit: string[], maxCodes: number, title: string | undefined, titleWords: string[]): Classification {
  const { groups, p } = groupProbabilities(titleSplit, descriptionSplit);
  const split = descriptionSplit.length ? titleSplit.concat(descriptionSplit) : titleSplit;
  const labelled = title ? codeForLabel(title, titleWords) : null;
  if (labelled) {
    const g = groups.indexOf(labelled.slice(0, 3));
    if (g >= 0) {
      for (let i = 0; i < p.length; i++) p[i] *= 1 - LABEL_MATCH_WEIGHT;
      p[g] += LABEL_MATCH_WEIGHT;
    }
  }
  const order = topIndexes(p, 10);
  const m = load();
  const mass = new Float64Array(m.divisions.length);
  for (let g = 0; g < groups.length; g++) mass[m.divisionOfGroup[g]] += p[g];
  const divisionProbability = new Map<string, number>(m.divisions.map((d, i) => [`${d}000000`, mass[i]]));
  const divisions = [...divisionProbability.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([code, confidence]) => ({ code, confidence }));
  const groupPredictions = order.slice(0, 10).map((g) => ({ code: groupCode(groups[g]), confidence: p[g] }));

  // Within each likely group, prefer the code whose label (and its parents' labels) covers the text's
  // rarest words; the group's own code (or its division) stands in when no label matches.
  const textWords = new Set(split);
  const idx = labels();
  const codeScores = new Map<string, number>();
  const likely = order.slice(0, 6).filter((g) => p[g] >= 0.02 || g === order[0]);
  for (const gi of likely) {
    const g = groups[gi];
    const candidates = new Set<string>();
    const byWord = idx.byGroupWord.get(g);
    if (byWord) for (const w of textWords) for (const code of byWord.get(w) ?? []) candidates.add(code);
    const ranked: Array<{ code: string; match: number }> = [];
    for (const code of candidates) {
      // How much of the label the text covers, rare words weighing more; on a tie the more general code wins.
      const match = cover(idx.weightsOf.get(code)!, textWords) - 0.01 * cpvSignificant(code).length;
      ranked.push({ code, match });
    }
    // Codes are all 8 digits: plain comparison orders them as localeCompare would, at a fraction of the cost.
    ranked.sort((a, b) => b.match - a.match || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const fallback = isKnownCpv(groupCode(g)) ? groupCode(g) : g.slice(0, 2) + '000000';
    if (!ranked.length || ranked[0].match < 0.34) ranked.unshift({ code: fallback, match: 0.5 });
    if (labelled && labelled.startsWith(g)) ranked.unshift({ code: labelled, match: 1 });
    for (const [i, r] of ranked.slice(0, 3).entries()) {
      const confidence = p[gi] * (i === 0 ? 1 : 0.5 * r.match);
      if (confidence > (codeScores.get(r.code) ?? 0)) codeScores.set(r.code, confidence);
    }
  }
  const codes = [...codeScores.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxCodes)
    .map(([code, confidence]) => ({ code, confidence: Math.round(confidence * 1000) / 1000 }));
  return { divisions, divisionProbability, groups: groupPredictions, codes };
}

export function classifyNotice(title: string, description = '', maxCodes = 10): Classification {
  return classifyNoticeWords(title, words(title), description, maxCodes);
}

/** The description words the model reads: only the first ones (model.features.descriptionWords) are looked at. */
const DESCRIPTION_CHARS = 1200;

/** classifyNotice for a title already split into words. */
export function classifyNoticeWords(title: string, titleWords: string[], description = '', maxCodes = 10): Classification {
  return classifyWords(titleWords, description ? words(description.slice(0, DESCRIPTION_CHARS)) : [], maxCodes, title, titleWords);
}
