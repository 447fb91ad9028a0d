import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { addMatch, addSupplier, addTender, startSmtp } from '../support/alerts-seed.js';

/**
 * kill -9 of the alert run while it sends digests with the new sections (coming up, up for renewal, open), in a
 * real child process against a real SMTP server on loopback: after a restart every firm has had each thing it was
 * told exactly once (the one message in flight may arrive twice, under the same Message-ID), and a later run
 * sends nothing again.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIRMS = 16;
const KILL_AT = 6;

function runCli(env: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string }> } {
  const child = spawn('npx', ['tsx', 'src/cli.ts', 'send-alerts'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', () => {});
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  return { child, done };
}

describe('alert run with coming up and renewal sections killed with SIGKILL, then restarted', () => {
  it('tells each firm each opportunity at most once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-early-crash-'));
    const dbPath = join(dir, 'alerts.db');
    const db = await openDb(dbPath);
    await migrate(db);
    const now = new Date().toISOString();
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
    for (let i = 0; i < FIRMS; i++) {
      const id = `f${String(i).padStart(2, '0')}`;
      await addSupplier(db, { id, email: `${id}@crash.test` });
      await addTender(db, { ocid: `open-${i}`, title: `Open tender ${i}`, deadline: inAYear });
      await addMatch(db, { supplier: id, ocid: `open-${i}`, score: 0.7 });
      await addTender(db, { ocid: `soon-${i}`, title: `Pipeline work ${i}`, status: 'planned', deadline: null });
      await db.updateTable('tenders').set({ notice_type: 'UK1' }).where('ocid', '=', `soon-${i}`).execute();
      await addMatch(db, { supplier: id, ocid: `soon-${i}`, score: 0.6 });
      await addTender(db, { ocid: `held-${i}`, title: `Contract held ${i}`, status: 'complete', deadline: null });
      await db
        .insertInto('renewal_forecasts')
        .values({
          ocid: `held-${i}`, award_id: '1', buyer_name: 'Oxfordshire County Council', title: `Contract held ${i}`, cpv_codes: '["90919200"]',
          value_amount: 100000, value_currency: 'GBP', start_date: null, end_date: inAYear, max_extent_date: null, expected_at: inAYear,
          incumbents: '[{"name":"Incumbent Ltd","scale":"large"}]', framework: 0, extension_option: 0, terminated: 0, certainty: 'high',
          reasons: '["the contract ends soon"]', forecast_at: now,
        })
        .execute();
      await db.insertInto('renewal_matches').values({ supplier_id: id, ocid: `held-${i}`, award_id: '1', score: 0.65, reasons: '["fits"]', computed_at: now }).execute();
    }
    await db.destroy();

    let first: ReturnType<typeof runCli> | undefined;
    const smtp = await startSmtp({
      delayMs: 5,
      beforeReply: async (n) => {
        if (n === KILL_AT && first?.child.pid) {
          process.kill(-first.child.pid, 'SIGKILL');
          await first.done;
        }
      },
    });
    const env = { DATABASE_URL: dbPath, SMTP_URL: smtp.url, UNSUBSCRIBE_SECRET: 'crash-test-secret-0123456789', MAIL_RATE_PER_SECOND: '1000', ALERTS_LEASE_SECONDS: '1', LOG_LEVEL: 'warn' };
    try {
      first = runCli(env);
      expect((await first.done).signal).toBe('SIGKILL');
      await new Promise((r) => setTimeout(r, 1200));
      const second = await runCli(env).done;
      expect(second.code).toBe(0);
      await new Promise((r) => setTimeout(r, 1200));
      const third = await runCli(env).done;
      expect(third.code).toBe(0);
      expect(JSON.parse(third.stdout.trim().split('\n').pop()!)).toMatchObject({ digests_queued: 0, sent: 0 });

      // Distinct messages (a resent one keeps its Message-ID): one per firm, each telling all three once.
      const distinct = new Map<string, string>();
      for (const m of smtp.received) distinct.set(m.messageId, m.parsed.text ?? '');
      expect(distinct.size).toBe(FIRMS);
      const told = new Map<string, number>();
      for (const text of distinct.values()) {
        for (const t of text.match(/(Open tender|Pipeline work|Contract held) \d+/g) ?? []) told.set(t, (told.get(t) ?? 0) + 1);
        expect(text).toMatch(/COMING UP IN YOUR AREA[\s\S]*UP FOR RENEWAL/);
      }
      expect(told.size).toBe(FIRMS * 3);
      expect([...told.values()].every((n) => n === 1)).toBe(true);
      expect(smtp.received.length).toBeLessThanOrEqual(FIRMS + 1);
    } finally {
      if (first?.child.pid && first.child.exitCode === null && first.child.signalCode === null) process.kill(-first.child.pid, 'SIGKILL');
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
