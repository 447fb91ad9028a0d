/**
 * Ingest benchmark: 100,000 releases made from the real shared releases (ocids and ids rewritten so
 * that each is new), ingested end to end from a JSON-lines file into a SQLite file (parse, check,
 * compile per ocid, normalise, tag, upsert), beside the raw limit measured in the same run, once before
 * and once after the ingest: JSON.parse plus one prepared single-table insert of the same lines, read
 * from the file with the same line reader as the ingest, on one thread. Peak RSS is that of the ingest's
 * own child process (its worker threads included).
 */
import Database from 'better-sqlite3';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openDb, SQLITE_PRAGMAS } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/clock.js';
import { noJobs, realSleep, type Deps } from '../../src/deps.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { ingestFile } from '../ingest-file.js';
import { lineBatches } from '../ingest-file.lines.js';

const SHARED = new URL('../../../shared/data/ocds/', import.meta.url).pathname;
const FILES = ['contracts-finder/releases-2022.jsonl', 'public-contracts-scotland/releases-2019.jsonl', 'sell2wales/releases-2025.jsonl'];
const countArg = process.argv.find((a) => a.startsWith('--ingest-releases='));
const COUNT = countArg ? Number(countArg.split('=')[1]) : 100_000;

async function writeReleases(path: string): Promise<number> {
  const originals = FILES.flatMap((f) => readFileSync(join(SHARED, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const out = createWriteStream(path);
  let bytes = 0;
  for (let k = 0; k < COUNT; k++) {
    const r = structuredClone(originals[k % originals.length]);
    r.ocid = `${r.ocid}-b${k}`;
    r.id = `${r.id ?? 'noid'}-b${k}`;
    const line = JSON.stringify(r) + '\n';
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

async function rawLimit(path: string, dbPath: string): Promise<number> {
  const db = new Database(dbPath);
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  db.exec('CREATE TABLE raw_releases (ocid TEXT NOT NULL, release_id TEXT NOT NULL, raw TEXT NOT NULL, PRIMARY KEY (ocid, release_id))');
  const insert = db.prepare('INSERT INTO raw_releases (ocid, release_id, raw) VALUES (?, ?, ?)');
  const insertMany = db.transaction((rows: Array<[string, string, string]>) => {
    for (const r of rows) insert.run(r);
  });
  const started = performance.now();
  let batch: Array<[string, string, string]> = [];
  let n = 0;
  for await (const lines of lineBatches(path)) {
    for (const line of lines.lines) {
      const r = JSON.parse(line);
      batch.push([r.ocid, r.id, line]);
      n++;
      if (batch.length === 1000) {
        insertMany(batch);
        batch = [];
      }
    }
  }
  insertMany(batch);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  // Dropped at once, so that writing it back to disk does not slow the next measurement.
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  return n / seconds;
}

interface ChildResult {
  seconds: number;
  peakRss: number;
  tenders: number;
  summary: { fetched: number; quarantined: number; workers: number; twins: number; twinSeconds: number };
}

function runChild(file: string, dbPath: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, dbPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`ingest child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/** The measured part: ingest one JSON-lines file into a fresh SQLite store, as `ingest --file` does. */
async function childMain(file: string, dbPath: string): Promise<void> {
  const config = loadConfig({ DATABASE_URL: dbPath, LOG_LEVEL: 'silent' });
  const db = await openDb(config.DATABASE_URL);
  await migrate(db);
  const deps: Deps = { db, clock: systemClock, log: createLog('silent'), config, mailer: memoryMailer(), fetch, sleep: realSleep, jobs: noJobs };
  const started = performance.now();
  const summary = await ingestFile(deps, file);
  const seconds = (performance.now() - started) / 1000;
  const tenders = await db.selectFrom('tenders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  await db.destroy();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ seconds, peakRss, tenders: Number(tenders.n), summary: { fetched: summary.fetched, quarantined: summary.quarantined, workers: summary.workers, twins: summary.twins ?? 0, twinSeconds: summary.twinSeconds ?? 0 } }) + '\n');
}

if (process.argv[2] === '--child') {
  await childMain(process.argv[3], process.argv[4]);
}

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(SHARED)) throw new Error(`the shared data folder is missing (${SHARED}); the ingest benchmark needs its real releases`);
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-bench-'));
  try {
    const file = join(dir, 'releases.jsonl');
    const bytes = await writeReleases(file);
    console.log(`made ${COUNT.toLocaleString()} releases from the shared data (${(bytes / 1e6).toFixed(0)} MB of JSON lines)`);

    // This machine's speed drifts by a fifth from minute to minute: the raw limit is measured before and after
    // the ingest, and the ingest compared with the mean of the two.
    const rawBefore = await rawLimit(file, join(dir, 'raw-before.db'));
    // The ingest runs in a child process of its own, so that its peak RSS is the ingest's alone.
    const child = await runChild(file, join(dir, 'bench.db'));
    rmSync(join(dir, 'bench.db'), { force: true });
    const rawAfter = await rawLimit(file, join(dir, 'raw-after.db'));
    const rawPerSecond = (rawBefore + rawAfter) / 2;
    const { seconds, peakRss, tenders } = child;
    const summary = child.summary;

    const perSecond = summary.fetched / seconds;
    const share = perSecond / rawPerSecond;
    const rssMb = peakRss / 2 ** 20;
    console.log(
      `raw limit (JSON.parse + one prepared insert): ${Math.round(rawPerSecond).toLocaleString()} releases/s (${Math.round(rawBefore).toLocaleString()} before the ingest, ${Math.round(rawAfter).toLocaleString()} after)`,
    );
    console.log(`end to end (parse, check, compile, normalise, tag, upsert): ${Math.round(perSecond).toLocaleString()} releases/s, ${summary.workers} preparing worker thread(s) beside the writer`);
    console.log(`  = ${(share * 100).toFixed(0)}% of the raw limit (target ≥ 40%), ${tenders.toLocaleString()} tenders stored, ${summary.quarantined} quarantined`);
    const storing = seconds - summary.twinSeconds;
    console.log(
      `  of which linking twins ${summary.twinSeconds.toFixed(1)} s (${summary.twins.toLocaleString()} pairs; the releases are copies of a few hundred notices, so every one has twins): storing alone ${Math.round(summary.fetched / storing).toLocaleString()} releases/s`,
    );
    console.log(`  peak RSS of the ingest process ${rssMb.toFixed(0)} MB (target ≤ 300 MB)`);
    console.log(`  targets: ≥ 10,000 releases/s ${perSecond >= 10000 ? 'met' : 'NOT met'}; ≥ 40% of raw ${share >= 0.4 ? 'met' : 'NOT met'}; RSS ${rssMb <= 300 ? 'met' : 'NOT met'}`);
    return {
      releases: summary.fetched,
      releases_per_second: Math.round(perSecond),
      raw_limit_per_second: Math.round(rawPerSecond),
      raw_limit_before: Math.round(rawBefore),
      raw_limit_after: Math.round(rawAfter),
      share_of_raw: Number(share.toFixed(3)),
      peak_rss_mb: Math.round(rssMb),
      workers: summary.workers,
      quarantined: summary.quarantined,
      tenders,
      twin_pairs: summary.twins,
      twin_seconds: Number(summary.twinSeconds.toFixed(2)),
      storing_only_per_second: Math.round(summary.fetched / (seconds - summary.twinSeconds)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
