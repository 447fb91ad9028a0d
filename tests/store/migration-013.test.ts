import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate, readMigrations } from '../../db/migrate.js';
import { POSTGRES_URL } from '../support/helpers.js';

/**
 * 013: memberships written before it were the cooperative's word alone, and addresses were never
 * confirmed, so a store that holds them migrates to invited members and unconfirmed addresses; the
 * outbox's old rows are digests.
 */
async function consentAcross013(db: Db) {
  await migrate(db, readMigrations().filter((m) => m.name < '013'));
  const supplier = (id: string, kind: string) =>
    sql`INSERT INTO suppliers (id, name, kind, company_number, postcode, home_region, serves, national, cpv_codes, description, keywords, max_contract_value, turnover_band, staff_band, certifications, contact_email, key_hash, growth, high_potential_derived, high_potential_override, created_at, updated_at)
      VALUES (${id}, ${id}, ${kind}, NULL, NULL, NULL, '[]', 0, '[]', NULL, '[]', NULL, NULL, NULL, '[]', ${`${id}@example.test`}, 'h', NULL, 0, NULL, 'x', 'x')`.execute(db);
  await supplier('coop', 'cooperative');
  await supplier('firm', 'small');
  await sql`INSERT INTO cooperative_members (cooperative_id, member_id) VALUES ('coop', 'firm')`.execute(db);
  await sql`INSERT INTO alert_outbox (message_id, supplier_id, to_address, subject, text_body, html_body, headers, item_keys, item_count, status, attempts, next_attempt_at, created_at)
    VALUES ('<m1@x>', 'firm', 'firm@example.test', 's', '', '', '{}', '[]', 0, 'sent', 1, 'x', 'x')`.execute(db);
  expect(await migrate(db)).toContain('013_consent_and_verified_addresses.sql');
  expect(await db.selectFrom('cooperative_members').selectAll().execute()).toEqual([
    { cooperative_id: 'coop', member_id: 'firm', status: 'invited', invited_at: null, answered_at: null, invitation_mailed_at: null },
  ]);
  expect(await db.selectFrom('suppliers').select(['id', 'contact_email_verified_at', 'contact_email_confirmation_at']).orderBy('id').execute()).toEqual([
    { id: 'coop', contact_email_verified_at: null, contact_email_confirmation_at: null },
    { id: 'firm', contact_email_verified_at: null, contact_email_confirmation_at: null },
  ]);
  expect(await db.selectFrom('alert_outbox').select(['message_id', 'kind']).execute()).toEqual([{ message_id: '<m1@x>', kind: 'digest' }]);
}

describe('migration 013 on a store with memberships and addresses', () => {
  it('SQLite', async () => {
    const db = await openDb(':memory:');
    await consentAcross013(db);
    await db.destroy();
  });

  it.skipIf(!POSTGRES_URL)('PostgreSQL', async () => {
    const schema = `t013_${process.pid}_${Date.now()}`;
    const admin = await openDb(POSTGRES_URL!);
    await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin);
    const url = new URL(POSTGRES_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const db = await openDb(url.toString());
    try {
      await consentAcross013(db);
    } finally {
      await db.destroy();
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin);
      await admin.destroy();
    }
  });
});
