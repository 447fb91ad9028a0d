/**
 * Opening a store on Node: better-sqlite3 for a file or `:memory:`, pg for a postgres:// URL. Apart from
 * db/client.ts so that nothing the Worker runs reaches these drivers.
 */
import { SqliteDialect, PostgresDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fromDialect, keepSqliteHandle, type Db } from './client.js';

/**
 * How every SQLite store is opened. Larger pages keep a release's JSON in one page instead of a chain
 * of overflow pages, and a longer WAL between checkpoints halves the copying during bulk ingest
 * (measured in `npm run bench`); WAL with synchronous=NORMAL loses no committed batch on a crash of
 * the process. page_size only applies to a new file.
 */
export const SQLITE_PRAGMAS = ['page_size = 16384', 'journal_mode = WAL', 'synchronous = NORMAL', 'wal_autocheckpoint = 4000', 'busy_timeout = 5000'];

/**
 * Opens the store named by DATABASE_URL: a SQLite file path, `:memory:`, or a postgres:// URL.
 * (A Worker builds its Db from the D1 binding with `fromDialect` instead.)
 */
export async function openDb(url: string): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pg = await import('pg');
    const pool = new pg.default.Pool({ connectionString: url, max: 5 });
    return fromDialect(new PostgresDialect({ pool }), 'postgres');
  }
  const { default: SQLite } = await import('better-sqlite3');
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  for (const pragma of SQLITE_PRAGMAS) sqlite.pragma(pragma);
  const db = fromDialect(new SqliteDialect({ database: sqlite }), 'sqlite');
  keepSqliteHandle(db, sqlite);
  return db;
}
