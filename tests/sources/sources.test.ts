import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acquireLease, getLease, releaseLease, renewLease } from '../../db/queries/leases.js';
import { getSourceState, markRunFinished, markRunStarted, recordWindowStored } from '../../db/queries/sources.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { ingestAll, ingestSource, type IngestSummary } from '../../jobs/ingest.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { parseRetryAfter } from '../../src/sources/http.js';
import { readReleasePackage, topLevelArrayTexts } from '../../src/sources/package.js';
import { resolveNext, splitWindows } from '../../src/sources/paging.js';
import { sourceAdapters } from '../../src/sources/adapters.js';
import { testDeps } from '../support/helpers.js';
import { loadFixtureReleases, ReplayServer, spread, type Fault } from '../support/replay-server.js';

const NOW = new Date('2026-11-24T09:00:00Z');
const HOUR = 3600_000;

const servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * A replay server for `feed` with its recorded releases spread over the 30 hours before NOW, and
 * deps pointed at it whose sleep advances the fixed clock (so pacing and backoff cost no real time
 * and every wait is recorded).
 */
async function setup(feed: 'fts' | 'cf', env: Record<string, string> = {}, options: { db?: Db; startHoursAgo?: number; stepMinutes?: number } = {}) {
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

const TABLES = ['releases', 'tenders', 'lots', 'items', 'awards', 'award_suppliers', 'quarantine'] as const;

/** Every row of the store's feed tables, in a stable order, for before/after comparisons. */
async function snapshot(db: Db) {
  const out: Record<string, string[]> = {};
  for (const t of TABLES) {
    const rows = await db.selectFrom(t).selectAll().execute();
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

async function count(db: Db, table: (typeof TABLES)[number]): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const releaseKeys = (pool: Record<string, unknown>[]) => new Set(pool.map((r, i) => String(r.id ?? `#${i}`)));

describe('page reading', () => {
  it.each([
    ['compact', '{"releases":[{"a":1},{"b":[2,3]}],"links":{}}', ['{"a":1}', '{"b":[2,3]}']],
    ['spaced, with brackets and quotes inside strings', '{ "uri": "x[", "releases" : [ {"t":"a \\"]\\" b"} ,\n  {"n":1e9999}\n ] }', ['{"t":"a \\"]\\" b"}', '{"n":1e9999}']],
    ['a nested "releases" key is not the package list', '{"meta":{"releases":[9]},"releases":[{"x":"}"}]}', ['{"x":"}"}']],
    ['scalars in the list', '{"releases":[1, "s", null]}', ['1', '"s"', 'null']],
  ])('keeps each release as published: %s', (_name, text, expected) => {
    expect(topLevelArrayTexts(text, 'releases')).toEqual(expected);
  });

  it('reads a real Contracts Finder search page: every release, its exact text and the next link', () => {
    const text = readFileSync(new URL('../support/fixtures/cf-releases.jsonl', import.meta.url), 'utf8').split('\n')[0];
    const body = `{"uri":"u","releases":[${text}, ${text}],"links":{"next":"https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?cursor=abc"}}`;
    const page = readReleasePackage(body);
    expect(page.releases).toHaveLength(2);
    expect(page.releases[0].raw).toBe(text);
    expect(page.releases[0].value).toEqual(JSON.parse(text));
    expect(page.next).toBe('https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?cursor=abc');
  });

  it.each([
    ['a truncated body', '{"releases":[{"ocid":"ocds-b5fd17-1"'],
    ['an HTML error page', '<html><body>Service Unavailable</body></html>'],
    ['a list at the top level', '[{"ocid":"x"}]'],
    ['releases that are not a list', '{"releases":{"ocid":"x"}}'],
  ])('rejects %s as a broken page', (_name, body) => {
    expect(() => readReleasePackage(body)).toThrow(/page/);
  });

  it('reads 1e9999 as Infinity without losing the published text', () => {
    const page = readReleasePackage('{"releases":[{"ocid":"o","tender":{"value":{"amount":1e9999}}}]}');
    expect((page.releases[0].value as { tender: { value: { amount: number } } }).tender.value.amount).toBe(Infinity);
    expect(page.releases[0].raw).toContain('1e9999');
    expect(page.next).toBeNull();
  });

  it.each([
    ['https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=Q', 'http://127.0.0.1:9/', 'http://127.0.0.1:9/api/1.0/ocdsReleasePackages?cursor=Q'],
    ['https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=Q', 'http://mirror.test/fts', 'http://mirror.test/fts/api/1.0/ocdsReleasePackages?cursor=Q'],
    ['/Published/Notices/OCDS/Search?cursor=Z', 'https://www.contractsfinder.service.gov.uk', 'https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?cursor=Z'],
    ['https://evil.example/steal?cursor=1', 'https://www.contractsfinder.service.gov.uk', 'https://www.contractsfinder.service.gov.uk/steal?cursor=1'],
  ])('follows next link %s on the configured base %s', (next, base, expected) => {
    expect(resolveNext(base, next)).toBe(expected);
  });

  it.each([
    ['7', 7000],
    ['0.5', 500],
    ['Tue, 24 Nov 2026 09:00:30 GMT', 30_000],
    ['', null],
    ['soon', null],
  ])('reads Retry-After %j', (header, expected) => {
    expect(parseRetryAfter(header, NOW.getTime())).toBe(expected);
  });
});

describe('windows', () => {
  it('splits a range into consecutive windows of at most the given hours', () => {
    const windows = splitWindows(new Date('2026-11-22T09:00:00Z'), new Date('2026-11-24T09:30:00Z'), 6);
    expect(windows).toHaveLength(9);
    expect(windows[0].from.toISOString()).toBe('2026-11-22T09:00:00.000Z');
    expect(windows.at(-1)!.to.toISOString()).toBe('2026-11-24T09:30:00.000Z');
    for (let i = 0; i < windows.length; i++) {
      expect(windows[i].to.getTime() - windows[i].from.getTime()).toBeLessThanOrEqual(6 * HOUR);
      if (i > 0) expect(windows[i].from.getTime()).toBe(windows[i - 1].to.getTime());
    }
    expect(splitWindows(NOW, NOW, 6)).toEqual([]);
  });

  it('writes window dates in the documented forms, under a base URL with or without a path', () => {
    const fts = sourceAdapters.find((a) => a.id === 'fts')!;
    const cf = sourceAdapters.find((a) => a.id === 'cf')!;
    const window = { from: new Date('2026-11-24T03:00:00.250Z'), to: NOW };
    expect(fts.firstPageUrl('https://www.find-tender.service.gov.uk', window)).toBe(
      'https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?updatedFrom=2026-11-24T03:00:00&updatedTo=2026-11-24T09:00:00&limit=100',
    );
    expect(cf.firstPageUrl('http://mirror.test/cf/', window)).toBe(
      'http://mirror.test/cf/Published/Notices/OCDS/Search?publishedFrom=2026-11-24T03:00:00Z&publishedTo=2026-11-24T09:00:00Z&stages=planning,tender,award,implementation&limit=100',
    );
  });

  it('refuses a Find a Tender window over 6 hours in configuration', () => {
    expect(() => loadConfig({ FTS_WINDOW_HOURS: '7' })).toThrow(/FTS_WINDOW_HOURS/);
  });

  it('never asks Find a Tender for more than 6 hours at once, and covers the whole range', async () => {
    const { deps, server } = await setup('fts');
    const summary = await ingestSource(deps, { source: 'fts' });
    expect(summary.status).toBe('ok');
    const first = server.requests.filter((r) => r.query.updatedFrom);
    expect(first.length).toBe(summary.windows);
    expect(summary.windows).toBe(8); // 2 days of backfill
    for (const r of first) {
      const span = Date.parse(r.query.updatedTo + 'Z') - Date.parse(r.query.updatedFrom + 'Z');
      expect(span).toBeGreaterThan(0);
      expect(span).toBeLessThanOrEqual(6 * HOUR);
      expect(r.query.updatedFrom).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      expect(r.query.limit).toBe('100');
    }
    expect(first[0].query.updatedFrom).toBe('2026-11-22T09:00:00');
    expect(first.at(-1)!.query.updatedTo).toBe('2026-11-24T09:00:00');
  });
});

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

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function snapshotWithoutTimes(db: Db) {
  const snap = await snapshot(db);
  const strip = (s: string) => s.replace(/"(stored_at|updated_at|received_at)":"[^"]*"/g, '"$1":"-"');
  return Object.fromEntries(Object.entries(snap).map(([t, rows]) => [t, rows.map(strip).sort()]));
}

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
