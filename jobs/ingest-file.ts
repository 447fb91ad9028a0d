import { readFile } from 'node:fs/promises';
import { storeReleases, type StoreCounts } from '../db/queries/releases.js';
import { sourceForOcid } from '../src/domain/ocds/release.js';
import { unpackDocument } from '../src/domain/ocds/unpack.js';
import type { IncomingRelease } from '../src/domain/ocds/types.js';
import type { Deps } from '../src/deps.js';

export interface FileIngestSummary extends Omit<StoreCounts, 'changedOcids'> {
  file: string;
  sources: Record<string, number>;
  changed: number;
  changedOcids: string[];
  seconds: number;
}

const BATCH = 1000;

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
  const text = await readFile(path, 'utf8');
  return ingestReleases(deps, unpackDocument(text), { ...options, label: path, started });
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
