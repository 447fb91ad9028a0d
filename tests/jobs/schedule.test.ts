import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cronExpressions, jobsForCron, runScheduledJob, scheduledJobs, type ScheduledJob } from '../../jobs/schedule.js';
import { startSchedule } from '../../jobs/schedule.node.js';
import { loadConfig } from '../../src/config.js';
import { testDeps } from '../support/helpers.js';
import { createApp } from '../../src/app.js';
import { faultyStore } from '../support/faulty-store.js';
import { registration, tenderRelease } from '../support/matching-fixtures.js';
import { ReplayServer, spread } from '../support/replay-server.js';

describe('the cron table', () => {
  it('holds the ingest job on INGEST_CRON, and can be switched off', () => {
    const config = loadConfig({ INGEST_CRON: '*/10 * * * *' });
    const ingest = scheduledJobs.find((j) => j.name === 'ingest')!;
    expect(ingest.cron(config)).toBe('*/10 * * * *');
    expect(jobsForCron(config, '*/10 * * * *').map((j) => j.name)).toContain('ingest');
    expect(cronExpressions(config)).toContain('*/10 * * * *');
    const off = loadConfig({ INGEST_ENABLED: 'false', INGEST_CRON: '*/10 * * * *' });
    expect(jobsForCron(off, '*/10 * * * *').map((j) => j.name)).not.toContain('ingest');
  });

  it('gives every job a unique name and a valid expression from config', async () => {
    const config = loadConfig({});
    const names = scheduledJobs.map((j) => j.name);
    expect(new Set(names).size).toBe(names.length);
    const cron = await import('node-cron');
    for (const job of scheduledJobs) expect(cron.validate(job.cron(config)), job.name).toBe(true);
  });

  it("runs the high-potential refresh daily, and wrangler.toml's Cron Triggers are the table's expressions", async () => {
    const config = loadConfig({});
    expect(jobsForCron(config, '30 3 * * *').map((j) => j.name)).toEqual(['high-potential']);
    const { readFileSync } = await import('node:fs');
    const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    const crons = JSON.parse(/^crons\s*=\s*(\[.*\])\s*$/m.exec(toml)![1]) as string[];
    expect(crons.sort()).toEqual(cronExpressions(config).sort());
  });

  it('logs a failing job as one line and does not throw', async () => {
    const deps = await testDeps();
    const job: ScheduledJob = { name: 'boom', cron: () => '* * * * *', enabled: () => true, run: async () => { throw new Error('feed exploded'); } };
    const run = await runScheduledJob(deps, job);
    expect(run).toMatchObject({ job: 'boom', ok: false, error: 'feed exploded' });
    expect(deps.log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['job boom failed: feed exploded']);
  });

  it('runs the real ingest job with no network and reports the error without throwing', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const deps = await testDeps({ env: { FTS_BASE_URL: closed, CF_BASE_URL: closed, HTTP_MAX_RETRIES: '0' } });
    const run = await runScheduledJob(deps, scheduledJobs.find((j) => j.name === 'ingest')!);
    expect(run.ok).toBe(false);
    expect(run.summary).toMatchObject({ ok: false, sources: [{ source: 'fts', status: 'error' }, { source: 'cf', status: 'error' }] });
  });
});

describe('the scheduled ingest', () => {
  it('matches what it stored even when the run before stopped between storing and matching', async () => {
    const glasgow = { ocid: 'ocds-test-sched-1', title: 'Electrical inspection, North Glasgow', cpv: '50711000', region: 'UKM82', value: 200000, sme: true };
    const server = await new ReplayServer('fts', spread([tenderRelease(glasgow)], new Date('2026-11-23T10:07:00Z'), 40)).start();
    try {
      const store = await faultyStore();
      const deps = await testDeps({ db: store.db, env: { INGEST_SOURCES: 'fts', FTS_BASE_URL: server.url, INGEST_BACKFILL_DAYS: '2' } });
      deps.sleep = async (ms: number) => deps.clock.advance(ms);
      const registered = await createApp(deps).request('/suppliers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(registration({ name: 'Glasgow Sparks', company_number: 'SC700011', postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'] })),
      });
      expect(registered.status).toBe(201);
      const ingest = scheduledJobs.find((j) => j.name === 'ingest')!;

      // The first run stores the tender, then dies as it writes the matches.
      store.failWhen((text) => /^insert into "matches"/i.test(text));
      const crashed = await runScheduledJob(deps, ingest);
      expect(crashed).toMatchObject({ ok: false, error: expect.stringMatching(/simulated crash/) });
      store.failWhen(null);
      expect(await store.db.selectFrom('tenders').select('ocid').execute()).toEqual([{ ocid: glasgow.ocid }]);
      expect(await store.db.selectFrom('matches').selectAll().execute()).toEqual([]);

      // The next run finds nothing new in the feed, and matches the tender all the same.
      deps.clock.advance(15 * 60_000);
      const next = await runScheduledJob(deps, ingest);
      expect(next.ok, JSON.stringify(next)).toBe(true);
      expect(next.summary).toMatchObject({ fetched: 0, changed: 0, matched: 1, queued: 0, matches: { written: 1, removed: 0, closed: 0 } });
      expect(await store.db.selectFrom('matches').select(['ocid']).execute()).toEqual([{ ocid: glasgow.ocid }]);
      expect(await store.db.selectFrom('match_queue').selectAll().execute()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('startSchedule', () => {
  it('fires jobs on their cron and never lets a job overlap itself', { timeout: 15_000 }, async () => {
    const deps = await testDeps();
    let running = 0;
    let most = 0;
    let starts = 0;
    const slow: ScheduledJob = {
      name: 'slow',
      cron: () => '* * * * * *', // every second
      enabled: () => true,
      run: async () => {
        starts++;
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2500));
        running--;
        return { ok: true };
      },
    };
    const off: ScheduledJob = { ...slow, name: 'off', enabled: () => false };
    const schedule = startSchedule(deps, { jobs: [slow, off] });
    expect(schedule.jobs).toEqual(['slow']);
    await new Promise((r) => setTimeout(r, 5600));
    schedule.stop();
    expect(most).toBe(1);
    // Ticks every second for 5.6 s, but a run lasts 2.5 s: two runs, never three or more.
    expect(starts).toBeGreaterThanOrEqual(1);
    expect(starts).toBeLessThanOrEqual(2);
  });

  it('refuses a bad cron expression with one log line and schedules the rest', async () => {
    const deps = await testDeps();
    const bad: ScheduledJob = { name: 'bad', cron: () => 'every tuesday', enabled: () => true, run: async () => ({}) };
    const schedule = startSchedule(deps, { jobs: [bad] });
    schedule.stop();
    expect(schedule.jobs).toEqual([]);
    expect(deps.log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['job bad not scheduled: "every tuesday" is not a cron expression']);
  });
});
