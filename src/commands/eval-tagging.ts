/**
 * `npm run eval:tagging [-- --data DIR]`: measures the tagger on real notices it never learned from.
 *
 * Capability: every held-out notice (FNV-1a(id) mod 5 = 0, see jobs/tools/tagging-corpus.ts) from TED 2016–2020
 * (title) and the UK OCDS releases (title + description) has its published CPV codes hidden and predicted:
 * - division top-1: the likeliest division is the published main code's division;
 * - division recall@3: that division is among the three likeliest;
 * - micro-F1 (division): predicted set = divisions of the codes the tagger would store (at most 3, confidence
 *   >= 0.15), gold set = divisions of every published code;
 * - group recall@5: the main code's group (3 digits) is among the five likeliest groups.
 * Baselines in the same run: the most frequent divisions/groups of the training split, and the nearest CPV
 * label to the title by fuse.js.
 *
 * Place: every real OCDS release is compiled per ocid and normalised, then tagged: the share of tenders with
 * a delivery place, the share whose buyer has a postcode that resolves, and each tender whose delivery place
 * cannot be read, with the reason.
 */
import Fuse from 'fuse.js';
import { allCpvCodes, cpvLabel } from '../domain/cpv/index.js';
import { classifyNotice } from '../domain/tagging/classifier.js';
import { capabilityTags, tagTender } from '../domain/tagging/index.js';
import { postcodeToItl1 } from '../domain/geo/index.js';
import { compileReleases } from '../domain/ocds/compile.js';
import { normalise } from '../domain/ocds/normalise.js';
import type { Release } from '../domain/ocds/types.js';
import { allNotices, isHeldOut, ocdsReleaseLines, requireSharedData, DEFAULT_SHARED_DATA, type Notice } from '../../jobs/tools/tagging-corpus.js';
import { stringOption, type Command } from './types.js';

const MIN_STORED = 0.15;
const MAX_STORED = 3;

interface Ranked {
  divisions: string[];
  groups: string[];
  stored: string[];
}

interface Score {
  n: number;
  top1: number;
  recall3: number;
  groupRecall5: number;
  tp: number;
  fp: number;
  fn: number;
}

const emptyScore = (): Score => ({ n: 0, top1: 0, recall3: 0, groupRecall5: 0, tp: 0, fp: 0, fn: 0 });
const div = (c: string) => c.slice(0, 2);
const uniq = <T>(xs: T[]) => [...new Set(xs)];

function score(s: Score, notice: Notice, r: Ranked) {
  const gold = div(notice.cpv[0]);
  s.n++;
  if (r.divisions[0] === gold) s.top1++;
  if (r.divisions.slice(0, 3).includes(gold)) s.recall3++;
  if (r.groups.slice(0, 5).includes(notice.cpv[0].slice(0, 3))) s.groupRecall5++;
  const goldSet = new Set(notice.cpv.map(div));
  const predicted = new Set(r.stored);
  for (const d of predicted) (goldSet.has(d) ? (s.tp++, 0) : s.fp++);
  for (const d of goldSet) if (!predicted.has(d)) s.fn++;
}

