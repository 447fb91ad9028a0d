import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/open.js';
import { acquireLease, getLease, releaseLease } from '../../db/queries/leases.js';
import { loadFixtureReleases, ReplayServer, spread } from '../support/replay-server.js';
import { ingestRows, INGEST_TABLES } from '../support/helpers.js';

/**
 * A real `ingest --source fts` process, killed with SIGKILL in the middle of a window (twice), then
 * run to the end, must leave exactly the rows that one uninterrupted run leaves in another file.
 */

const ROOT = new URL('../..', import.meta.url).pathname;

let dir: string;
let server: ReplayServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tendermatch-crash-'));
  const now = Date.now();
  const pool = loadFixtureReleases('fts');
  // An amendment of the first tender and a release the store must quarantine, among the rest.
  const amended = { ...pool[0], id: `${String(pool[0].id)}-amendment`, tag: ['tenderAmendment'], tender: { ...(pool[0].tender as object), title: 'Amended title' } };
  const releases = spread([...pool, amended, { id: 'no-ocid', tag: ['tender'] }], new Date(now - 40 * 3600_000 + 7 * 60_000), 60);
  server = await new ReplayServer('fts', releases).start();
  server.pageSize = 2;
  server.delayMs = 40;
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  firstQuery: Record<string, string> | null;
}

/** Runs the CLI against the replay server; `killAt(n, url)` returning true kills it with SIGKILL as request n arrives. */
function runIngest(database: string, killAt: (n: number, url: URL) => boolean = () => false): Promise<Run> {
  return new Promise((resolve, reject) => {
    // npx starts tsx, which starts node: the child leads its own process group so that SIGKILL
    // reaches the process doing the work, as a crash or an OOM kill would.
    const child: ChildProcess = spawn('npx', ['tsx', 'src/cli.ts', 'ingest', '--source', 'fts'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        DATABASE_URL: database,
        FTS_BASE_URL: server.url,
        FTS_MAX_REQUESTS: '1000',
        FTS_PER_SECONDS: '1',
        INGEST_BACKFILL_DAYS: '2',
        HTTP_MAX_RETRIES: '2',
        LOG_LEVEL: 'warn',
        // The shortest lease allowed, so that a killed holder's lease runs out within the test.
        LEASE_SECONDS: '10',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, signal: null, stdout: '', stderr: '', firstQuery: null };
    let n = 0;
    server.onRequest = (_total, url) => {
      n++;
      if (n === 1) run.firstQuery = Object.fromEntries(url.searchParams);
      if (killAt(n, url) && child.pid) process.kill(-child.pid, 'SIGKILL');
    };
    child.stdout!.on('data', (d) => (run.stdout += d));
    child.stderr!.on('data', (d) => (run.stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      server.onRequest = null;
      resolve({ ...run, code, signal });
    });
  });
}

async function inspect(database: string) {
  const db = await openDb(database);
  try {
    const rows = await ingestRows(db);
    const state = await db.selectFrom('source_state').selectAll().where('source', '=', 'fts').executeTakeFirst();
    const lease = await db.selectFrom('leases').selectAll().execute();
    const newest = await db.selectFrom('releases').select((eb) => eb.fn.max('release_date').as('d')).executeTakeFirst();
    return { rows, watermark: state?.watermark ?? null, lease, newest: newest?.d ? new Date(newest.d).toISOString() : null };
  } finally {
    await db.destroy();
  }
}

/** Waits until the lease left in `database` has expired (LEASE_SECONDS is 10 here). */
async function leaseExpiry(database: string) {
  const { lease } = await inspect(database);
  expect(lease).toHaveLength(1);
  const wait = Date.parse(lease[0].expires_at) - Date.now() + 100;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

describe('ingest killed mid-run', () => {
  it('ends, after a restart, with exactly the rows of an uninterrupted run', { timeout: 120_000 }, async () => {
    const crashed = join(dir, 'crashed.db');
    const clean = join(dir, 'clean.db');

    // Killed on the second page of a window: its first page is stored, the window is not finished.
    const first = await runIngest(crashed, (n, url) => n > 6 && url.searchParams.has('cursor'));
    expect(first.signal).toBe('SIGKILL');
    const afterFirst = await inspect(crashed);
    expect(afterFirst.rows.releases.length).toBeGreaterThan(0);
    expect(afterFirst.watermark).not.toBeNull();
    expect(afterFirst.lease).toHaveLength(1); // left behind by the killed holder
    // The unfinished window's first page was stored, beyond the watermark.
    expect(afterFirst.newest! > afterFirst.watermark!).toBe(true);

    await leaseExpiry(crashed);
    // A restart resumes from the watermark; kill it again a little later, between pages.
    const second = await runIngest(crashed, (n, url) => n > 3 && url.searchParams.has('cursor'));
    expect(second.signal, second.stdout + second.stderr).toBe("SIGKILL");
    expect(second.firstQuery?.updatedFrom).toBe(afterFirst.watermark!.slice(0, 19));
    const afterSecond = await inspect(crashed);
    expect(afterSecond.watermark! > afterFirst.watermark!).toBe(true);

    await leaseExpiry(crashed);

    // Another live instance holding the lease keeps this process off the source: it stores nothing.
    const db = await openDb(crashed);
    expect(await acquireLease(db, 'ingest:fts', 'other-instance', new Date(), 600)).toBe(true);
    const blocked = await runIngest(crashed);
    expect(blocked.code).toBe(1);
    expect(JSON.parse(blocked.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: false, status: 'held', fetched: 0 });
    expect(blocked.firstQuery).toBeNull();
    expect(await getLease(db, 'ingest:fts')).toMatchObject({ holder: 'other-instance' });
    await releaseLease(db, 'ingest:fts', 'other-instance');
    await db.destroy();

    const third = await runIngest(crashed);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(third.firstQuery?.updatedFrom).toBe(afterSecond.watermark!.slice(0, 19));
    const summary = JSON.parse(third.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ ok: true, command: 'ingest', source: 'fts', status: 'ok' });

    const whole = await runIngest(clean);
    expect(whole.code, whole.stdout + whole.stderr).toBe(0);

    const a = await inspect(crashed);
    const b = await inspect(clean);
    expect(b.rows.releases.length).toBe(server.releases.length - 1);
    expect(b.rows.quarantine).toHaveLength(1);
    for (const table of INGEST_TABLES) expect({ table, rows: a.rows[table] }).toEqual({ table, rows: b.rows[table] });
    expect(a.lease).toEqual([]);
  });
});
