import { acquireLease, getLease, releaseLease, renewLease } from '../db/queries/leases.js';
import { storeReleases } from '../src/ingest/store.js';
import { linkChangedTwins } from '../db/queries/twins.js';
import { getSourceState, markRunFinished, markRunStarted, recordWindowStored, type IngestCounts } from '../db/queries/sources.js';
import type { Deps } from '../src/deps.js';
import { FetchFailedError, type FetchContext, type RetryInfo } from '../src/sources/http.js';
import { Pacer } from '../src/sources/pacer.js';
import { splitWindows, windowPages } from '../src/sources/paging.js';
import { findAdapter, sourceIds } from '../src/sources/adapters.js';
import type { SourceAdapter, Window } from '../src/sources/types.js';

export type IngestProgress =
  | { kind: 'page'; source: string; window: number; windows: number; from: string; to: string; page: number; releases: number; fetched: number }
  | { kind: 'window'; source: string; window: number; windows: number; from: string; to: string; watermark: string | null }
  | { kind: 'retry'; source: string; url: string; attempt: number; reason: string; waitMs: number };

export interface IngestOptions {
  source: string;
  /**
   * Only these contracting stages (`planning`, `tender`, `award`), where the feed can filter (Find a Tender's
   * `stages`). Such a run needs `from`, and never moves the watermark: the stages it leaves out are still to fetch.
   */
  stages?: string[];
  /** Start of the range; default: the source's watermark, or now − INGEST_BACKFILL_DAYS. */
  from?: Date | string;
  /** End of the range; default: now. */
  to?: Date | string;
  onProgress?: (p: IngestProgress) => void;
  /** Who asks for the lease; default: a fresh id per run. */
  holder?: string;
}

export interface IngestSummary extends IngestCounts {
  source: string;
  ok: boolean;
  /** ok: every window stored; held: another instance is ingesting this source; error: a window failed. */
  status: 'ok' | 'held' | 'error';
  error: string | null;
  from: string;
  to: string;
  windows: number;
  windowsStored: number;
  pages: number;
  requests: number;
  retries: number;
  watermark: string | null;
  changed: number;
  changedOcids: string[];
  leaseHolder: string | null;
  seconds: number;
}

class LeaseLostError extends Error {}

const leaseName = (source: string) => `ingest:${source}`;

function toDate(value: Date | string, name: string): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`${name} is not a date: ${String(value)}`);
  return d;
}

const wholeSeconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/**
 * Pulls one feed from its watermark (or the given range) up to now, window by window, storing each
 * page as it arrives. The watermark moves to a window's end only after every page of that window is
 * stored, so a run that stops anywhere resumes from the first window it had not finished, and
 * re-storing a window changes nothing. A lease in the store keeps two instances off the same feed.
 * Failures end the run with an error summary; they are never thrown.
 */