function summary(s: Score) {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const precision = s.tp / Math.max(1, s.tp + s.fp);
  const recall = s.tp / Math.max(1, s.tp + s.fn);
  return {
    notices: s.n,
    divisionTop1: r(s.top1 / Math.max(1, s.n)),
    divisionRecall3: r(s.recall3 / Math.max(1, s.n)),
    divisionMicroF1: r(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
    groupRecall5: r(s.groupRecall5 / Math.max(1, s.n)),
  };
}

export function evaluateCapability(notices: Notice[], { baselines = true }: { baselines?: boolean } = {}) {
  const training = notices.filter((n) => !isHeldOut(n.id));
  const heldOut = notices.filter((n) => isHeldOut(n.id));

  const freq = (key: (n: Notice) => string) => {
    const m = new Map<string, number>();
    for (const n of training) m.set(key(n), (m.get(key(n)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  };
  const frequent: Ranked = { divisions: freq((n) => div(n.cpv[0])), groups: freq((n) => n.cpv[0].slice(0, 3)), stored: [] };
  frequent.stored = frequent.divisions.slice(0, 1);

  const fuse = new Fuse(
    allCpvCodes().map((code) => ({ code, label: cpvLabel(code) ?? '' })),
    { keys: ['label'], includeScore: true, ignoreLocation: true, threshold: 0.6 },
  );
  const fuseRank = (n: Notice): Ranked => {
    const hits = fuse.search(n.title.slice(0, 64), { limit: 30 }).map((h) => h.item.code);
    const divisions = uniq(hits.map(div));
    return { divisions, groups: uniq(hits.map((c) => c.slice(0, 3))), stored: divisions.slice(0, 1) };
  };
  const tagger = (n: Notice): Ranked => {
    const c = classifyNotice(n.title, n.description);
    return {
      divisions: c.divisions.map((d) => div(d.code)),
      groups: c.groups.map((g) => g.code.slice(0, 3)),
      stored: uniq(c.codes.filter((p) => p.confidence >= MIN_STORED).slice(0, MAX_STORED).map((p) => div(p.code))),
    };
  };

  const bySource = new Map<string, { tagger: Score; frequent: Score; fuse: Score }>();
  const all = { tagger: emptyScore(), frequent: emptyScore(), fuse: emptyScore() };
  const misses: Array<{ id: string; title: string; published: string; predicted: string }> = [];
  const t0 = performance.now();
  // Published codes are taken as right here, so every contradiction flag on a held-out notice is counted as false.
  let contradictionFlags = 0;
  for (const n of heldOut) {
    if (capabilityTags('', n.cpv, n.title, n.description).some((t) => t.reason === 'contradicts_text')) contradictionFlags++;
    const group = n.source === 'ted' ? 'ted' : 'ocds';
    if (!bySource.has(group)) bySource.set(group, { tagger: emptyScore(), frequent: emptyScore(), fuse: emptyScore() });
    const s = bySource.get(group)!;
    const mine = tagger(n);
    score(s.tagger, n, mine);
    score(all.tagger, n, mine);
    if (baselines) {
      score(s.frequent, n, frequent);
      score(all.frequent, n, frequent);
      const f = fuseRank(n);
      score(s.fuse, n, f);
      score(all.fuse, n, f);
    }
    if (mine.divisions[0] !== div(n.cpv[0]) && misses.length < 15) {
      misses.push({ id: n.id, title: n.title.replace(/\s+/g, " ").slice(0, 80), published: n.cpv[0], predicted: `${mine.divisions[0]}` });
    }
  }
  return {
    training: training.length,
    heldOut: heldOut.length,
    all: { tagger: summary(all.tagger), mostFrequentDivision: summary(all.frequent), fuseNearestLabel: summary(all.fuse) },
    bySource: Object.fromEntries(
      [...bySource.entries()].map(([k, v]) => [k, { tagger: summary(v.tagger), mostFrequentDivision: summary(v.frequent), fuseNearestLabel: summary(v.fuse) }]),
    ),
    misses,
    contradictionFlagRate: Math.round((contradictionFlags / Math.max(1, heldOut.length)) * 1000) / 1000,
    seconds: Math.round(performance.now() - t0) / 1000,
  };
}

export function evaluatePlaces(dir: string) {
  const byOcid = new Map<string, { source: string; releases: Release[] }>();
  let unreadable = 0;
  for (const { source, line } of ocdsReleaseLines(dir)) {
    let release: Release;
    try {
      release = JSON.parse(line) as Release;
    } catch {
      unreadable++;
      continue;
    }
    const ocid = typeof release.ocid === 'string' ? release.ocid : null;
    if (!ocid) {
      unreadable++;
      continue;
    }
    if (!byOcid.has(ocid)) byOcid.set(ocid, { source, releases: [] });
    byOcid.get(ocid)!.releases.push(release);
  }
  let tenders = 0;
  let withDelivery = 0;
  let national = 0;
  let withBuyerPostcode = 0;
  let buyerPostcodeResolves = 0;
  let withBuyerPlace = 0;
  const problems: Array<{ ocid: string; source: string; reason: string }> = [];
  const bySource: Record<string, { tenders: number; withDelivery: number; buyerPostcodeResolves: number }> = {};
  for (const [ocid, { source, releases }] of byOcid) {
    tenders++;
    const s = (bySource[source] ??= { tenders: 0, withDelivery: 0, buyerPostcodeResolves: 0 });
    s.tenders++;
    let record;
    try {
      record = normalise(compileReleases(releases));
    } catch (err) {
      problems.push({ ocid, source, reason: `cannot normalise: ${(err as Error).message}` });
      continue;
    }
    const tags = tagTender(record);
    const delivery = tags.places.filter((p) => p.role === 'delivery' && p.lotId === '');
    if (delivery.length) {
      withDelivery++;
      s.withDelivery++;
      if (delivery.every((p) => p.national)) national++;
    } else problems.push({ ocid, source, reason: tags.placeProblems.join('; ') || 'no delivery place' });
    const pc = record.buyer?.address?.postcode;
    if (pc) withBuyerPostcode++;
    if (pc && postcodeToItl1(pc)) {
      buyerPostcodeResolves++;
      s.buyerPostcodeResolves++;
    }
    if (tags.places.some((p) => p.role === 'buyer')) withBuyerPlace++;
  }
  const r = (x: number) => Math.round((x / Math.max(1, tenders)) * 1000) / 1000;
  return {
    releasesUnreadable: unreadable,
    tenders,
    deliveryResolvedShare: r(withDelivery),
    nationalShare: r(national),
    buyerPostcodeResolvesShare: r(buyerPostcodeResolves),
    buyerPostcodePublishedShare: r(withBuyerPostcode),
    buyerPlaceShare: r(withBuyerPlace),
    bySource,
    unresolved: problems,
  };
}

export const evalTaggingCommand: Command = {
  summary: 'measure CPV and place tagging on held-out real notices (needs ../shared/data)',
  usage: 'eval-tagging [--data DIR]',
  flags: { data: { type: 'string' } },
  async run(_deps, options, io) {
    const dir = requireSharedData(stringOption(options, 'data') ?? DEFAULT_SHARED_DATA);
    const notices = allNotices(dir);
    const cap = evaluateCapability(notices);
    const line = (name: string, s: ReturnType<typeof summary>) =>
      `  ${name.padEnd(26)} top1 ${s.divisionTop1.toFixed(3)}  recall@3 ${s.divisionRecall3.toFixed(3)}  microF1 ${s.divisionMicroF1.toFixed(3)}  group recall@5 ${s.groupRecall5.toFixed(3)}  (n=${s.notices})`;
    io.progress(`CPV from text: ${cap.training} training notices, ${cap.heldOut} held out (FNV-1a(id) mod 5 = 0)`);
    for (const [name, part] of [['all held-out', cap.all], ...Object.entries(cap.bySource)] as const) {
      io.progress(`${name}:`);
      io.progress(line('tagger (naive Bayes)', part.tagger));
      io.progress(line('baseline most frequent', part.mostFrequentDivision));
      io.progress(line('baseline fuse.js label', part.fuseNearestLabel));
    }
    io.progress(`targets: division top-1 >= 0.80 (${cap.all.tagger.divisionTop1 >= 0.8 ? 'met' : 'NOT met'}), recall@3 >= 0.93 (${cap.all.tagger.divisionRecall3 >= 0.93 ? 'met' : 'NOT met'})`);
    io.progress(`published codes flagged as contradicting their text: ${cap.contradictionFlagRate.toFixed(3)} of held-out notices (all counted as false alarms)`);
    io.progress('some misses:');
    for (const m of cap.misses) io.progress(`  ${m.id}  published ${m.published}  predicted division ${m.predicted}  "${m.title}"`);

    const places = evaluatePlaces(dir);
    io.progress(`\nplaces over ${places.tenders} real tenders (OCDS releases compiled per ocid):`);
    io.progress(`  delivery place resolved   ${places.deliveryResolvedShare.toFixed(3)} (national: ${places.nationalShare.toFixed(3)})`);
    io.progress(`  buyer postcode resolves   ${places.buyerPostcodeResolvesShare.toFixed(3)} (published: ${places.buyerPostcodePublishedShare.toFixed(3)}; any buyer place ${places.buyerPlaceShare.toFixed(3)})`);
    for (const [source, s] of Object.entries(places.bySource)) io.progress(`  ${source.padEnd(26)} ${s.withDelivery}/${s.tenders} delivery, ${s.buyerPostcodeResolves}/${s.tenders} buyer postcode`);
    io.progress(`  tenders whose delivery place cannot be read: ${places.unresolved.length}`);
    for (const p of places.unresolved) io.progress(`    ${p.ocid} (${p.source}): ${p.reason}`);

    return {
      command: 'eval-tagging',
      split: 'held out when FNV-1a(notice id) mod 5 = 0',
      trainingNotices: cap.training,
      heldOutNotices: cap.heldOut,
      tagger: cap.all.tagger,
      baselineMostFrequent: cap.all.mostFrequentDivision,
      baselineFuse: cap.all.fuseNearestLabel,
      bySource: cap.bySource,
      contradictionFlagRate: cap.contradictionFlagRate,
      targetsMet: { divisionTop1: cap.all.tagger.divisionTop1 >= 0.8, divisionRecall3: cap.all.tagger.divisionRecall3 >= 0.93 },
      places: { ...places, unresolved: places.unresolved.length },
    };
  },
};
