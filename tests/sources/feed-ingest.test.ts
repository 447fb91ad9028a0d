import { describe, expect, it } from 'vitest';
import { getSourceState, recordWindowStored } from '../../db/queries/sources.js';
import { ingestAll, ingestSource } from '../../jobs/ingest.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { type Fault } from '../support/replay-server.js';
import { closeServersAfterEach, closedPort, count, HOUR, NOW, releaseKeys, setup, snapshot, snapshotWithoutTimes } from '../support/feed-setup.js';

closeServersAfterEach();

describe('ingest from a feed', () => {
  it('follows links.next across pages and stores every release of every page', async () => {
    const { deps, server, pool } = await setup('cf', {}, { stepMinutes: 20 });
    server.pageSize = 7;
    const summary = await ingestSource(deps, { source: 'cf' });
    expect(summary).toMatchObject({ status: 'ok', ok: true, error: null, fetched: pool.length, quarantined: 0 });
    expect(summary.pages).toBeGreaterThanOrEqual(Math.ceil(pool.length / 7));
    // Next links name the publisher's host; we must have followed them on the replay server.
    expect(server.requests.filter((r) => r.query.cursor).length).toBeGreaterThan(3);
    expect(await count(deps.db, 'releases')).toBe(releaseKeys(pool).size);
    expect(await count(deps.db, 'tenders')).toBe(new Set(pool.map((r) => r.ocid)).size);
    expect(summary.inserted + summary.updated).toBe(pool.length);
    const state = await getSourceState(deps.db, 'cf');
    expect(state).toMatchObject({ watermark: NOW.toISOString(), last_status: 'ok', last_error: null, fetched: pool.length });
    expect(summary.changedOcids.length).toBe(new Set(pool.map((r) => r.ocid)).size);
  });

  it('asks Contracts Finder with publishedFrom, publishedTo, stages and limit', async () => {
    const { deps, server } = await setup('cf');
    await ingestSource(deps, { source: 'cf', from: '2026-11-23T09:00:00Z', to: '2026-11-24T09:00:00Z' });
    expect(server.requests[0].query).toMatchObject({
      publishedFrom: '2026-11-23T09:00:00Z',
      publishedTo: '2026-11-24T09:00:00Z',
      stages: 'planning,tender,award,implementation',
      limit: '100',
    });
  });

  it.each<[string, Fault, (waits: number[]) => void]>([
    ['429 without Retry-After: waits a jittered multiple of the pacing interval', { kind: '429' }, (w) => expect(w[0]).toBeGreaterThanOrEqual(5000)],
    ['429 with Retry-After seconds: waits as told', { kind: '429-retry-after', retryAfter: '7' }, (w) => expect(w).toContain(7000)],
    ['429 with Retry-After date: waits until then', { kind: '429-retry-after', retryAfter: 'Tue, 24 Nov 2026 09:00:42 GMT' }, (w) => expect(w).toContain(42_000)],
    ['503: jittered exponential backoff', { kind: '503' }, (w) => expect(w[0]).toBeGreaterThanOrEqual(500)],
    ['a truncated body: retried as a failed fetch', { kind: 'truncated' }, (w) => expect(w[0]).toBeGreaterThanOrEqual(500)],
    ['a connection cut mid-body: retried', { kind: 'cut' }, (w) => expect(w[0]).toBeGreaterThanOrEqual(500)],
  ])('recovers from %s', async (_name, fault, checkWaits) => {
    const { deps, server, sleeps, pool } = await setup('fts');
    // The fault hits the first page of the fourth window, the first that holds releases.
    server.faultFor = (n) => (n === 4 ? fault : null);
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary).toMatchObject({ status: 'ok', retries: 1, fetched: pool.length, requests: server.requests.length });
    expect(server.requests[3].fault).toBe(fault.kind);
    expect(server.requests[4].query).toEqual(server.requests[3].query);
    // Waits other than the retry are pacing: 12 per 120 s.
    const retryWait = sleeps.filter((ms) => ms !== 0);
    checkWaits(retryWait);
    expect(await count(deps.db, 'releases')).toBe(releaseKeys(pool).size);
  });

  it('backs off exponentially, with jitter, and the waits grow', async () => {
    const { deps, server, sleeps } = await setup('fts', { FTS_MAX_REQUESTS: '1000', FTS_PER_SECONDS: '1' });
    server.fail({ kind: '503' }, { kind: '503' }, { kind: '503' }, { kind: '503' });
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary.status).toBe('ok');
    expect(sleeps.slice(0, 4).map((ms, i) => [ms >= 500 * 2 ** i, ms <= 1000 * 2 ** i])).toEqual(Array(4).fill([true, true]));
  });

  it('waits 5 minutes after a Contracts Finder 403 and tries again', async () => {
    const { deps, server, sleeps, pool } = await setup('cf');
    server.fail({ kind: '403' });
    const summary = await ingestSource(deps, { source: 'cf' });
    expect(summary).toMatchObject({ status: 'ok', retries: 1, fetched: pool.length });
    expect(sleeps).toContain(300_000);
  });

  it('treats a Find a Tender 403 as a refusal: the window fails at once and the watermark stays', async () => {
    const { deps, server } = await setup('fts');
    server.faultFor = (n) => (n === 2 ? { kind: '403' } : null);
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary).toMatchObject({ status: 'error', ok: false, windowsStored: 1, retries: 0 });
    expect(summary.error).toMatch(/403/);
    expect(server.requests).toHaveLength(2);
    const state = await getSourceState(deps.db, 'fts');
    expect(state).toMatchObject({ watermark: '2026-11-22T15:00:00.000Z', last_status: 'error' });
    expect(state!.last_error).toMatch(/403/);
  });

  it('gives up on a page that stays broken: the run ends with an error summary, the watermark does not advance', async () => {
    const { deps, server } = await setup('fts', { HTTP_MAX_RETRIES: '2' });
    server.pageSize = 2;
    // Window 4's second page is always cut short.
    server.faultFor = (_n, url) => (url.searchParams.get('cursor') && Buffer.from(url.searchParams.get('cursor')!, 'base64').toString().startsWith('2026-11-23T03') ? { kind: 'truncated' } : null);
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary.status).toBe('error');
    expect(summary.error).toMatch(/broken page.*3 attempts/);
    expect(summary.windowsStored).toBe(3);
    expect(summary.fetched).toBeGreaterThan(0);
    const state = await getSourceState(deps.db, 'fts');
    expect(state!.watermark).toBe('2026-11-23T03:00:00.000Z');
    expect(deps.log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });

  it('times out a slow answer and retries it', async () => {
    const { deps, server, pool } = await setup('fts', { HTTP_TIMEOUT_MS: '150' });
    server.fail({ kind: 'slow', delayMs: 600 });
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary).toMatchObject({ status: 'ok', retries: 1, fetched: pool.length });
  });

  it('ends a window cleanly at a page without links.next', async () => {
    const { deps, server } = await setup('fts', {}, { startHoursAgo: 30, stepMinutes: 5 });
    server.pageSize = 3;
    // The fourth window holds every release; its first page comes without a next link.
    server.faultFor = (n) => (n === 4 ? { kind: 'no-next' } : null);
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary).toMatchObject({ status: 'ok', fetched: 3, windowsStored: 8, error: null });
    expect(server.requests[3].query.updatedFrom).toBe('2026-11-23T03:00:00');
    expect(server.requests[4].query.updatedFrom).toBe('2026-11-23T09:00:00');
    expect(summary.watermark).toBe(NOW.toISOString());
  });

  it('survives 1e9999 in a page: the release is stored as published and its value reads as missing', async () => {
    const { deps, server, pool } = await setup('cf');
    server.fail({ kind: 'infinity' });
    const summary = await ingestSource(deps, { source: 'cf' });
    expect(summary).toMatchObject({ status: 'ok', fetched: pool.length });
    const odd = await deps.db.selectFrom('releases').select(['ocid', 'raw']).where('raw', 'like', '%1e9999%').execute();
    expect(odd).toHaveLength(1);
    const values = [
      ...(await deps.db.selectFrom('tenders').select('value_amount').execute()),
      ...(await deps.db.selectFrom('lots').select('value_amount').execute()),
      ...(await deps.db.selectFrom('awards').select('value_amount').execute()),
    ];
    for (const v of values) if (v.value_amount !== null) expect(Number.isFinite(v.value_amount)).toBe(true);
    // The amount that was 1e9999 is stored as missing.
    const release = JSON.parse(odd[0].raw) as { tender?: { value?: { amount?: number } }; awards?: Array<{ id: string; value?: { amount?: number } }> };
    if (release.tender?.value?.amount === Infinity) {
      expect((await deps.db.selectFrom('tenders').select('value_amount').where('ocid', '=', odd[0].ocid).executeTakeFirstOrThrow()).value_amount).toBeNull();
    }
    const award = release.awards?.find((a) => a.value?.amount === Infinity);
    if (award) {
      const row = await deps.db.selectFrom('awards').select('value_amount').where('ocid', '=', odd[0].ocid).where('award_id', '=', award.id).executeTakeFirstOrThrow();
      expect(row.value_amount).toBeNull();
    }
    expect(release.tender?.value?.amount === Infinity || award !== undefined).toBe(true);
    const res = await createApp(deps).request(`/tenders/${encodeURIComponent(odd[0].ocid)}`);
    expect(res.status).toBe(200);
  });

  it('keeps to 12 requests in any 2 minutes for Find a Tender', async () => {
    const { deps, server, fetchTimes, sleeps } = await setup('fts', {}, { startHoursAgo: 5, stepMinutes: 5 });
    server.pageSize = 1;
    const summary = await ingestSource(deps, { source: 'fts', from: '2026-11-24T03:00:00Z', to: NOW.toISOString() });
    expect(summary.status).toBe('ok');
    expect(fetchTimes.length).toBeGreaterThanOrEqual(30);
    let most = 0;
    for (let i = 0; i < fetchTimes.length; i++) {
      most = Math.max(most, fetchTimes.filter((t) => t >= fetchTimes[i] && t < fetchTimes[i] + 120_000).length);
    }
    expect(most).toBe(12);
    // The first 12 go at once; every later one waits for the oldest of the last 12 to age out.
    expect(fetchTimes.at(-1)! - fetchTimes[0]).toBeGreaterThanOrEqual(Math.floor((fetchTimes.length - 1) / 12) * 120_000);
    expect(sleeps.length).toBeGreaterThan(0);
  });

  it('advances the watermark only after a whole window is stored, and a stopped run resumes there', async () => {
    const { deps, server, pool } = await setup('fts', { HTTP_MAX_RETRIES: '0' });
    server.pageSize = 2;
    // Fail the second page of the fifth window (2026-11-23T09:00 to 15:00).
    server.faultFor = (_n, url) => {
      const c = url.searchParams.get('cursor');
      return c && Buffer.from(c, 'base64').toString().startsWith('2026-11-23T09:00:00|') ? { kind: '503' } : null;
    };
    const first = await ingestSource(deps, { source: 'fts' });
    expect(first).toMatchObject({ status: 'error', windowsStored: 4 });
    expect((await getSourceState(deps.db, 'fts'))!.watermark).toBe('2026-11-23T09:00:00.000Z');
    const storedAfterStop = await count(deps.db, 'releases');
    expect(storedAfterStop).toBeGreaterThan(0);

    server.faultFor = null;
    const before = server.requests.length;
    deps.clock.set(NOW);
    const second = await ingestSource(deps, { source: 'fts' });
    expect(second.status).toBe('ok');
    expect(server.requests[before].query.updatedFrom).toBe('2026-11-23T09:00:00');
    expect(second.windows).toBe(4);

    // Same rows as one uninterrupted run.
    const clean = await setup('fts');
    clean.server.pageSize = 2;
    await ingestSource(clean.deps, { source: 'fts' });
    expect(await snapshotWithoutTimes(deps.db)).toEqual(await snapshotWithoutTimes(clean.deps.db));
    expect(await count(deps.db, 'releases')).toBe(releaseKeys(pool).size);
  });

  it('has nothing to do when the watermark is ahead of the clock, and refuses a range that ends before it starts', async () => {
    const { deps, server } = await setup('cf');
    await recordWindowStored(deps.db, 'cf', '2026-11-24T10:00:00.000Z', { fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0 });
    expect(await ingestSource(deps, { source: 'cf' })).toMatchObject({ status: 'ok', windows: 0, watermark: '2026-11-24T10:00:00.000Z' });
    const bad = await ingestSource(deps, { source: 'cf', from: '2026-11-24T00:00:00Z', to: '2026-11-23T00:00:00Z' });
    expect(bad).toMatchObject({ status: 'error', windows: 0 });
    expect(bad.error).toMatch(/ends .* before it starts/);
    expect(server.requests).toHaveLength(0);
    await expect(ingestSource(deps, { source: 'ted' })).rejects.toThrow(/unknown source "ted"/);
  });

  it('re-running a window changes nothing', async () => {
    const { deps, pool } = await setup('cf');
    const range = { source: 'cf', from: '2026-11-22T00:00:00Z', to: NOW.toISOString() };
    const first = await ingestSource(deps, range);
    const after = await snapshot(deps.db);
    deps.clock.advance(HOUR);
    const again = await ingestSource(deps, range);
    expect(first.fetched).toBe(pool.length);
    expect(again).toMatchObject({ status: 'ok', fetched: pool.length, inserted: 0, updated: 0, unchanged: pool.length, changed: 0 });
    expect(await snapshot(deps.db)).toEqual(after);
  });

  it('quarantines a release without an ocid with its reason and goes on', async () => {
    const { deps, server, pool } = await setup('cf');
    server.releases.push({ release: { id: 'no-ocid-1', tag: ['tender'], tender: { title: 'x' } }, at: '2026-11-23T12:00:00.000Z' });
    const summary = await ingestSource(deps, { source: 'cf' });
    expect(summary).toMatchObject({ status: 'ok', fetched: pool.length + 1, quarantined: 1 });
    const rows = await deps.db.selectFrom('quarantine').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'cf' });
    expect(rows[0].reason).toMatch(/ocid/);
  });

  it('says once per source that the network is down, and the service keeps serving', async () => {
    const closed = await closedPort();
    const deps = await testDeps({ env: { FTS_BASE_URL: `http://127.0.0.1:${closed}`, CF_BASE_URL: `http://127.0.0.1:${closed}`, HTTP_MAX_RETRIES: '2' } });
    const summary = await ingestAll(deps);
    expect(summary.ok).toBe(false);
    expect(summary.sources.map((s) => [s.source, s.status])).toEqual([
      ['fts', 'error'],
      ['cf', 'error'],
    ]);
    for (const s of summary.sources) expect(s.error).toMatch(/^cannot reach .* at http:\/\/127.0.0.1:\d+: fetch failed \(ECONNREFUSED.*, 3 attempts$/);
    const errors = deps.log.lines.filter((l) => l.level === 'error' || l.level === 'warn');
    expect(errors.map((l) => l.source).sort()).toEqual(['cf', 'fts']);
    const app = createApp(deps);
    expect((await app.request('/health')).status).toBe(200);
    const sources = (await (await app.request('/sources')).json()) as { sources: Array<{ source: string; lastError: string }> };
    expect(sources.sources.map((s) => s.lastError)).toEqual([expect.stringMatching(/cannot reach Find a Tender/), expect.stringMatching(/cannot reach Contracts Finder/)]);
  });
});
