import { describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';
import { SqliteDialect, sql } from 'kysely';
import { fromDialect, type Db } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { createApp } from '../../src/app.js';
import { deliverPending, sendDueAlerts } from '../../jobs/alerts.js';
import { jsonCaller, STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';
import { addMatch, addTender, confirmAllAddresses } from '../support/alerts-seed.js';

const ADMIN = 'admin-key-for-tests-0123456789';
const ENV = { ADMIN_KEY: ADMIN, UNSUBSCRIBE_SECRET: 'delete-test-secret-0123456789', PUBLIC_BASE_URL: 'https://tendermatch.example' };
const ADDRESS = 'hello@example.org';
/** The tables that hold something about a supplier. */
const SUPPLIER_TABLES = ['suppliers', 'alert_outbox', 'alert_items', 'alert_preferences', 'matches', 'cooperative_members'] as const;

async function setup(db?: Db) {
  const deps = await testDeps({ env: ENV, ...(db ? { db } : {}) });
  const app = createApp(deps);
  const call = jsonCaller(app);
  const register = async (over: Record<string, unknown> = {}) => {
    const res = await call('POST', '/suppliers', registration(over));
    const body = (await res.json()) as { supplier: { id: string }; key: string };
    if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(body)}`);
    return body;
  };
  /** Every row, in any table, that names the supplier or its address. */
  const traces = async (id: string) => {
    const found: string[] = [];
    for (const table of SUPPLIER_TABLES) {
      const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(deps.db);
      for (const r of rows) {
        const text = JSON.stringify(r);
        if (text.includes(ADDRESS) || Object.values(r).includes(id)) found.push(`${table}: ${text.slice(0, 80)}`);
      }
    }
    return found;
  };
  const mailsTo = (address: string) => deps.mailer.sent.filter((m) => m.to === address);
  return { deps, db: deps.db, call, register, traces, mailsTo };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/**
 * A supplier with everything alerts keep: a sent digest, a pending one (not yet delivered), told-ledger
 * rows, preferences, a stored match it has not been told of yet, and a cooperative it belongs to.
 */
async function supplierWithMail(s: Setup) {
  const a = await s.register();
  const coop = await s.register({ name: 'Ayrshire Co-op', kind: 'cooperative', members: [a.supplier.id], company_number: null, contact_email: 'coop@example.org' });
  expect((await s.call('PUT', `/suppliers/${a.supplier.id}/memberships/${coop.supplier.id}`, undefined, a.key)).status).toBe(200);
  await confirmAllAddresses(s.db);
  await addTender(s.db, { ocid: 'ocds-t1', title: 'Grounds maintenance, Kilmarnock' });
  await addMatch(s.db, { supplier: a.supplier.id, ocid: 'ocds-t1', score: 0.8 });
  expect(await sendDueAlerts(s.deps)).toMatchObject({ sent: 1 });
  s.deps.clock.set('2026-11-25T07:01:00Z');
  await addTender(s.db, { ocid: 'ocds-t2', title: 'Grass cutting, Irvine' });
  await addMatch(s.db, { supplier: a.supplier.id, ocid: 'ocds-t2', score: 0.7 });
  expect(await sendDueAlerts(s.deps, { deliver: false })).toMatchObject({ digests_queued: 1 });
  await addTender(s.db, { ocid: 'ocds-t3', title: 'Hedge trimming, Ayr' });
  await addMatch(s.db, { supplier: a.supplier.id, ocid: 'ocds-t3', score: 0.75 });
  const pending = await s.db.selectFrom('alert_outbox').select(['status', 'to_address']).where('supplier_id', '=', a.supplier.id).orderBy('created_at').execute();
  expect(pending).toEqual([
    { status: 'sent', to_address: ADDRESS },
    { status: 'pending', to_address: ADDRESS },
  ]);
  expect(s.mailsTo(ADDRESS)).toHaveLength(1);
  return a;
}

describe('DELETE /suppliers/:id forgets the supplier', () => {
  it('removes its preferences, told ledger and messages, so nothing is sent to it afterwards; twice is harmless', async () => {
    const s = await setup();
    const a = await supplierWithMail(s);
    const res = await s.call('DELETE', `/suppliers/${a.supplier.id}`, undefined, a.key);
    expect(res.status).toBe(200);
    expect(await s.traces(a.supplier.id)).toEqual([]);

    s.deps.clock.set('2026-11-26T07:01:00Z');
    expect(await sendDueAlerts(s.deps)).toMatchObject({ sent: 0, dropped: 0 });
    expect(s.mailsTo(ADDRESS)).toHaveLength(1);

    // Again: the key no longer opens anything, the admin key finds nothing; nothing else changes.
    const before = await s.db.selectFrom('suppliers').select(['id', 'name']).orderBy('id').execute();
    expect((await s.call('DELETE', `/suppliers/${a.supplier.id}`, undefined, a.key)).status).toBe(403);
    expect((await s.call('DELETE', `/suppliers/${a.supplier.id}`, undefined, ADMIN)).status).toBe(404);
    expect(await s.db.selectFrom('suppliers').select(['id', 'name']).orderBy('id').execute()).toEqual(before);
    expect(await s.traces(a.supplier.id)).toEqual([]);
  });

  it('delivery drops, unsent, a pending message whose supplier is gone or has no address any more', async () => {
    const s = await setup();
    const a = await s.register();
    const b = await s.register({ name: 'Irvine Mowers', company_number: null, contact_email: 'mow@example.org' });
    const c = await s.register({ name: 'Ayr Hedges', company_number: null, contact_email: 'hedge@example.org' });
    await confirmAllAddresses(s.db);
    await addTender(s.db, { ocid: 'ocds-t1' });
    for (const x of [a, b, c]) await addMatch(s.db, { supplier: x.supplier.id, ocid: 'ocds-t1', score: 0.8 });
    expect(await sendDueAlerts(s.deps, { deliver: false })).toMatchObject({ digests_queued: 3 });
    // Gone without the route's clean-up (a store deleted before this fix, or by hand), and an address removed.
    await s.db.deleteFrom('suppliers').where('id', '=', a.supplier.id).execute();
    expect((await s.call('PATCH', `/suppliers/${b.supplier.id}`, { contact_email: null }, b.key)).status).toBe(200);

    expect(await deliverPending(s.deps)).toMatchObject({ sent: 1, dropped: 2 });
    expect(s.deps.mailer.sent.map((m) => m.to)).toEqual(['hedge@example.org']);
    const outbox = await s.db.selectFrom('alert_outbox').select(['supplier_id', 'status']).execute();
    expect(outbox).toEqual([{ supplier_id: c.supplier.id, status: 'sent' }]);
    // b's ledger rows were given back with its message: told of nothing it was not sent.
    const told = await s.db.selectFrom('alert_items').select('supplier_id').execute();
    expect(told.map((t) => t.supplier_id).sort()).toEqual([c.supplier.id].sort());
  });
});

/** Real SQLite told it is D1: no transactions, so the order of the deletes is all that protects. */
function d1LikeStore(): Db {
  return fromDialect(new SqliteDialect({ database: new SQLite(':memory:') }), 'd1');
}

describe('DELETE on D1, stopped at each step', () => {
  // Each case makes one statement of the deletion fail, as a crash there would leave it.
  const steps: Array<[string, string]> = [
    ['the address is cleared', 'BEFORE UPDATE ON suppliers'],
    ['its messages are removed', 'BEFORE DELETE ON alert_outbox'],
    ['its told ledger is removed', 'BEFORE DELETE ON alert_items'],
    ['its preferences are removed', 'BEFORE DELETE ON alert_preferences'],
    ['its matches are removed', 'BEFORE DELETE ON matches'],
    ['its memberships are removed', 'BEFORE DELETE ON cooperative_members'],
    ['the supplier row is removed', 'BEFORE DELETE ON suppliers'],
  ];
  it.each(steps)('when it fails as %s, nothing can still mail the supplier, and a retry with its key finishes', async (_step, when) => {
    const db = d1LikeStore();
    await migrate(db);
    const s = await setup(db);
    const a = await supplierWithMail(s);
    const first = when === steps[0][1];
    await sql.raw(`CREATE TRIGGER crash ${when} BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`).execute(db);
    const res = await s.call('DELETE', `/suppliers/${a.supplier.id}`, undefined, a.key);
    expect(res.status).toBe(500);
    await sql.raw('DROP TRIGGER crash').execute(db);

    if (first) {
      // Nothing was written yet: the supplier is as it was.
      expect(await s.db.selectFrom('suppliers').select('contact_email').where('id', '=', a.supplier.id).executeTakeFirst()).toEqual({ contact_email: ADDRESS });
    } else {
      s.deps.clock.set('2026-11-26T07:01:00Z');
      await sendDueAlerts(s.deps);
      expect(s.mailsTo(ADDRESS)).toHaveLength(1);
    }
    const again = await s.call('DELETE', `/suppliers/${a.supplier.id}`, undefined, a.key);
    expect(again.status).toBe(200);
    expect(await s.traces(a.supplier.id)).toEqual([]);
  });
});


describe.each(STORE_ENGINES)('DELETE on %s', (_name, openStore) => {
  const open = storesPerTest(openStore);

  it('removes the supplier’s alert rows with it, and delivery then has nothing to send', async () => {
    const db = await open();
    const s = await setup(db);
    const a = await s.register();
    const other = await s.register({ name: 'Irvine Mowers', company_number: null, contact_email: 'mow@example.org' });
    await confirmAllAddresses(s.db);
    const now = '2026-11-24T09:00:00.000Z';
    for (const x of [a, other]) {
      const id = x.supplier.id;
      const message = `<${id}.alert@test>`;
      await db.insertInto('alert_preferences').values({
        supplier_id: id, frequency: 'daily', hour: 7, weekday: 1, timezone: 'Europe/London', min_score: 0, max_items: 10,
        include_words: '[]', exclude_words: '[]', places: '[]', paused: 0, paused_reason: null, paused_at: null, unsubscribed_at: null,
        failures: 0, last_failure: null, last_checked_at: now, last_sent_at: null, created_at: now, updated_at: now,
      }).execute();
      await db.insertInto('alert_outbox').values({
        message_id: message, supplier_id: id, to_address: id === a.supplier.id ? ADDRESS : 'mow@example.org', subject: 'Tenders', text_body: 'x', html_body: 'x',
        content: null, headers: '{}', item_keys: '[]', item_count: 1, status: 'pending', attempts: 0, next_attempt_at: now,
        last_attempt_at: null, last_code: null, last_error: null, created_at: now, sent_at: null,
      }).execute();
      await db.insertInto('alert_items').values({ supplier_id: id, ocid: 'ocds-t1', lot_id: '', kind: 'new', message_id: message, score: 0.8, deadline: null, created_at: now }).execute();
      await db.insertInto('matches').values({ supplier_id: id, ocid: 'ocds-t1', lot_id: '', score: 0.8, reasons: '[]', deadline: null, computed_at: now }).execute();
    }
    expect((await s.call('DELETE', `/suppliers/${a.supplier.id}`, undefined, ADMIN)).status).toBe(200);
    expect(await s.traces(a.supplier.id)).toEqual([]);
    // The other supplier keeps everything.
    for (const table of ['alert_preferences', 'alert_outbox', 'alert_items', 'matches'] as const) {
      const rows = await db.selectFrom(table).select('supplier_id').execute();
      expect(rows, table).toEqual([{ supplier_id: other.supplier.id }]);
    }
    expect(await deliverPending(s.deps)).toMatchObject({ sent: 1, dropped: 0 });
    expect(s.deps.mailer.sent.map((m) => m.to)).toEqual(['mow@example.org']);
  });
});
