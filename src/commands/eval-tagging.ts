/**
 * `npm run eval:tagging [-- --data DIR]`: measures the tagger on real notices it never learned from.
 *
 * Capability: the test split of jobs/tools/tagging-corpus.ts (FNV-1a of the title mod 5 = 0; notices titled alike
 * fall together, and each distinct title is counted once) from TED (2016–2020 titles; 2011 notices with
 * descriptions) and the UK notices (Contracts Finder, Public Contracts Scotland and Sell2Wales OCDS releases; the
 * Contracts Finder CSV export), reported for UK notices, for TED and overall. The published codes are hidden and
 * predicted from title and description:
 * - division top-1: the likeliest division is the published main code's division;
 * - division recall@3: that division is among the three likeliest;
 * - micro-F1 (division): predicted set = divisions of the codes the tagger would store (at most 3, confidence
 *   >= 0.15), gold set = divisions of every published code;
 * - group recall@5: the main code's group (3 digits) is among the five likeliest groups.
 * Baselines in the same run: the most frequent divisions/groups of the training folds, and the nearest CPV
 * label to the title by fuse.js. The model's settings were chosen on the validation fold (mod 5 = 1), never here.
 *
 * Also: short spend lines (tests/support/fixtures/spend-lines-labelled.csv, labelled by hand) in spend-line mode
 * beside the notice mode and fuse.js; and every published code its notice's (or lot's) text contradicts, over
 * every real notice, listed for a person to check.
 *
 * Place: every real OCDS release is compiled per ocid and normalised, then tagged: the share of tenders with
 * a delivery place, the share whose buyer has a postcode that resolves, and each tender whose delivery place
 * cannot be read, with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fuse from 'fuse.js';
import { parse } from 'csv-parse/sync';
import { allCpvCodes, cpvLabel } from '../domain/cpv/index.js';
import { classifyNotice, TAGGER_VERSION } from '../domain/tagging/classifier.js';
import { classifySpendLine, tagTender } from '../domain/tagging/index.js';
import { postcodeToItl1 } from '../domain/geo/index.js';
import { compileReleases } from '../domain/ocds/compile.js';
import { normalise } from '../domain/ocds/normalise.js';
import { contractsFinderCsvRelease } from '../domain/ocds/contracts-finder-csv.js';
import type { Release } from '../domain/ocds/types.js';
import { allNotices, foldOf, noticeKind, ocdsReleaseLines, requireSharedData, splitKey, DEFAULT_SHARED_DATA, type Notice } from '../../jobs/tools/tagging-corpus.js';
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

/** Targets on the UK test split (issue 14). */
export const UK_TARGETS = { divisionTop1: 0.75, divisionRecall3: 0.9 };

function nearestLabel() {
  const fuse = new Fuse(
    allCpvCodes().map((code) => ({ code, label: cpvLabel(code) ?? '' })),
    { keys: ['label'], includeScore: true, ignoreLocation: true, threshold: 0.6 },
  );
  return (text: string): Ranked => {
    const hits = fuse.search(text.slice(0, 64), { limit: 30 }).map((h) => h.item.code);
    const divisions = uniq(hits.map(div));
    return { divisions, groups: uniq(hits.map((c) => c.slice(0, 3))), stored: divisions.slice(0, 1) };
  };
}

