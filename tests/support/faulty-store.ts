import SQLite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { fromDialect, type Db, type Engine } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';

/** A statement that writes: what a crash can land between. */
const WRITE = /^\s*(insert|update|delete)\b/i;

export interface FaultyStore {
  db: Db;
  /**
   * From now on, a write statement for which `when(sql, n)` holds (n: its number, from 1, among the writes since
   * this call) throws instead of running, and so does every statement after it, as if the process had died there.
   * null: everything runs again.
   */
  failWhen(when: ((sql: string, n: number) => boolean) | null): void;
  /** Write statements run since the last failWhen. */
  writes(): number;
  /** Whether a statement failed since the last failWhen. */
  failed(): boolean;
}

/**
 * An in-memory SQLite store, migrated, whose statements can be made to fail. As engine 'd1' it behaves as the
 * store does on D1: no transactions around a batch, multi-row statements within 100 bound parameters.
 */
export async function faultyStore(engine: Extract<Engine, 'sqlite' | 'd1'> = 'sqlite'): Promise<FaultyStore> {
  const handle = new SQLite(':memory:');
  let when: ((sql: string, n: number) => boolean) | null = null;
  let writes = 0;
  let dead = false;
  const database = {
    prepare(text: string) {
      // A transaction open at the crash is rolled back, as a crash would leave it.
      if (dead && !/^\s*rollback\b/i.test(text)) throw new Error('simulated crash: the process is gone');
      if (WRITE.test(text)) {
        writes++;
        if (when?.(text, writes)) {
          dead = true;
          throw new Error(`simulated crash at write ${writes}: ${text.slice(0, 60)}`);
        }
      }
      return handle.prepare(text);
    },
    close: () => handle.close(),
  };
  const db = fromDialect(new SqliteDialect({ database: database as unknown as SQLite.Database }), engine);
  await migrate(db);
  return {
    db,
    failWhen(next) {
      when = next;
      writes = 0;
      dead = false;
    },
    writes: () => writes,
    failed: () => dead,
  };
}
