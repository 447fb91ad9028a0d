import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { bulkWriter } from '../db/bulk.js';
import { checkpointInBackground } from '../db/checkpoints.js';
import { inStoreTransaction, storePrepared, type StoreCounts } from '../db/queries/releases.js';
import { ingestPipeline } from '../src/ingest/pipeline.js';
import { storeReleases } from '../src/ingest/store.js';
import type { PreparedBatch } from '../db/prepared.js';
import { PendingTags } from '../db/queries/tags.js';
import { linkChangedTwins } from '../db/queries/twins.js';
import { notOcdsReason, unpackDocument } from '../src/domain/ocds/unpack.js';
import { markRunFinished, markRunStarted, recordWindowStored } from '../db/queries/sources.js';
import type { IncomingRelease } from '../src/domain/ocds/types.js';
import type { Deps } from '../src/deps.js';
import { bySource, lineBatches, lineReleases, prepareLines } from './ingest-file.lines.js';
import { inFlightSlot, postsSlot, type PrepareMessage, type PrepareWorkerData } from './ingest-file.worker.js';
import { startWorker } from './worker-thread.js';
import { csvReleaseBatches, isContractsFinderCsv } from './ingest-file.csv.js';

export interface FileIngestSummary extends Omit<StoreCounts, 'changedOcids'> {
  file: string;
  sources: Record<string, number>;
  changed: number;
  changedOcids: string[];
  seconds: number;
  /** Threads that prepared the releases besides the one that stored them (0: it did everything). */
  workers: number;
  /** Pairs of twins (one procurement published twice) found among the changed tenders. */
  twins?: number;
  /** Seconds of the whole that linking twins took (after the releases were stored). */
  twinSeconds?: number;
}

export interface FileIngestOptions {
  /** File every release under this source instead of the one its ocid prefix names. */
  source?: string;
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads that prepare a JSON-lines file (check, compile, normalise, tag) while this thread stores
   * it. Default: 1 for files of 16 MB or more on a machine with more than one core, else 0 (starting a
   * worker costs about a quarter of a second).
   */
  workers?: number;
}

/**
 * Releases stored per transaction. Each commit rewrites every index page its rows touched, and with ocids spread
 * at random that is most leaf pages of every index keyed by ocid; larger commits share those pages between more
 * releases (and the tag rows held until the commit are sorted over more of them). Measured on 100,000 releases:
 * 1,000 per commit ~2,100/s, 5,000 ~2,600/s, 10,000 and 20,000 no faster. A crash loses at most one transaction,
 * which the next run stores.
 */
const RELEASES_PER_COMMIT = 5000;
/**
 * Batches a worker may prepare ahead of the writer (200 lines). The writer is the slower of the two, so the
 * worker only has to stay a little ahead; each batch waiting costs ~350 KB of serialized rows.
 */
const WORKER_AHEAD = 10;
const WORKER_FILE_BYTES = 16 << 20;
/**
 * Old-generation heap of a worker. It keeps about 25 MB alive (the tagging model, caches, a few batches); left
 * unbounded, V8 lets it grow past 200 MB before collecting. 96 MB collected too often; 128 MB is no slower than
 * more. A single line larger than this (a package of tens of thousands of releases on one line) needs `workers: 0`.
 */
const WORKER_HEAP_MB = 128;
/** Its young generation: what it allocates per batch dies young, so a smaller nursery saves ~20 MB at no cost measured. */
const WORKER_YOUNG_MB = 24;
/** Releases per storeReleases call for a document read whole (a package), each call its own transaction. */
const DOCUMENT_BATCH = 250;

/**
 * Ingests a release package, record package or JSON-lines file, or a Contracts Finder CSV export. Each release
 * is filed under the feed its ocid prefix names (cf, fts, pcs, sell2wales; a CSV export's rows under cf), or
 * under `source` when given, so that the same release later arriving from the feed itself is recognised as
 * already stored.
 */
