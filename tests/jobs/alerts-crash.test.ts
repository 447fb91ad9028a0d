import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { addMatch, addSupplier, addTender, startSmtp } from '../support/alerts-seed.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SUPPLIERS = 24;
const KILL_AT = 9;

function runCli(env: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string }> } {
  // Its own process group, so that SIGKILL reaches tsx's node process too, not only npx.
  const child = spawn('npx', ['tsx', 'src/cli.ts', 'send-alerts'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', () => {});
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  return { child, done };
}

describe('send-alerts killed while sending, then restarted', () => {
  it('delivers every due message, none twice except the one in flight, which keeps its Message-ID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-crash-'));
    const dbPath = join(dir, 'alerts.db');
    const db = await openDb(dbPath);
    await migrate(db);
    for (let i = 0; i < SUPPLIERS; i++) {
      await addSupplier(db, { id: `s${String(i).padStart(2, '0')}`, email: `s${i}@crash.test` });
      await addTender(db, { ocid: `t${i}`, title: `Soft Facilities Management Services ${i}` });
      await addMatch(db, { supplier: `s${String(i).padStart(2, '0')}`, ocid: `t${i}`, score: 0.7 });
    }
    await db.destroy();

    let first: ReturnType<typeof runCli> | undefined;
    const smtp = await startSmtp({
      delayMs: 5,
      beforeReply: async (n) => {
        // The server has the message but the sender dies before hearing "250".
        if (n === KILL_AT && first?.child.pid) {
          process.kill(-first.child.pid, 'SIGKILL');
          await first.done;
        }
      },
    });
    const env = {
      DATABASE_URL: dbPath,
      SMTP_URL: smtp.url,
      UNSUBSCRIBE_SECRET: 'crash-test-secret-0123456789',
      MAIL_RATE_PER_SECOND: '1000',
      ALERTS_LEASE_SECONDS: '1',
      LOG_LEVEL: 'warn',
    };
    try {
      first = runCli(env);
      const killed = await first.done;
      expect(killed.signal).toBe('SIGKILL');
      expect(smtp.received).toHaveLength(KILL_AT);
      const inFlight = smtp.received[KILL_AT - 1].messageId;

      await new Promise((r) => setTimeout(r, 1200)); // the dead run's lease runs out
      const second = runCli(env);
      const finished = await second.done;
      expect(finished.code).toBe(0);
      const summary = JSON.parse(finished.stdout.trim().split('\n').pop()!);
      expect(summary).toMatchObject({ ok: true, command: 'send-alerts', sent: SUPPLIERS - KILL_AT + 1, failed: 0, digests_queued: 0 });

      const ids = smtp.received.map((m) => m.messageId);
      expect(ids).toHaveLength(SUPPLIERS + 1);
      expect(new Set(ids).size).toBe(SUPPLIERS);
      expect(ids.filter((id) => id === inFlight)).toHaveLength(2);
      const perAddress = new Map<string, Set<string>>();
      for (const m of smtp.received) perAddress.set(m.to, (perAddress.get(m.to) ?? new Set()).add(m.messageId));
      expect(perAddress.size).toBe(SUPPLIERS);
      for (const set of perAddress.values()) expect(set.size).toBe(1);

      const check = await openDb(dbPath);
      const rows = await check.selectFrom('alert_outbox').select(['message_id', 'status']).execute();
      await check.destroy();
      expect(rows).toHaveLength(SUPPLIERS);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      expect(new Set(rows.map((r) => r.message_id))).toEqual(new Set(ids));
    } finally {
      if (first?.child.pid && first.child.exitCode === null && first.child.signalCode === null) process.kill(-first.child.pid, 'SIGKILL');
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
