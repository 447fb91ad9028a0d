import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { type Db } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate, readMigrations, statements } from '../../db/migrate.js';

/** The match queue (007) is keyed by ocid: a second plain insert is refused, an upsert moves the row's time. */
async function expectOneRowPerOcid(db: Db) {
  await sql`INSERT INTO match_queue (ocid, queued_at, claimed_by) VALUES ('ocds-1', '2026-11-24T09:00:00.000Z', NULL)`.execute(db);
  await expect(sql`INSERT INTO match_queue (ocid, queued_at) VALUES ('ocds-1', '2026-11-25T09:00:00.000Z')`.execute(db)).rejects.toThrow();
  await sql`INSERT INTO match_queue (ocid, queued_at, claimed_by) VALUES ('ocds-1', '2026-11-25T09:00:00.000Z', NULL)
    ON CONFLICT (ocid) DO UPDATE SET queued_at = excluded.queued_at, claimed_by = excluded.claimed_by`.execute(db);
  const { rows } = await sql<{ ocid: string; queued_at: string; claimed_by: string | null }>`SELECT ocid, queued_at, claimed_by FROM match_queue`.execute(db);
  expect(rows).toEqual([{ ocid: 'ocds-1', queued_at: '2026-11-25T09:00:00.000Z', claimed_by: null }]);
}

/**
 * 006 makes Companies House numbers unique. A store that already holds a number twice (registered before
 * it) migrates too: every number held more than once is cleared, the others stay, and then the index holds.
 */
async function companyNumbersAcross006(db: Db) {
  const before = readMigrations().filter((m) => m.name < '006');
  await migrate(db, before);
  const supplier = (id: string, company_number: string | null) => ({
    id, name: id, kind: 'small', company_number, postcode: null, home_region: null, serves: '[]', national: 0, cpv_codes: '[]', description: null,
    keywords: '[]', max_contract_value: null, turnover_band: null, staff_band: null, certifications: '[]', contact_email: null, key_hash: 'h',
    growth: null, high_potential_derived: 0, high_potential_override: null, created_at: 'x', updated_at: 'x',
  });
  await db
    .insertInto('suppliers')
    .values([supplier('a', 'SC123456'), supplier('b', 'SC123456'), supplier('c', '01234567'), supplier('d', null), supplier('e', null), supplier('f', 'SC123456')])
    .execute();
  expect((await migrate(db)).slice(0, 1)).toEqual(['006_supplier_identity.sql']);
  const rows = await db.selectFrom('suppliers').select(['id', 'company_number']).orderBy('id').execute();
  expect(rows).toEqual([
    { id: 'a', company_number: null },
    { id: 'b', company_number: null },
    { id: 'c', company_number: '01234567' },
    { id: 'd', company_number: null },
    { id: 'e', company_number: null },
    { id: 'f', company_number: null },
  ]);
  await db.insertInto('suppliers').values(supplier('g', 'SC123456')).execute();
  await db.insertInto('suppliers').values(supplier('h', null)).execute();
  await expect(db.insertInto('suppliers').values(supplier('i', 'SC123456')).execute()).rejects.toThrow();
  await expect(db.insertInto('suppliers').values(supplier('j', '01234567')).execute()).rejects.toThrow();
}

describe('migrations', () => {
  it('apply once on SQLite and record themselves', async () => {
    const db = await openDb(':memory:');
    const names = readMigrations().map((m) => m.name);
    expect(await migrate(db)).toEqual(names);
    expect(await migrate(db)).toEqual([]);
    const rows = await db.selectFrom('schema_migrations').select('name').orderBy('name').execute();
    expect(rows.map((r) => r.name)).toEqual(names);
    await db.destroy();
  });

  it('006 clears Companies House numbers held twice, then keeps them unique (SQLite)', async () => {
    const db = await openDb(':memory:');
    await companyNumbersAcross006(db);
    await db.destroy();
  });

  it('give the match queue one row per ocid, queued again by an upsert', async () => {
    const db = await openDb(':memory:');
    await migrate(db);
    await expectOneRowPerOcid(db);
    await db.destroy();
  });

  it('use only portable statements (no AUTOINCREMENT, SERIAL, or engine-specific types)', () => {
    for (const m of readMigrations()) {
      for (const s of statements(m.sql)) {
        expect(s, `${m.name}: ${s.slice(0, 60)}`).not.toMatch(/AUTOINCREMENT|SERIAL|JSONB|\bBOOLEAN\b|DATETIME|PRAGMA/i);
      }
    }
  });
});

// The same files must run unchanged on PostgreSQL. CI starts it (.ci/run); elsewhere set TEST_POSTGRES_URL.
const pgUrl = process.env.TEST_POSTGRES_URL ?? (process.env.CI ? 'postgres://postgres@127.0.0.1:5432/test' : undefined);

describe.skipIf(!pgUrl)('migrations on PostgreSQL', () => {
  const schema = `tm_${process.pid}_${Date.now()}`;
  let cleanup: (() => Promise<void>) | undefined;
  afterAll(async () => cleanup?.());

  it('apply unchanged in a fresh schema', async () => {
    const url = new URL(pgUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const admin = await openDb(pgUrl!);
    await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin);
    cleanup = async () => {
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin);
      await admin.destroy();
    };
    const db = await openDb(url.toString());
    try {
      const applied = await migrate(db);
      expect(applied).toEqual(readMigrations().map((m) => m.name));
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ${schema}`.execute(db);
      expect(Number(rows[0].n)).toBeGreaterThan(8);
      await expectOneRowPerOcid(db);
    } finally {
      await db.destroy();
    }
  });

  it('006 clears Companies House numbers held twice, then keeps them unique', async () => {
    const own = `${schema}_006`;
    const url = new URL(pgUrl!);
    url.searchParams.set('options', `-c search_path=${own}`);
    const admin = await openDb(pgUrl!);
    await sql.raw(`CREATE SCHEMA ${own}`).execute(admin);
    const db = await openDb(url.toString());
    try {
      await companyNumbersAcross006(db);
    } finally {
      await db.destroy();
      await sql.raw(`DROP SCHEMA ${own} CASCADE`).execute(admin);
      await admin.destroy();
    }
  });
});