export async function ingestSource(deps: Deps, options: IngestOptions): Promise<IngestSummary> {
  const adapter = findAdapter(options.source);
  if (!adapter) throw new Error(`unknown source "${options.source}"; known sources: ${sourceIds().join(', ')}`);
  const { db, config, log } = deps;
  const started = Date.now();
  const now = wholeSeconds(deps.clock.now());
  const holder = options.holder ?? `ingest-${globalThis.crypto.randomUUID()}`;
  const lease = leaseName(adapter.id);
  const leaseSeconds = config.LEASE_SECONDS;

  const summary: IngestSummary = {
    source: adapter.id,
    ok: false,
    status: 'error',
    error: null,
    from: '',
    to: '',
    windows: 0,
    windowsStored: 0,
    pages: 0,
    requests: 0,
    retries: 0,
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    quarantined: 0,
    watermark: null,
    changed: 0,
    changedOcids: [],
    leaseHolder: holder,
    seconds: 0,
  };
  const finish = () => ({ ...summary, seconds: (Date.now() - started) / 1000 });

  if (!(await acquireLease(db, lease, holder, now, leaseSeconds))) {
    const current = await getLease(db, lease);
    summary.status = 'held';
    summary.leaseHolder = current?.holder ?? null;
    summary.error = `another instance (${current?.holder ?? 'unknown'}) is ingesting ${adapter.id} until ${current?.expiresAt ?? '?'}`;
    log.info(`${adapter.id}: skipped, ${summary.error}`, { source: adapter.id });
    return finish();
  }

  const changed = new Set<string>();
  let partial: WindowCounts | null = null;
  try {
    const state = await getSourceState(db, adapter.id);
    let watermark = state?.watermark ?? null;
    summary.watermark = watermark;
    const from =
      options.from !== undefined
        ? toDate(options.from, 'from')
        : watermark !== null
          ? new Date(watermark)
          : new Date(now.getTime() - config.INGEST_BACKFILL_DAYS * 86400_000);
    const to = options.to !== undefined ? toDate(options.to, 'to') : now;
    // A watermark ahead of the clock (the clock was set back) just means there is nothing to fetch yet.
    const explicit = options.from !== undefined || options.to !== undefined;
    const stages = options.stages?.length ? options.stages : undefined;
    if (stages && options.from === undefined) throw new Error('a run of some stages only needs --from: it never moves the watermark');
    const unknownStage = stages?.find((s) => !['planning', 'tender', 'award'].includes(s));
    if (unknownStage) throw new Error(`unknown stage "${unknownStage}"; stages are planning, tender, award`);
    if (explicit && to.getTime() < from.getTime()) throw new Error(`the range ends (${to.toISOString()}) before it starts (${from.toISOString()})`);
    summary.from = from.toISOString();
    summary.to = to.toISOString();

    await markRunStarted(db, adapter.id, deps.clock.now().toISOString());
    const windows = splitWindows(from, to, adapter.windowHours(config));
    summary.windows = windows.length;

    let lastRenewal = deps.clock.now().getTime();
    const keepLease = async () => {
      const t = deps.clock.now();
      if (t.getTime() - lastRenewal < (leaseSeconds * 1000) / 3) return;
      if (!(await renewLease(db, lease, holder, t, leaseSeconds))) {
        throw new LeaseLostError(`lost the ingest lease for ${adapter.id} (it expired and another instance took it)`);
      }
      lastRenewal = t.getTime();
    };
    const beforeAttempt = async () => {
      summary.requests++;
      await keepLease();
    };
    const ctx = fetchContext(deps, adapter, beforeAttempt, (info) => {
      summary.retries++;
      log.debug(`${adapter.id}: retrying`, { source: adapter.id, ...info });
      options.onProgress?.({ kind: 'retry', source: adapter.id, ...info });
    });

    for (let w = 0; w < windows.length; w++) {
      const window = windows[w];
      const counts = emptyCounts();
      partial = counts;
      await ingestWindow(deps, adapter, ctx, window, counts, stages, (page, fetched) => {
        summary.pages++;
        options.onProgress?.({
          kind: 'page',
          source: adapter.id,
          window: w + 1,
          windows: windows.length,
          from: window.from.toISOString(),
          to: window.to.toISOString(),
          page: page.index + 1,
          releases: page.releases,
          fetched,
        });
      });
      // Only a window that meets the stored range end to end may move the watermark; a range asked
      // for by hand beyond a gap is stored but leaves the watermark where it was.
      const advance = !stages && (watermark === null || window.from.getTime() <= new Date(watermark).getTime());
      const windowEnd = window.to.toISOString();
      partial = null;
      await recordWindowStored(db, adapter.id, advance ? windowEnd : null, counts);
      if (advance && (watermark === null || windowEnd > watermark)) watermark = windowEnd;
      summary.watermark = watermark;
      summary.windowsStored++;
      addCounts(summary, counts, changed);
      options.onProgress?.({
        kind: 'window',
        source: adapter.id,
        window: w + 1,
        windows: windows.length,
        from: window.from.toISOString(),
        to: windowEnd,
        watermark,
      });
      await keepLease();
    }
    summary.ok = true;
    summary.status = 'ok';
    await markRunFinished(db, adapter.id, deps.clock.now().toISOString(), 'ok', null);
    log.info(`${adapter.id}: ingest done`, {
      source: adapter.id,
      windows: summary.windows,
      pages: summary.pages,
      fetched: summary.fetched,
      inserted: summary.inserted,
      updated: summary.updated,
      quarantined: summary.quarantined,
      watermark,
    });
  } catch (err) {
    // Pages of the failed window that were stored count, but the watermark stays before the window.
    if (partial) {
      addCounts(summary, partial, changed);
      await recordWindowStored(db, adapter.id, null, partial).catch(() => {});
    }
    summary.error = explain(adapter, err);
    log.error(`${adapter.id}: ${summary.error}; the watermark stays at ${summary.watermark ?? 'none'} and the next run resumes from there`, {
      source: adapter.id,
    });
    await markRunFinished(db, adapter.id, deps.clock.now().toISOString(), 'error', summary.error).catch(() => {});
  } finally {
    await releaseLease(db, lease, holder).catch(() => {});
  }
  summary.changedOcids = [...changed];
  summary.changed = changed.size;
  // The same procurement published twice (two portals, or a new ocid) is linked, and matched once.
  await linkChangedTwins(db, summary.changedOcids, deps.clock.now().toISOString()).catch((err: Error) =>
    log.error(`${adapter.id}: linking twins failed: ${err.message}; these tenders are linked when they next change`, { source: adapter.id }),
  );
  return finish();
}

