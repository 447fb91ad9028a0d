import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDb } from '../db/client.js';
import { migrate, readMigrations, statements } from '../db/migrate.js';

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
    } finally {
      await db.destroy();
    }
  });
});
