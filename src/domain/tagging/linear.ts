/**
 * The CPV classifier's model: a multinomial logistic regression over CPV groups (the first 3 digits) whose
 * logit for a group is its own weights plus its division's, over word and word-pair features of a notice's
 * title and description (text.ts). Trained offline by jobs/tools/train-tagger.ts; the weights ship packed in
 * model.generated.ts. Scoring a notice walks only its features' non-zero weights. Pure: Node and Workers alike.
 */
import { noticeFeatures, type FeatureSettings } from './text.js';

/** The packed form a model is shipped in (model.generated.ts) and built in (the trainer). */
export interface PackedModel {
  version: string;
  features: FeatureSettings;
  /** Groups, space-separated (`030 031 … 983`); their divisions are their first two digits. */
  groups: string;
  /** Bias of each group then of each division (in order of first appearance in `groups`), space-separated, scaled by `scale`. */
  bias: string;
  /** One line per feature: `feature class:weight,class:weight`, class in base 36 (groups, then divisions), weight scaled. */
  weights: string;
  /** Weights and biases are integers: value = integer / scale. */
  scale: number;
}

export interface LinearModel {
  version: string;
  features: FeatureSettings;
  groups: string[];
  divisions: string[];
  divisionOfGroup: Int32Array;
  groupBias: Float64Array;
  divisionBias: Float64Array;
  index: Map<string, number>;
  /** Feature i's weights are target[start[i] .. start[i + 1]) / weight[...]; targets < groups.length are groups. */
  start: Int32Array;
  target: Int32Array;
  weight: Float32Array;
}

export function unpackModel(packed: PackedModel): LinearModel {
  const groups = packed.groups.split(' ');
  const divisions = [...new Set(groups.map((g) => g.slice(0, 2)))];
  const divisionOfGroup = Int32Array.from(groups, (g) => divisions.indexOf(g.slice(0, 2)));
  const bias = packed.bias.split(' ').map((b) => Number(b) / packed.scale);
  const lines = packed.weights ? packed.weights.split('\n') : [];
  const index = new Map<string, number>();
  const start = new Int32Array(lines.length + 1);
  // Packed in typed arrays: a small array per feature costs several times the memory and is slower to walk.
  let total = 0;
  for (const line of lines) for (let i = line.indexOf(' '); i !== -1; i = line.indexOf(',', i + 1)) total++;
  const target = new Int32Array(total);
  const weight = new Float32Array(total);
  let at = 0;
  for (let f = 0; f < lines.length; f++) {
    const line = lines[f];
    const space = line.indexOf(' ');
    index.set(line.slice(0, space), f);
    start[f] = at;
    for (const pair of line.slice(space + 1).split(',')) {
      const colon = pair.indexOf(':');
      target[at] = parseInt(pair.slice(0, colon), 36);
      weight[at++] = Number(pair.slice(colon + 1)) / packed.scale;
    }
  }
  start[lines.length] = at;
  return {
    version: packed.version,
    features: packed.features,
    groups,
    divisions,
    divisionOfGroup,
    groupBias: Float64Array.from(bias.slice(0, groups.length)),
    divisionBias: Float64Array.from(bias.slice(groups.length, groups.length + divisions.length)),
    index,
    start,
    target,
    weight,
  };
}

/** Group probabilities (same order as model.groups) for a feature vector. */
export function groupProbabilities(model: LinearModel, keys: string[], values: number[]): Float64Array {
  const G = model.groups.length;
  const score = Float64Array.from(model.groupBias);
  const divisionScore = Float64Array.from(model.divisionBias);
  const { index, start, target, weight } = model;
  for (let k = 0; k < keys.length; k++) {
    const f = index.get(keys[k]);
    if (f === undefined) continue;
    const x = values[k];
    for (let j = start[f]; j < start[f + 1]; j++) {
      const t = target[j];
      if (t < G) score[t] += x * weight[j];
      else divisionScore[t - G] += x * weight[j];
    }
  }
  let max = -Infinity;
  for (let g = 0; g < G; g++) {
    score[g] += divisionScore[model.divisionOfGroup[g]];
    if (score[g] > max) max = score[g];
  }
  let sum = 0;
  for (let g = 0; g < G; g++) sum += score[g] = Math.exp(score[g] - max);
  for (let g = 0; g < G; g++) score[g] /= sum;
  return score;
}

/** Group probabilities for a notice's words (already split by text.ts words()). */
export function noticeGroupProbabilities(model: LinearModel, titleWords: string[], descriptionWords: string[]): Float64Array {
  const { keys, values } = noticeFeatures(titleWords, descriptionWords, model.features);
  return groupProbabilities(model, keys, values);
}
