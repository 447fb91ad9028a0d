import { describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { fromDialect } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { testDeps } from '../support/helpers.js';
import { addMatch, addSupplier, addTender } from '../support/alerts-seed.js';

/**
 * D1 refuses statements with more than 100 bound parameters. This runs the alert job on real SQLite
 * told it is D1 (so every batch is sized for D1), with a guard that fails any statement binding more.
 */
describe('alerts on D1-sized batches', () => {
  it('never binds more than 100 parameters in one statement', async () => {
    const sqlite = new SQLite(':memory:');
    let widest = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    (sqlite as unknown as { prepare: typeof prepare }).prepare = ((source: string) => {
      const params = (source.match(/\?/g) ?? []).length;
      widest = Math.max(widest, params);
      if (params > 100) throw new Error(`statement binds ${params} parameters, more than D1 allows: ${source.slice(0, 80)}`);
      return prepare(source);
    }) as typeof prepare;
    const db = fromDialect(new SqliteDialect({ database: sqlite }), 'd1');
    await migrate(db);
    const deps = await testDeps({ db, env: { UNSUBSCRIBE_SECRET: 'd1-limits-secret-0123456789' } });
    for (let i = 0; i < 120; i++) {
      await addSupplier(db, { id: `s${i}`, email: `s${i}@d1.test` });
      await addTender(db, { ocid: `t${i}` });
    }
    for (let i = 0; i < 120; i++) for (let k = 0; k < 3; k++) await addMatch(db, { supplier: `s${i}`, ocid: `t${(i + k * 7) % 120}`, score: 0.5 + k / 10 });

    expect(await sendDueAlerts(deps)).toMatchObject({ suppliers_due: 120, digests_queued: 120, entries_queued: 360, sent: 120 });
    await db.updateTable('tenders').set({ status: 'cancelled' }).where('ocid', 'in', ['t1', 't2', 't3']).execute();
    deps.clock.set('2026-11-25T07:00:00Z');
    expect(await sendDueAlerts(deps)).toMatchObject({ suppliers_due: 120, changes_queued: 9, sent: 9 });
    expect(widest).toBeGreaterThan(50);
    expect(widest).toBeLessThanOrEqual(100);
  });
});