function explain(adapter: SourceAdapter, err: unknown): string {
  if (err instanceof FetchFailedError && !err.reachable) {
    return `cannot reach ${adapter.name} at ${new URL(err.url).origin}: ${err.reason.replace(/^network error: /, '')}, ${err.attempts} attempts`;
  }
  if (err instanceof FetchFailedError) return `${adapter.name} failed: ${err.message}`;
  return `${adapter.name} ingest failed: ${err instanceof Error ? err.message : String(err)}`;
}

function fetchContext(deps: Deps, adapter: SourceAdapter, beforeAttempt: () => Promise<void>, onRetry: (info: RetryInfo) => void): FetchContext {
  const now = () => deps.clock.now().getTime();
  return {
    fetch: deps.fetch,
    sleep: deps.sleep,
    now,
    pacer: new Pacer(adapter.pacing(deps.config), now, deps.sleep),
    policy: {
      timeoutMs: deps.config.HTTP_TIMEOUT_MS,
      maxRetries: deps.config.HTTP_MAX_RETRIES,
      // 1 s doubling to at most 60 s: six retries span about a minute, long enough for a restart
      // of the publisher's front end, short enough for a 15-minute schedule.
      backoffBaseMs: 1000,
      backoffCapMs: 60_000,
      // A wait longer than half the lease could let the lease lapse between two renewals.
      retryAfterCapMs: Math.min(15 * 60_000, (deps.config.LEASE_SECONDS * 1000) / 2),
      forbidden: adapter.forbidden,
    },
    beforeAttempt,
    onRetry,
  };
}

type WindowCounts = IngestCounts & { changedOcids: string[] };

const emptyCounts = (): WindowCounts => ({ fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, changedOcids: [] });

function addCounts(into: IngestCounts, counts: WindowCounts, changed: Set<string>) {
  for (const key of ['fetched', 'inserted', 'updated', 'unchanged', 'quarantined'] as const) into[key] += counts[key];
  for (const ocid of counts.changedOcids) changed.add(ocid);
}

/** Fetches and stores every page of one window, adding to `counts` page by page. */
async function ingestWindow(
  deps: Deps,
  adapter: SourceAdapter,
  ctx: FetchContext,
  window: Window,
  counts: WindowCounts,
  stages: string[] | undefined,
  onPage: (page: { index: number; releases: number; attempts: number }, fetched: number) => void,
): Promise<void> {
  for await (const page of windowPages(ctx, adapter, adapter.baseUrl(deps.config), window, { stages })) {
    if (page.releases.length > 0) {
      const stored = await storeReleases(deps.db, adapter.id, page.releases, deps.clock.now().toISOString());
      counts.fetched += stored.fetched;
      counts.inserted += stored.inserted;
      counts.updated += stored.updated;
      counts.unchanged += stored.unchanged;
      counts.quarantined += stored.quarantined;
      counts.changedOcids.push(...stored.changedOcids);
    }
    onPage({ index: page.index, releases: page.releases.length, attempts: page.attempts }, counts.fetched);
  }
}

export interface IngestAllSummary {
  ok: boolean;
  sources: IngestSummary[];
  fetched: number;
  inserted: number;
  updated: number;
  quarantined: number;
  changed: number;
  changedOcids: string[];
}

/** Pulls every feed named in INGEST_SOURCES, side by side (each has its own pacing); never throws. */
export async function ingestAll(deps: Deps, options: { onProgress?: (p: IngestProgress) => void } = {}): Promise<IngestAllSummary> {
  const wanted = deps.config.INGEST_SOURCES.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((id) => !findAdapter(id));
  if (unknown.length) deps.log.warn(`INGEST_SOURCES names unknown sources: ${unknown.join(', ')}`, { known: sourceIds() });
  const results = await Promise.all(
    wanted
      .filter((id) => findAdapter(id))
      .map(async (id): Promise<IngestSummary> => {
        try {
          return await ingestSource(deps, { source: id, onProgress: options.onProgress });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          deps.log.error(`${id}: ingest failed: ${message}`, { source: id });
          return {
            source: id, ok: false, status: 'error', error: message, from: '', to: '', windows: 0, windowsStored: 0, pages: 0,
            requests: 0, retries: 0, fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, watermark: null,
            changed: 0, changedOcids: [], leaseHolder: null, seconds: 0,
          };
        }
      }),
  );
  const changedOcids = [...new Set(results.flatMap((r) => r.changedOcids))];
  const sum = (k: 'fetched' | 'inserted' | 'updated' | 'quarantined') => results.reduce((n, r) => n + r[k], 0);
  return {
    ok: results.every((r) => r.status !== 'error') && unknown.length === 0,
    sources: results,
    fetched: sum('fetched'),
    inserted: sum('inserted'),
    updated: sum('updated'),
    quarantined: sum('quarantined'),
    changed: changedOcids.length,
    changedOcids,
  };
}