export async function ingestFile(deps: Deps, path: string, options: FileIngestOptions = {}): Promise<FileIngestSummary> {
  const started = Date.now();
  const jsonLines = await isJsonLines(path);
  // Each file ingest is shown in GET /sources, under `file:` and the file's name.
  const run = `file:${basename(path)}`;
  await markRunStarted(deps.db, run, deps.clock.now().toISOString());
  try {
    let summary: FileIngestSummary;
    if (await isContractsFinderCsv(path)) {
      summary = await ingestContractsFinderCsv(deps, path, { ...options, started });
    } else if (jsonLines) {
      await refuseUnlessOcds(path, (await firstBatch(path)).lines.flatMap((line, i) => lineReleases(line, i + 1)));
      const workers = options.workers ?? ((await stat(path)).size >= WORKER_FILE_BYTES && availableParallelism() > 1 ? 1 : 0);
      summary = await ingestJsonLines(deps, path, { ...options, workers, started });
    } else {
      const releases = unpackDocument(await readFile(path, 'utf8'));
      await refuseUnlessOcds(path, releases);
      summary = await ingestReleases(deps, releases, { ...options, label: path, started });
    }
    // The same procurement published twice (two portals, or a new ocid) is linked, and matched once.
    const linking = performance.now();
    const twins = await linkChangedTwins(deps.db, summary.changedOcids, deps.clock.now().toISOString());
    summary.twins = twins.pairs;
    summary.twinSeconds = (performance.now() - linking) / 1000;
    await recordWindowStored(deps.db, run, null, summary);
    await markRunFinished(deps.db, run, deps.clock.now().toISOString(), 'ok', null);
    return summary;
  } catch (err) {
    await markRunFinished(deps.db, run, deps.clock.now().toISOString(), 'error', err instanceof Error ? err.message : String(err));
    throw err;
  }
}

/** A file that holds no OCDS release at all is refused whole, saying what it is not, with nothing stored. */
async function refuseUnlessOcds(path: string, entries: IncomingRelease[]): Promise<void> {
  const reason = notOcdsReason(entries);
  if (reason) throw new Error(`${path} ${reason}; give a release package, a record package or JSON lines of releases`);
}

/** The first batch of a JSON-lines file (what tells whether it holds releases at all). */
async function firstBatch(path: string) {
  const batches = lineBatches(path);
  try {
    const next = await batches.next();
    return next.done ? { index: 0, lines: [], numbers: [] } : next.value;
  } finally {
    await batches.return(0);
  }
}

/** A file whose first line is a whole JSON value is read as JSON lines, a batch at a time, so any size fits in memory. */
async function isJsonLines(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8');
    const firstBreak = head.indexOf('\n');
    if (firstBreak === -1) return false;
    const rest = head.slice(firstBreak).trim();
    if (rest === '') return false;
    JSON.parse(head.slice(0, firstBreak));
    return true;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * A JSON-lines file, batch by batch in file order, RELEASES_PER_COMMIT releases to a transaction. A crash rolls
 * back to the last commit, and the next run stores those releases again.
 */
async function ingestJsonLines(
  deps: Deps,
  path: string,
  options: { source?: string; workers: number; started: number; onProgress?: (done: number, total: number) => void },
): Promise<FileIngestSummary> {
  const now = deps.clock.now().toISOString();
  const summary = emptySummary(path, options.workers);
  const changed = new Set<string>();
  const batches = options.workers > 0 ? preparedInWorkers(path, now, options.source, options.workers) : preparedHere(path, now, options.source);
  const checkpoints = checkpointInBackground(deps.db);
  try {
    for (let finished = false; !finished; ) {
      finished = await inStoreTransaction(deps.db, async (db) => {
        const writer = bulkWriter(db);
        // Tags wait for the end of the transaction where there is one (not on D1).
        const pending = PendingTags.open(db);
        const commitAt = summary.fetched + RELEASES_PER_COMMIT;
        let done = false;
        while (summary.fetched < commitAt) {
          const next = await batches.next();
          if (next.done) {
            done = true;
            break;
          }
          for (const prepared of next.value) {
            const counts = await storePrepared(db, writer, prepared, now, ingestPipeline, pending);
            addCounts(summary, prepared.source, counts, changed);
          }
        }
        await pending?.flush();
        return done;
      });
      // Told only once committed: a crash before the commit stores none of the transaction's releases.
      options.onProgress?.(summary.fetched, NaN);
    }
  } finally {
    await batches.return(undefined);
    await checkpoints.stop();
  }
  return finish(summary, changed, options.started);
}

/** Each batch prepared on this thread, just before it is stored. */
async function* preparedHere(path: string, now: string, source: string | undefined): AsyncGenerator<PreparedBatch[]> {
  for await (const batch of lineBatches(path)) yield prepareLines(batch, now, source);
}

/**
 * Each batch prepared by one of `count` workers (batch i by worker i mod count), yielded in file order. The
 * workers are stopped when the caller stops asking, whether it finished or failed.
 *
 * A worker posts to a port of its own that nobody listens on, and the writer takes the next message only when
 * it wants the next batch: batches prepared ahead wait as serialized bytes, outside the writer's heap, instead
 * of as live objects that its garbage collector must carry.
 */
async function* preparedInWorkers(path: string, now: string, source: string | undefined, count: number): AsyncGenerator<PreparedBatch[]> {
  const signals = new Int32Array(new SharedArrayBuffer(4 * 2 * count));
  let failure: Error | null = null;
  let wakeOnFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => (wakeOnFailure = resolve));
  const fail = (err: Error) => {
    failure ??= err;
    wakeOnFailure();
  };
  const workers = Array.from({ length: count }, (_, worker) => {
    const { port1, port2 } = new MessageChannel();
    const workerData: PrepareWorkerData = { path, now, source, worker, workers: count, ahead: WORKER_AHEAD, signals, port: port2 };
    const thread = startWorker(new URL('./ingest-file.worker.ts', import.meta.url), workerData, { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB }, [port2]);
    thread.on('error', fail);
    thread.on('exit', (code) => {
      if (code !== 0) fail(new Error(`a worker preparing ${path} stopped with exit code ${code}`));
    });
    return { thread, port: port1 };
  });

  /** The next message of one worker, waiting for it to post one. */
  async function nextMessage(worker: number): Promise<PrepareMessage> {
    for (;;) {
      // Read the count of posts before looking: a message posted after the look changes the count, so the wait returns.
      const seen = Atomics.load(signals, postsSlot(worker));
      const received = receiveMessageOnPort(workers[worker].port);
      if (received) return received.message as PrepareMessage;
      if (failure) throw failure;
      const wait = Atomics.waitAsync(signals, postsSlot(worker), seen);
      if (wait.async) await Promise.race([wait.value, failed]);
    }
  }

  try {
    for (let index = 0; ; index++) {
      const worker = index % count;
      const message = await nextMessage(worker);
      if (message.kind === 'end') break;
      if (message.kind === 'failed') throw new Error(`preparing ${path} failed: ${message.message}`);
      yield message.prepared;
      Atomics.sub(signals, inFlightSlot(worker), 1);
      Atomics.notify(signals, inFlightSlot(worker));
    }
  } finally {
    await Promise.all(workers.map((w) => w.thread.terminate()));
    for (const w of workers) w.port.close();
  }
}

