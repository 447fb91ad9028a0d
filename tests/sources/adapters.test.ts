import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLease, getLease, releaseLease, renewLease } from '../../db/queries/leases.js';
import { getSourceState, markRunFinished, markRunStarted, recordWindowStored } from '../../db/queries/sources.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { ingestSource } from '../../jobs/ingest.js';
import { loadConfig } from '../../src/config.js';
import { sourceAdapters } from '../../src/sources/adapters.js';
import { closeServersAfterEach, count, NOW, setup } from '../support/feed-setup.js';

closeServersAfterEach();

describe('every registered adapter', () => {
  it.each(sourceAdapters.map((a) => [a.id, a] as const))('%s is declared completely and its pages parse against the replay server', async (id, adapter) => {
    const dir = new URL('../../src/sources/', import.meta.url);
    const declaring = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .filter((text) => text.includes(`id: '${id}'`));
    expect(declaring).toHaveLength(1);
    const file = declaring[0];
    const header = file.slice(0, file.indexOf('import '));
    expect(header).toContain(adapter.docs);
    expect(header).toMatch(/Documentation:/);
    expect(header).toMatch(/Known faults/);
    expect(adapter.docs).toMatch(/^https:\/\//);
    expect(adapter.name.length).toBeGreaterThan(3);
    expect(adapter.paging).toBe('cursor-links-next');
    for (const env of [{}, { FTS_WINDOW_HOURS: '6', CF_WINDOW_HOURS: String(24 * 31) }]) {
      const config = loadConfig(env);
      expect(adapter.windowHours(config)).toBeLessThanOrEqual(adapter.maxWindowHours);
      expect(adapter.pacing(config).maxRequests).toBeGreaterThan(0);
      expect(new URL(adapter.baseUrl(config)).protocol).toBe('https:');
    }
    const feed = id as 'fts' | 'cf';
    const { deps, server, pool } = await setup(feed);
    server.pageSize = 5;
    const summary = await ingestSource(deps, { source: id });
    expect(summary).toMatchObject({ status: 'ok', fetched: pool.length });
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
    expect(await count(deps.db, 'tenders')).toBe(new Set(pool.map((r) => r.ocid)).size);
  });

  it('covers every adapter in src/sources', () => {
    expect(sourceAdapters.map((a) => a.id).sort()).toEqual(['cf', 'fts']);
  });
});

// Leases and source state are single statements that must behave the same on PostgreSQL (CI starts
// one; elsewhere set TEST_POSTGRES_URL).
const pgUrl = process.env.TEST_POSTGRES_URL ?? (process.env.CI ? 'postgres://postgres@127.0.0.1:5432/test' : undefined);

describe.skipIf(!pgUrl)('leases and source state on PostgreSQL', () => {
  const schema = `tm_sources_${process.pid}_${Date.now()}`;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => cleanup?.());

  async function pgDb(): Promise<Db> {
    const admin = await openDb(pgUrl!);
    await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin);
    const url = new URL(pgUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const db = await openDb(url.toString());
    cleanup = async () => {
      await db.destroy();
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin);
      await admin.destroy();
    };
    await migrate(db);
    return db;
  }

  it('one of two racing holders wins; expiry, renewal, release and the watermark work as on SQLite', async () => {
    const db = await pgDb();
    const wins = await Promise.all(['a', 'b', 'c'].map((h) => acquireLease(db, 'ingest:fts', h, NOW, 900)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c'][wins.indexOf(true)];
    expect(await renewLease(db, 'ingest:fts', winner, NOW, 900)).toBe(true);
    const later = new Date(NOW.getTime() + 901_000);
    expect(await acquireLease(db, 'ingest:fts', 'd', later, 900)).toBe(true);
    expect(await renewLease(db, 'ingest:fts', winner, later, 900)).toBe(false);
    await releaseLease(db, 'ingest:fts', 'd');
    expect(await getLease(db, 'ingest:fts')).toBeNull();

    await markRunStarted(db, 'fts', NOW.toISOString());
    const counts = { fetched: 3, inserted: 2, updated: 1, unchanged: 0, quarantined: 0 };
    await recordWindowStored(db, 'fts', '2026-11-24T03:00:00.000Z', counts);
    await recordWindowStored(db, 'fts', '2026-11-24T09:00:00.000Z', counts);
    await recordWindowStored(db, 'fts', '2026-11-24T06:00:00.000Z', counts); // never backwards
    await recordWindowStored(db, 'fts', null, counts);
    await markRunFinished(db, 'fts', NOW.toISOString(), 'ok', null);
    expect(await getSourceState(db, 'fts')).toMatchObject({
      watermark: '2026-11-24T09:00:00.000Z',
      fetched: 12,
      inserted: 8,
      updated: 4,
      last_status: 'ok',
    });
  });
});
