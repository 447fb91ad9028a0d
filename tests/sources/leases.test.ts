import { describe, expect, it } from 'vitest';
import { acquireLease, getLease, releaseLease, renewLease } from '../../db/queries/leases.js';
import { getSourceState } from '../../db/queries/sources.js';
import { ingestSource, type IngestSummary } from '../../jobs/ingest.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { closeServersAfterEach, NOW, setup } from '../support/feed-setup.js';

closeServersAfterEach();

describe('leases', () => {
  it('lets one holder in at a time, and lets another take over once it expires', async () => {
    const { db } = await testDeps();
    const t0 = NOW;
    expect(await acquireLease(db, 'ingest:fts', 'a', t0, 900)).toBe(true);
    expect(await acquireLease(db, 'ingest:fts', 'b', new Date(t0.getTime() + 899_000), 900)).toBe(false);
    expect(await acquireLease(db, 'ingest:fts', 'a', new Date(t0.getTime() + 10_000), 900)).toBe(true); // ours already
    expect(await acquireLease(db, 'ingest:cf', 'b', t0, 900)).toBe(true); // another source is free
    const expired = new Date(t0.getTime() + 10_000 + 900_000);
    expect(await acquireLease(db, 'ingest:fts', 'b', expired, 900)).toBe(true);
    expect(await getLease(db, 'ingest:fts')).toMatchObject({ holder: 'b' });
    expect(await renewLease(db, 'ingest:fts', 'a', expired, 900)).toBe(false);
    await releaseLease(db, 'ingest:fts', 'a'); // not a's to release
    expect(await getLease(db, 'ingest:fts')).toMatchObject({ holder: 'b' });
    await releaseLease(db, 'ingest:fts', 'b');
    expect(await getLease(db, 'ingest:fts')).toBeNull();
  });

  it('two ingests of one source at once: one proceeds, the other is told the source is held', async () => {
    const { deps, server, pool } = await setup('cf');
    server.delayMs = 30;
    const results: IngestSummary[] = await Promise.all([ingestSource(deps, { source: 'cf' }), ingestSource(deps, { source: 'cf' })]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual(['held', 'ok']);
    const held = results.find((r) => r.status === 'held')!;
    const ran = results.find((r) => r.status === 'ok')!;
    expect(held.error).toMatch(/another instance/);
    expect(held.leaseHolder).toBe(ran.leaseHolder);
    expect(held.fetched).toBe(0);
    expect(ran.fetched).toBe(pool.length);
    expect(await getLease(deps.db, 'ingest:cf')).toBeNull(); // released at the end
  });

  it("waits out a crashed holder's lease, then ingests", async () => {
    const { deps } = await setup('cf', { LEASE_SECONDS: '900' });
    await acquireLease(deps.db, 'ingest:cf', 'crashed-instance', NOW, 900);
    const app = createApp(deps);
    const during = (await (await app.request('/sources/cf')).json()) as { lease: { holder: string } | null };
    expect(during.lease).toMatchObject({ holder: 'crashed-instance' });

    deps.clock.set(new Date(NOW.getTime() + 600_000));
    expect(await ingestSource(deps, { source: 'cf' })).toMatchObject({ status: 'held', leaseHolder: 'crashed-instance' });
    deps.clock.set(new Date(NOW.getTime() + 901_000));
    expect(await ingestSource(deps, { source: 'cf' })).toMatchObject({ status: 'ok' });
  });
});

describe('GET /sources', () => {
  it('reports each feed: last run, watermark, counts, last error, lease', async () => {
    const { deps, pool } = await setup('cf');
    const app = createApp(deps);
    const empty = (await (await app.request('/sources')).json()) as { sources: Array<Record<string, unknown>> };
    expect(empty.sources.map((s) => s.source)).toEqual(['fts', 'cf']);
    expect(empty.sources[1]).toMatchObject({ watermark: null, counts: { fetched: 0, new: 0 }, lastError: null, lease: null });

    await ingestSource(deps, { source: 'cf' });
    const res = await app.request('/sources');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sources: Array<Record<string, unknown>> };
    const cf = body.sources.find((s) => s.source === 'cf')!;
    const state = await getSourceState(deps.db, 'cf');
    expect(cf).toMatchObject({
      name: 'Contracts Finder',
      watermark: state!.watermark,
      lastRun: { status: 'ok', error: null, startedAt: NOW.toISOString() },
      counts: { fetched: pool.length, new: state!.inserted, updated: state!.updated, unchanged: 0, quarantined: 0 },
      lastError: null,
      lease: null,
    });
    expect((cf.counts as { new: number }).new).toBeGreaterThan(0);
    expect((await app.request('/sources/nope')).status).toBe(404);
  });
});
