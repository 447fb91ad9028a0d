import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { engineOf, sameStore, type Db } from './client.js';
import { installTenderSearch } from './tender-search.js';

export interface Migration {
  name: string;
  sql: string;
}

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The numbered .sql files of db/migrations, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

/** Splits a migration into statements: our migrations hold no semicolons inside statements. */
export function statements(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Applies the migrations not yet recorded, in order; returns the names it applied. */
export async function migrate(db: Db, migrations: Migration[] = readMigrations(), now = () => new Date()): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`.execute(db);
  const done = new Set((await db.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    const apply = async (target: Db) => {
      for (const statement of statements(m.sql)) await sql.raw(statement).execute(target);
      await target.insertInto('schema_migrations').values({ name: m.name, applied_at: now().toISOString() }).execute();
    };
    // SQLite and PostgreSQL apply a migration whole or not at all; D1 (no interactive transactions)
    // is migrated by `wrangler d1 migrations apply` from the same files instead.
    if (engineOf(db) === 'd1') await apply(db);
    else await db.transaction().execute(apply);
    applied.push(m.name);
  }
  // The text index differs by engine (db/tender-search.ts), so it is made here rather than in a portable migration.
  if (engineOf(db) === 'd1') await installTenderSearch(db);
  else await db.transaction().execute((trx) => installTenderSearch(sameStore(trx, db)));
  return applied;
}