/** `fuse: false` leaves out the fuse.js baseline, which takes most of the run (a second or more a notice on a busy machine). */
export function evaluateCapability(notices: Notice[], { baselines = true, fuse = baselines }: { baselines?: boolean; fuse?: boolean } = {}) {
  const training = notices.filter((n) => foldOf(n) !== 'test');
  const seen = new Set<string>();
  const heldOut = notices.filter((n) => foldOf(n) === 'test' && !seen.has(splitKey(n)) && !!seen.add(splitKey(n)));

  const freq = (key: (n: Notice) => string) => {
    const m = new Map<string, number>();
    for (const n of training) m.set(key(n), (m.get(key(n)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  };
  const frequent: Ranked = { divisions: freq((n) => div(n.cpv[0])), groups: freq((n) => n.cpv[0].slice(0, 3)), stored: [] };
  frequent.stored = frequent.divisions.slice(0, 1);
  const fuseRank = nearestLabel();
  const tagger = (n: Notice): Ranked => {
    const c = classifyNotice(n.title, n.description);
    return {
      divisions: c.divisions.map((d) => div(d.code)),
      groups: c.groups.map((g) => g.code.slice(0, 3)),
      stored: uniq(c.codes.filter((p) => p.confidence >= MIN_STORED).slice(0, MAX_STORED).map((p) => div(p.code))),
    };
  };

  const parts = () => ({ tagger: emptyScore(), frequent: emptyScore(), fuse: emptyScore() });
  const byKind = { uk: parts(), ted: parts() };
  const bySource = new Map<string, ReturnType<typeof parts>>();
  const all = parts();
  const misses: Array<{ id: string; title: string; published: string; predicted: string }> = [];
  const t0 = performance.now();
  for (const n of heldOut) {
    if (!bySource.has(n.source)) bySource.set(n.source, parts());
    const targets = [all, byKind[noticeKind(n)], bySource.get(n.source)!];
    const mine = tagger(n);
    for (const t of targets) score(t.tagger, n, mine);
    if (baselines) {
      const f = fuse ? fuseRank(n.title) : null;
      for (const t of targets) {
        score(t.frequent, n, frequent);
        if (f) score(t.fuse, n, f);
      }
    }
    if (mine.divisions[0] !== div(n.cpv[0]) && noticeKind(n) === 'uk' && misses.length < 15) {
      misses.push({ id: n.id, title: n.title.replace(/\s+/g, ' ').slice(0, 80), published: n.cpv[0], predicted: `${mine.divisions[0]}` });
    }
  }
  const seconds = Math.round(performance.now() - t0) / 1000;
  const report = (p: ReturnType<typeof parts>) => ({ tagger: summary(p.tagger), mostFrequentDivision: summary(p.frequent), fuseNearestLabel: summary(p.fuse) });
  return {
    training: training.length,
    heldOut: heldOut.length,
    all: report(all),
    uk: report(byKind.uk),
    ted: report(byKind.ted),
    bySource: Object.fromEntries([...bySource.entries()].map(([k, v]) => [k, report(v)])),
    misses,
    seconds,
  };
}

/** The hand-labelled spend lines (see the file's header): text, source, CPV division. */
export function labelledSpendLines(path = fileURLToPath(new URL('../../tests/support/fixtures/spend-lines-labelled.csv', import.meta.url))) {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
  return (parse(text, { columns: true, skip_empty_lines: true }) as Array<{ text: string; source: string; division: string }>).filter((r) => /^\d{2}$/.test(r.division));
}

export function evaluateSpendLines(lines = labelledSpendLines()) {
  const fuseRank = nearestLabel();
  const modes = { spendLine: { top1: 0, top3: 0 }, noticeMode: { top1: 0, top3: 0 }, fuseNearestLabel: { top1: 0, top3: 0 }, mostFrequentDivision: { top1: 0, top3: 0 } };
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.division, (counts.get(l.division) ?? 0) + 1);
  // Leave-one-out: the most frequent divisions of the other lines, so the baseline never sees its own label.
  const frequentWithout = (d: string) =>
    [...counts.entries()].map(([k, n]) => [k, k === d ? n - 1 : n] as const).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const add = (m: { top1: number; top3: number }, ranked: string[], gold: string) => {
    if (ranked[0] === gold) m.top1++;
    if (ranked.slice(0, 3).includes(gold)) m.top3++;
  };
  for (const l of lines) {
    add(modes.spendLine, classifySpendLine(l.text).divisions.map((d) => div(d.code)), l.division);
    add(modes.noticeMode, classifyNotice(l.text).divisions.map((d) => div(d.code)), l.division);
    add(modes.fuseNearestLabel, fuseRank(l.text).divisions, l.division);
    add(modes.mostFrequentDivision, frequentWithout(l.division), l.division);
  }
  const r = (x: number) => Math.round((x / Math.max(1, lines.length)) * 1000) / 1000;
  return { lines: lines.length, ...Object.fromEntries(Object.entries(modes).map(([k, v]) => [k, { top1: r(v.top1), top3: r(v.top3) }])) } as {
    lines: number;
  } & Record<keyof typeof modes, { top1: number; top3: number }>;
}

export interface ContradictionFlag {
  ocid: string;
  source: string;
  lotId: string;
  title: string;
  published: string[];
  inferred: Array<{ code: string; label: string | null; confidence: number }>;
}

/** Every published code a real notice's (or lot's) text contradicts: the OCDS tenders compiled per ocid, and the CSV export's rows. */
export function contradictionFlags(dir: string): { notices: number; lots: number; flagged: number; flags: ContradictionFlag[] } {
  const records: Array<{ source: string; record: ReturnType<typeof normalise> }> = [];
  const byOcid = new Map<string, { source: string; releases: Release[] }>();
  for (const { source, line } of ocdsReleaseLines(dir)) {
    try {
      const release = JSON.parse(line) as Release;
      if (typeof release.ocid !== 'string') continue;
      if (!byOcid.has(release.ocid)) byOcid.set(release.ocid, { source, releases: [] });
      byOcid.get(release.ocid)!.releases.push(release);
    } catch {
      // counted by evaluatePlaces
    }
  }
  for (const [, { source, releases }] of byOcid) records.push({ source, record: normalise(compileReleases(releases)) });
  const csv = `${dir}/contracts-finder-csv/awarded-notices-2020.csv`;
  if (existsSync(csv)) {
    for (const row of parse(readFileSync(csv, 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>) {
      const mapped = contractsFinderCsvRelease(row);
      if (mapped.ok) records.push({ source: 'contracts-finder-csv', record: normalise(compileReleases([mapped.release])) });
    }
  }
  const flags: ContradictionFlag[] = [];
  let lots = 0;
  const flagged = new Set<string>();
  for (const { source, record } of records) {
    lots += record.lots.length;
    const tags = tagTender(record);
    for (const lotId of uniq(tags.cpv.filter((t) => t.reason === 'contradicts_text').map((t) => t.lotId))) {
      flagged.add(record.ocid);
      const lot = record.lots.find((l) => l.id === lotId);
      flags.push({
        ocid: record.ocid,
        source,
        lotId,
        title: (lotId ? `${lot?.title ?? ''} (lot ${lotId} of "${record.title ?? ''}")` : record.title ?? '').replace(/\s+/g, ' ').slice(0, 140),
        published: tags.cpv.filter((t) => t.lotId === lotId && t.method === 'published').map((t) => t.code),
        inferred: tags.cpv.filter((t) => t.lotId === lotId && t.reason === 'contradicts_text').map((t) => ({ code: t.code, label: cpvLabel(t.code), confidence: t.confidence })),
      });
    }
  }
  return { notices: records.length, lots, flagged: flagged.size, flags };
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
      `  ${name.padEnd(28)} top1 ${s.divisionTop1.toFixed(3)}  recall@3 ${s.divisionRecall3.toFixed(3)}  microF1 ${s.divisionMicroF1.toFixed(3)}  group recall@5 ${s.groupRecall5.toFixed(3)}  (n=${s.notices})`;
    io.progress(`tagger ${TAGGER_VERSION}`);
    io.progress(`CPV from text: ${cap.training} notices in the training and validation folds, ${cap.heldOut} distinct titles in the test split (FNV-1a(title) mod 5 = 0; settings chosen on mod 5 = 1)`);
    for (const [name, part] of [['UK notices', cap.uk], ['TED', cap.ted], ['all', cap.all], ...Object.entries(cap.bySource).map(([k, v]) => [`  of which ${k}`, v] as const)] as const) {
      io.progress(`${name}:`);
      io.progress(line('tagger (logistic regression)', part.tagger));
      io.progress(line('baseline most frequent', part.mostFrequentDivision));
      io.progress(line('baseline fuse.js label', part.fuseNearestLabel));
    }
    const met = { divisionTop1: cap.uk.tagger.divisionTop1 >= UK_TARGETS.divisionTop1, divisionRecall3: cap.uk.tagger.divisionRecall3 >= UK_TARGETS.divisionRecall3 };
    io.progress(`UK targets: division top-1 >= ${UK_TARGETS.divisionTop1} (${met.divisionTop1 ? 'met' : 'NOT met'}), recall@3 >= ${UK_TARGETS.divisionRecall3} (${met.divisionRecall3 ? 'met' : 'NOT met'})`);
    io.progress('some UK misses:');
    for (const m of cap.misses) io.progress(`  ${m.id}  published ${m.published}  predicted division ${m.predicted}  "${m.title}"`);

    const spend = evaluateSpendLines();
    io.progress(`\nspend lines labelled by hand (n=${spend.lines}), division top-1 / top-3:`);
    for (const k of ['spendLine', 'noticeMode', 'fuseNearestLabel', 'mostFrequentDivision'] as const) io.progress(`  ${k.padEnd(22)} ${spend[k].top1.toFixed(3)} / ${spend[k].top3.toFixed(3)}`);

    const contradictions = contradictionFlags(dir);
    const share = Math.round((contradictions.flagged / Math.max(1, contradictions.notices)) * 1000) / 1000;
    io.progress(`\npublished codes their text contradicts: ${contradictions.flagged} of ${contradictions.notices} real notices (${share}), ${contradictions.flags.length} flags (tenders and lots; ${contradictions.lots} lots read); every flag, for a person to check:`);
    for (const f of contradictions.flags) {
      io.progress(`  ${f.ocid}${f.lotId ? ` lot ${f.lotId}` : ''} (${f.source}) "${f.title}": published ${f.published.join(' ')}; text reads as ${f.inferred.map((i) => `${i.code} ${i.label} (${i.confidence})`).join('; ')}`);
    }

    const places = evaluatePlaces(dir);
    io.progress(`\nplaces over ${places.tenders} real tenders (OCDS releases compiled per ocid):`);
    io.progress(`  delivery place resolved   ${places.deliveryResolvedShare.toFixed(3)} (national: ${places.nationalShare.toFixed(3)})`);
    io.progress(`  buyer postcode resolves   ${places.buyerPostcodeResolvesShare.toFixed(3)} (published: ${places.buyerPostcodePublishedShare.toFixed(3)}; any buyer place ${places.buyerPlaceShare.toFixed(3)})`);
    for (const [source, s] of Object.entries(places.bySource)) io.progress(`  ${source.padEnd(26)} ${s.withDelivery}/${s.tenders} delivery, ${s.buyerPostcodeResolves}/${s.tenders} buyer postcode`);
    io.progress(`  tenders whose delivery place cannot be read: ${places.unresolved.length}`);
    for (const p of places.unresolved) io.progress(`    ${p.ocid} (${p.source}): ${p.reason}`);

    return {
      command: 'eval-tagging',
      taggerVersion: TAGGER_VERSION,
      split: 'test split: FNV-1a(title) mod 5 = 0, one notice per distinct title; settings chosen on mod 5 = 1',
      trainingNotices: cap.training,
      heldOutNotices: cap.heldOut,
      uk: cap.uk,
      ted: cap.ted,
      all: cap.all,
      bySource: cap.bySource,
      ukTargetsMet: met,
      spendLines: spend,
      contradictions: { notices: contradictions.notices, flagged: contradictions.flagged, share, flags: contradictions.flags.length },
      places: { ...places, unresolved: places.unresolved.length },
    };
  },
};
