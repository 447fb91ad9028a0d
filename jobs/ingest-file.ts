import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { inStoreTransaction, storeReleases, type StoreCounts } from '../db/queries/releases.js';
import { sourceForOcid } from '../src/domain/ocds/release.js';
import { unpackDocument, unpackValue } from '../src/domain/ocds/unpack.js';
import type { IncomingRelease } from '../src/domain/ocds/types.js';
import type { Deps } from '../src/deps.js';

export interface FileIngestSummary extends Omit<StoreCounts, 'changedOcids'> {
  file: string;
  sources: Record<string, number>;
  changed: number;
  changedOcids: string[];
  seconds: number;
}

/**
 * Releases per storeReleases call, and calls per transaction. Small batches keep peak memory down (a batch's
 * parsed releases live until it is stored, long enough to reach the old generation); grouping them keeps
 * commits as rare as with batches of 1,000. Measured on 100,000 releases: 50 x 20 peaked at ~250 MB, 100 x 10
 * at ~320 MB, and was no slower.
 */
const BATCH = 50;
const BATCHES_PER_COMMIT = 20;
/** Releases per storeReleases call for a document read whole (a package), each call its own transaction. */
const DOCUMENT_BATCH = 250;

/**
 * Ingests a release package, record package or JSON-lines file. Each release is filed under the
 * feed its ocid prefix names (cf, fts, pcs, sell2wales), or under `source` when given, so that the
 * same release later arriving from the feed itself is recognised as already stored.
 */
export async function ingestFile(
  deps: Deps,
  path: string,
  options: { source?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<FileIngestSummary> {
  const started = Date.now();
  if (await isJsonLines(path)) return ingestJsonLines(deps, path, { ...options, started });
  const text = await readFile(path, 'utf8');
  return ingestReleases(deps, unpackDocument(text), { ...options, label: path, started });
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

async function ingestJsonLines(
  deps: Deps,
  path: string,
  options: { source?: string; started: number; onProgress?: (done: number, total: number) => void },
): Promise<FileIngestSummary> {
  let total: FileIngestSummary | null = null;
  // One set for the whole file: merging each batch's list into the previous total cost time in the square of the changes.
  const changed = new Set<string>();
  let done = 0;
  const batches = releaseBatches(path);
  try {
    for (let finished = false; !finished; ) {
      finished = await inStoreTransaction(deps.db, async (db) => {
        for (let k = 0; k < BATCHES_PER_COMMIT; k++) {
          const next = await batches.next();
          if (next.done) return true;
          const batch = next.value;
          const part = await ingestReleases({ ...deps, db }, batch, { source: options.source, label: path, started: options.started });
          for (const ocid of part.changedOcids) changed.add(ocid);
          total = total ? addCounts(total, part) : part;
          done += batch.length;
          options.onProgress?.(done, NaN);
        }
        return false;
      });
    }
  } finally {
    await batches.return(undefined);
  }
  const summary: FileIngestSummary = total ?? (await ingestReleases(deps, [], { label: path, started: options.started }));
  summary.changedOcids = [...changed];
  summary.changed = changed.size;
  summary.seconds = (Date.now() - options.started) / 1000;
  return summary;
}

/** The releases of a JSON-lines file, BATCH at a time (a line holding a package may add more). */
async function* releaseBatches(path: string): AsyncGenerator<IncomingRelease[]> {
  let batch: IncomingRelease[] = [];
  let lineNumber = 0;
  const take = (bytes: Buffer, start: number, end: number) => {
    lineNumber++;
    // Decoded line by line, not chunk by chunk: an ASCII line then stays a one-byte string even when another
    // line of the chunk has an accent, which halves its memory and speeds up parsing and binding.
    const line = bytes.toString('utf8', start, end).trim();
    if (line) batch.push(...lineReleases(line, lineNumber));
  };
  // Split lines by hand on the newline byte (never part of a multi-byte UTF-8 character): readline and
  // string decoding of whole chunks cost more than parsing the JSON on lines as long as releases.
  let pending: Buffer[] = [];
  // Small chunks: a chunk still held while a batch is stored is freed only by a full collection.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
    const bytes = chunk as Buffer;
    let start = 0;
    for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
      if (pending.length) {
        pending.push(bytes.subarray(0, end));
        const joined = Buffer.concat(pending);
        pending = [];
        take(joined, 0, joined.length);
      } else {
        take(bytes, start, end);
      }
      start = end + 1;
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (start < bytes.length) pending.push(bytes.subarray(start));
  }
  if (pending.length) {
    const joined = Buffer.concat(pending);
    if (joined.toString('utf8').trim()) take(joined, 0, joined.length);
  }
  if (batch.length) yield batch;
}

function lineReleases(line: string, lineNumber: number): IncomingRelease[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return [{ raw: line, parseError: `line ${lineNumber} is not valid JSON: ${(err as Error).message}` }];
  }
  return unpackValue(value, line);
}

/** Adds the counts of a batch; the changed ocids are gathered by the caller. */
function addCounts(a: FileIngestSummary, b: FileIngestSummary): FileIngestSummary {
  const sources = { ...a.sources };
  for (const [k, v] of Object.entries(b.sources)) sources[k] = (sources[k] ?? 0) + v;
  return {
    file: a.file,
    fetched: a.fetched + b.fetched,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    quarantined: a.quarantined + b.quarantined,
    changed: 0,
    changedOcids: [],
    sources,
    seconds: 0,
  };
}

export async function ingestReleases(
  deps: Deps,
  releases: IncomingRelease[],
  options: { source?: string; label?: string; started?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<FileIngestSummary> {
  const started = options.started ?? Date.now();
  const bySource = new Map<string, IncomingRelease[]>();
  for (const r of releases) {
    const ocid = (r.value as { ocid?: unknown } | undefined)?.ocid;
    const source = options.source ?? (typeof ocid === 'string' ? sourceForOcid(ocid) : null) ?? 'file';
    const list = bySource.get(source);
    if (list) list.push(r);
    else bySource.set(source, [r]);
  }
  const summary: FileIngestSummary = {
    file: options.label ?? '(stdin)',
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    quarantined: 0,
    changed: 0,
    changedOcids: [],
    sources: {},
    seconds: 0,
  };
  const changed = new Set<string>();
  let done = 0;
  for (const [source, list] of bySource) {
    summary.sources[source] = list.length;
    for (let i = 0; i < list.length; i += DOCUMENT_BATCH) {
      const counts = await storeReleases(deps.db, source, list.slice(i, i + DOCUMENT_BATCH), deps.clock.now().toISOString());
      summary.fetched += counts.fetched;
      summary.inserted += counts.inserted;
      summary.updated += counts.updated;
      summary.unchanged += counts.unchanged;
      summary.quarantined += counts.quarantined;
      for (const o of counts.changedOcids) changed.add(o);
      done += Math.min(DOCUMENT_BATCH, list.length - i);
      options.onProgress?.(done, releases.length);
    }
  }
  summary.changedOcids = [...changed];
  summary.changed = changed.size;
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