function emptySummary(file: string, workers: number): FileIngestSummary {
  return { file, fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, changed: 0, changedOcids: [], sources: {}, seconds: 0, workers };
}

/** Adds one stored batch's counts; changed ocids go to one set for the whole file (merging lists cost time in the square of the changes). */
function addCounts(summary: FileIngestSummary, source: string, counts: StoreCounts, changed: Set<string>): void {
  summary.sources[source] = (summary.sources[source] ?? 0) + counts.fetched;
  summary.fetched += counts.fetched;
  summary.inserted += counts.inserted;
  summary.updated += counts.updated;
  summary.unchanged += counts.unchanged;
  summary.quarantined += counts.quarantined;
  for (const ocid of counts.changedOcids) changed.add(ocid);
}

function finish(summary: FileIngestSummary, changed: Set<string>, started: number): FileIngestSummary {
  summary.changedOcids = [...changed];
  summary.changed = changed.size;
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

/** A Contracts Finder CSV export, DOCUMENT_BATCH rows to a transaction; bad rows are quarantined with their reason. */
async function ingestContractsFinderCsv(deps: Deps, path: string, options: FileIngestOptions & { started: number }): Promise<FileIngestSummary> {
  const summary = emptySummary(path, 0);
  const changed = new Set<string>();
  const source = options.source ?? 'cf';
  for await (const batch of csvReleaseBatches(path, DOCUMENT_BATCH)) {
    const counts = await storeReleases(deps.db, source, batch, deps.clock.now().toISOString());
    addCounts(summary, source, counts, changed);
    options.onProgress?.(summary.fetched, NaN);
  }
  return finish(summary, changed, options.started);
}

export async function ingestReleases(
  deps: Deps,
  releases: IncomingRelease[],
  options: { source?: string; label?: string; started?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<FileIngestSummary> {
  const summary = emptySummary(options.label ?? '(stdin)', 0);
  const changed = new Set<string>();
  for (const [source, list] of bySource(releases, options.source)) {
    for (let i = 0; i < list.length; i += DOCUMENT_BATCH) {
      const counts = await storeReleases(deps.db, source, list.slice(i, i + DOCUMENT_BATCH), deps.clock.now().toISOString());
      addCounts(summary, source, counts, changed);
      options.onProgress?.(summary.fetched, releases.length);
    }
  }
  return finish(summary, changed, options.started ?? Date.now());
}
