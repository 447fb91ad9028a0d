import { Kysely, SqliteDialect, PostgresDialect, type Dialect } from 'kysely';
import type { Database as SqliteHandle } from 'better-sqlite3';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres' | 'd1';
export type Db = Kysely<Database>;

/** Bound-parameter ceilings per statement; batch writers size their chunks from these. */
const PARAM_LIMIT: Record<Engine, number> = { sqlite: 32000, postgres: 65000, d1: 100 };
const engines = new WeakMap<Db, Engine>();
const sqliteHandles = new WeakMap<Db, SqliteHandle>();

/** The better-sqlite3 connection behind a SQLite Db, for the few hot paths that prepare their own statements. */
export function sqliteHandleOf(db: Db): SqliteHandle | undefined {
  return sqliteHandles.get(db);
}

export function engineOf(db: Db): Engine {
  return engines.get(db) ?? 'sqlite';
}

export function paramLimit(db: Db): number {
  return PARAM_LIMIT[engineOf(db)];
}

/** Rows per multi-row INSERT for a table with `columns` columns. */
export function rowsPerInsert(db: Db, columns: number): number {
  return Math.max(1, Math.floor(paramLimit(db) / columns));
}

/** A transaction of `root` answers engineOf and sqliteHandleOf as `root` does. */
export function sameStore(trx: Db, root: Db): Db {
  const engine = engines.get(root);
  if (engine) engines.set(trx, engine);
  const handle = sqliteHandles.get(root);
  if (handle) sqliteHandles.set(trx, handle);
  return trx;
}

export function fromDialect(dialect: Dialect, engine: Engine): Db {
  const db = new Kysely<Database>({ dialect });
  engines.set(db, engine);
  return db;
}

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
  // Imported here, not at the top: the Worker's bundle includes this module (for fromDialect) and has no file system.
  const [{ default: SQLite }, { mkdirSync }, { dirname }] = await Promise.all([import('better-sqlite3'), import('node:fs'), import('node:path')]);
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  for (const pragma of SQLITE_PRAGMAS) sqlite.pragma(pragma);
  const db = fromDialect(new SqliteDialect({ database: sqlite }), 'sqlite');
  sqliteHandles.set(db, sqlite);
  return db;
}
