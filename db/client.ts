import { Kysely, type Dialect } from 'kysely';
import type { Database as SqliteHandle } from 'better-sqlite3';
import type { Database } from './schema.js';

export type Engine = 'sqlite' | 'postgres' | 'd1';
export type Db = Kysely<Database>;

/** Bound-parameter ceilings per statement; batch writers size their chunks from these. */
const PARAM_LIMIT: Record<Engine, number> = { sqlite: 32000, postgres: 65000, d1: 100 };
const engines = new WeakMap<Db, Engine>();
const sqliteHandles = new WeakMap<Db, SqliteHandle>();

/** The better-sqlite3 connection behind a SQLite Db, for the few hot paths that prepare their own statements. */
/** Called by db/open.ts as it opens a SQLite store. */
export function keepSqliteHandle(db: Db, handle: SqliteHandle): void {
  sqliteHandles.set(db, handle);
}

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
