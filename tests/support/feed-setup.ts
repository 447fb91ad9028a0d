import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { Db } from '../../db/client.js';
import { testDeps } from './helpers.js';
import { loadFixtureReleases, ReplayServer, spread } from './replay-server.js';

/** Shared set-up of the feed tests: a replay server per test (closed after it) and deps whose clock is fixed. */
export const NOW = new Date('2026-11-24T09:00:00Z');
export const HOUR = 3600_000;

const servers: ReplayServer[] = [];

/** Call at the top level of a test file that uses setup(). */
export function closeServersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
}

/**
 * A replay server for `feed` with its recorded releases spread over the 30 hours before NOW, and
 * deps pointed at it whose sleep advances the fixed clock (so pacing and backoff cost no real time
 * and every wait is recorded).
 */
export async function setup(feed: 'fts' | 'cf', env: Record<string, string> = {}, options: { db?: Db; startHoursAgo?: number; stepMinutes?: number } = {}) {
  const pool = loadFixtureReleases(feed);
  const start = new Date(NOW.getTime() - (options.startHoursAgo ?? 30) * HOUR + 7 * 60_000);
  const server = await new ReplayServer(feed, spread(pool, start, options.stepMinutes ?? 40)).start();
  servers.push(server);
  const sleeps: number[] = [];
  const fetchTimes: number[] = [];
  const deps = await testDeps({
    env: { FTS_BASE_URL: server.url, CF_BASE_URL: server.url, INGEST_BACKFILL_DAYS: '2', ...env },
    ...(options.db ? { db: options.db } : {}),
  });
  deps.clock.set(NOW);
  deps.sleep = async (ms: number) => {
    sleeps.push(ms);
    deps.clock.advance(ms);
  };
  deps.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    fetchTimes.push(deps.clock.now().getTime());
    return globalThis.fetch(input, init);
  }) as typeof fetch;
  return { deps, server, sleeps, fetchTimes, pool };
}

export const TABLES = ['releases', 'tenders', 'lots', 'items', 'awards', 'award_suppliers', 'quarantine'] as const;

/** Every row of the store's feed tables, in a stable order, for before/after comparisons. */
export async function snapshot(db: Db) {
  const out: Record<string, string[]> = {};
  for (const t of TABLES) {
    const rows = await db.selectFrom(t).selectAll().execute();
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

export async function count(db: Db, table: (typeof TABLES)[number]): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export const releaseKeys = (pool: Record<string, unknown>[]) => new Set(pool.map((r, i) => String(r.id ?? `#${i}`)));

/** A port on 127.0.0.1 that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function snapshotWithoutTimes(db: Db) {
  const snap = await snapshot(db);
  const strip = (s: string) => s.replace(/"(stored_at|updated_at|received_at)":"[^"]*"/g, '"$1":"-"');
  return Object.fromEntries(Object.entries(snap).map(([t, rows]) => [t, rows.map(strip).sort()]));
}
