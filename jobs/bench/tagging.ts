/**
 * Tagging benchmark: every real OCDS release in ../shared/data compiled per ocid and normalised (not timed),
 * then tagged (places + CPV, with inference where the notice needs it) repeatedly. Beside it, measured in
 * the same run: the compile + normalise step that precedes tagging in ingestion (the baseline tagging must
 * not fall far behind), place tagging alone, and writeTags into an in-memory SQLite store.
 *
 * Then the CPV classifier alone on every real notice text of the tagging corpus (UK and TED, title and
 * description), against the 5,000 notices/s target, beside two baselines in the same run: splitting the same
 * texts into words (what any text model must do first) and the fuse.js nearest CPV label (the eval's baseline).
 * The model's load time and file size are printed too.
 */
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { writeTags } from '../../db/queries/tags.js';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import type { Release, TenderRecord } from '../../src/domain/ocds/types.js';
import { tagTender } from '../../src/domain/tagging/index.js';
import { classifyNotice } from '../../src/domain/tagging/classifier.js';
import { resolvePlace } from '../../src/domain/geo/index.js';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fuse from 'fuse.js';
import { allCpvCodes, cpvLabel } from '../../src/domain/cpv/index.js';
import { words } from '../../src/domain/tagging/text.js';
import { unpackModel } from '../../src/domain/tagging/linear.js';
import { MODEL } from '../../src/domain/tagging/model.generated.js';
import { allNotices, ocdsReleaseLines, requireSharedData } from '../tools/tagging-corpus.js';

function perSecond(label: string, count: number, run: () => void, minMs = 1500, unit = 'tenders/s') {
  run(); // warm up: lazy tables load on first use
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    run();
    done += count;
  }
  const rate = Math.round((done / (performance.now() - t0)) * 1000);
  console.log(`  ${label.padEnd(46)} ${rate.toLocaleString('en-GB').padStart(10)} ${unit}`);
  return rate;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = requireSharedData();
  const byOcid = new Map<string, Release[]>();
  for (const { line } of ocdsReleaseLines(dir)) {
    const r = JSON.parse(line) as Release;
    if (typeof r.ocid !== 'string') continue;
    if (!byOcid.has(r.ocid)) byOcid.set(r.ocid, []);
    byOcid.get(r.ocid)!.push(r);
  }
  const groups = [...byOcid.values()];
  const records: TenderRecord[] = groups.map((rs) => normalise(compileReleases(rs)));
  const needInference = records.filter((r) => tagTender(r).cpv.some((c) => c.method === 'inferred')).length;
  console.log(`${records.length} real tenders (${needInference} get inferred CPV codes)`);

  const baseline = perSecond('baseline: compile + normalise (ingest step)', groups.length, () => {
    for (const rs of groups) normalise(compileReleases(rs));
  });
  const full = perSecond('tagTender (places + CPV)', records.length, () => {
    for (const r of records) tagTender(r);
  });
  const placesOnly = perSecond('places only (resolvePlace on each region)', records.length, () => {
    for (const r of records) for (const i of r.items) for (const p of i.deliveryRegions) resolvePlace(p);
  });
  const classifyOnly = perSecond('classifier only (title + description)', records.length, () => {
    for (const r of records) classifyNotice(r.title ?? '', r.description ?? '');
  });

  const db = await openDb(':memory:');
  await migrate(db);
  const rounds = 5;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await writeTags(db, records, `2026-11-24T09:00:0${i}.000Z`);
  const stored = Math.round((records.length * rounds) / ((performance.now() - t0) / 1000));
  console.log(`  ${'writeTags into SQLite (tag + replace rows)'.padEnd(46)} ${stored.toLocaleString('en-GB').padStart(10)} tenders/s`);
  await db.destroy();
  console.log(`  tagging runs at ${(full / baseline).toFixed(2)}× the speed of compile + normalise`);

  const notices = allNotices(dir);
  const t1 = performance.now();
  unpackModel(MODEL);
  const loadMs = Math.round((performance.now() - t1) * 10) / 10;
  const modelBytes = statSync(fileURLToPath(new URL('../../src/domain/tagging/model.generated.ts', import.meta.url))).size;
  console.log(`\n${notices.length} real notice texts (UK and TED); model ${MODEL.version}, ${(modelBytes / 1e6).toFixed(2)} MB, unpacked in ${loadMs} ms`);
  const splitOnly = perSecond('baseline: split into words only', notices.length, () => {
    for (const n of notices) words(`${n.title} ${n.description.slice(0, 1200)}`);
  }, 1500, 'notices/s');
  const classifier = perSecond('classifyNotice (title + description)', notices.length, () => {
    for (const n of notices) classifyNotice(n.title, n.description);
  }, 1500, 'notices/s');
  const fuse = new Fuse(allCpvCodes().map((code) => ({ code, label: cpvLabel(code) ?? '' })), { keys: ['label'], ignoreLocation: true, threshold: 0.6 });
  const sample = notices.filter((_, i) => i % 20 === 0);
  const fuseRate = perSecond('baseline: fuse.js nearest CPV label (title)', sample.length, () => {
    for (const n of sample) fuse.search(n.title.slice(0, 64), { limit: 30 });
  }, 1500, 'notices/s');
  console.log(`  classifier: ${classifier >= 5000 ? 'meets' : 'MISSES'} the 5,000 notices/s target; model file ${modelBytes <= 5 * 1024 * 1024 ? 'within' : 'OVER'} 5 MB`);
  return {
    tenders: records.length,
    withInferredCpv: needInference,
    baselineCompileNormalisePerSecond: baseline,
    tagTenderPerSecond: full,
    placesOnlyPerSecond: placesOnly,
    classifierPerSecond: classifyOnly,
    writeTagsPerSecond: stored,
    tagVsBaseline: Math.round((full / baseline) * 100) / 100,
    noticeTexts: notices.length,
    classifierNoticesPerSecond: classifier,
    baselineSplitWordsPerSecond: splitOnly,
    baselineFusePerSecond: fuseRate,
    modelBytes,
    modelLoadMs: loadMs,
  };
}
