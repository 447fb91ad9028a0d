import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/open.js';
import { cfAward, cfTender, pcsTender } from '../support/fixtures/releases.js';
import { ingestRows, INGEST_TABLES } from '../support/helpers.js';

/**
 * A real `ingest --file` process with a preparing worker thread, killed with SIGKILL after its first commit,
 * then run again, must leave exactly the rows that one uninterrupted run leaves in another file.
 */

const ROOT = new URL('../..', import.meta.url).pathname;
/**
 * One transaction holds 5,000 releases: the file spans three. Progress is reported only once a transaction is
 * committed, so a kill as soon as 5,000 are reported stored lands inside the second, and the store holds exactly
 * the 5,000 reported.
 */
const RELEASES = 12_000;

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-file-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `ingest --file` with one worker; kills the process group with SIGKILL once `killAfter` releases are reported stored. */
function runIngest(database: string, file: string, killAfter = Infinity): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli.ts', 'ingest', '--file', file, '--workers', '1'], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, DATABASE_URL: database, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { code: null, signal: null, stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (run.stdout += d));
    child.stderr.on('data', (d) => {
      run.stderr += d;
      const stored = [...String(d).matchAll(/: (\d+) releases stored/g)].map((m) => Number(m[1]));
      if (stored.some((n) => n >= killAfter) && child.pid) {
        killAfter = Infinity;
        process.kill(-child.pid, 'SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ ...run, code, signal }));
  });
}

async function contents(database: string): Promise<Record<string, string[]>> {
  const db = await openDb(database);
  try {
    return await ingestRows(db);
  } finally {
    await db.destroy();
  }
}

const summaryOf = (run: Run) => JSON.parse(run.stdout.trim().split('\n').at(-1)!);

describe('file ingest killed mid-run', () => {
  it('ends, after a restart, with exactly the rows of an uninterrupted run', { timeout: 120_000 }, async () => {
    // Tenders of both shapes, awards, a few amendments far from their tenders, and a line that is not JSON.
    const lines: string[] = [];
    for (let i = 0; i < RELEASES - 1; i++) {
      const release = i % 3 === 0 ? pcsTender(i) : i % 3 === 1 ? cfTender(i) : cfAward(i);
      lines.push(JSON.stringify(release));
    }
    for (let i = 1; i <= 30; i += 3) {
      const tender = cfTender(i);
      lines[RELEASES - 1 - i] = JSON.stringify({ ...tender, id: `open-${i}-amendment`, date: '2026-11-05T09:00:00Z', tag: ['tenderAmendment'], tender: { ...(tender.tender as object), status: 'cancelled' } });
    }
    lines.push('{"ocid": "ocds-b5fd17-cut", "tender": {"title": "Wint');
    const file = join(dir, 'releases.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const crashed = join(dir, 'crashed.db');
    const clean = join(dir, 'clean.db');

    const killed = await runIngest(crashed, file, 5_000);
    expect(killed.signal, killed.stdout + killed.stderr).toBe('SIGKILL');
    const afterKill = await contents(crashed);
    // What was reported stored is stored: the first transaction whole; the second, cut short, left nothing.
    expect(afterKill.releases).toHaveLength(5_000);

    const resumed = await runIngest(crashed, file);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(summaryOf(resumed)).toMatchObject({ fetched: RELEASES, unchanged: 5_000, quarantined: 1, workers: 1 });

    const whole = await runIngest(clean, file);
    expect(whole.code, whole.stdout + whole.stderr).toBe(0);
    expect(summaryOf(whole)).toMatchObject({ fetched: RELEASES, unchanged: 0, quarantined: 1, workers: 1 });

    const a = await contents(crashed);
    const b = await contents(clean);
    expect(b.releases).toHaveLength(RELEASES - 1);
    expect(b.tenders.filter((t) => t.includes('"status":"cancelled"'))).toHaveLength(10);
    for (const table of INGEST_TABLES) expect({ table, rows: a[table] }).toEqual({ table, rows: b[table] });
  });
});
