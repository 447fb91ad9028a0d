import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { storeReleases, type StoreCounts } from '../db/queries/releases.js';
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

const BATCH = 250;

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
  let batch: IncomingRelease[] = [];
  let lineNumber = 0;
  let done = 0;
  const flush = async () => {
    const part = await ingestReleases(deps, batch, { source: options.source, label: path, started: options.started });
    total = total ? addSummaries(total, part) : part;
    done += batch.length;
    options.onProgress?.(done, NaN);
    batch = [];
  };
  // Split lines by hand: readline costs more than parsing the JSON on lines as long as releases.
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      lineNumber++;
      const line = text.slice(start, end).trim();
      start = end + 1;
      if (line) batch.push(...lineReleases(line, lineNumber));
      if (batch.length >= BATCH) await flush();
    }
    rest = text.slice(start);
  }
  if (rest.trim()) batch.push(...lineReleases(rest.trim(), ++lineNumber));
  if (batch.length) await flush();
  const summary: FileIngestSummary = total ?? (await ingestReleases(deps, [], { label: path, started: options.started }));
  summary.seconds = (Date.now() - options.started) / 1000;
  return summary;
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

function addSummaries(a: FileIngestSummary, b: FileIngestSummary): FileIngestSummary {
  const changed = new Set([...a.changedOcids, ...b.changedOcids]);
  const sources = { ...a.sources };
  for (const [k, v] of Object.entries(b.sources)) sources[k] = (sources[k] ?? 0) + v;
  return {
    file: a.file,
    fetched: a.fetched + b.fetched,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    quarantined: a.quarantined + b.quarantined,
    changed: changed.size,
    changedOcids: [...changed],
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
    for (let i = 0; i < list.length; i += BATCH) {
      const counts = await storeReleases(deps.db, source, list.slice(i, i + BATCH), deps.clock.now().toISOString());
      summary.fetched += counts.fetched;
      summary.inserted += counts.inserted;
      summary.updated += counts.updated;
      summary.unchanged += counts.unchanged;
      summary.quarantined += counts.quarantined;
      for (const o of counts.changedOcids) changed.add(o);
      done += Math.min(BATCH, list.length - i);
      options.onProgress?.(done, releases.length);
    }
  }
  summary.changedOcids = [...changed];
  summary.changed = changed.size;
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
