import { sql, type Insertable } from 'kysely';
import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { Db } from './client.js';
import { rowsPerInsert, sqliteHandleOf } from './client.js';
import type { Database } from './schema.js';

/**
 * Bulk row writes for hot paths (ingest, tagging). The one place where engines differ for speed:
 * SQLite reuses one prepared statement per shape and runs it row by row (statements are cheap there,
 * preparing is not); PostgreSQL and D1 get multi-row INSERTs sized to their bound-parameter limits.
 * Both write the same rows with the same conflict rule, so callers see one behaviour.
 */
export interface BulkWriter {
  /**
   * Inserts rows. With `upsertOn` (the key columns), a row whose key exists updates `update` (default:
   * every other column) instead; `update: []` keeps the stored row as it is.
   */
  insert<T extends keyof Database & string>(table: T, rows: Insertable<Database[T]>[], upsertOn?: string[], update?: string[]): Promise<void>;
  /** Deletes the rows whose `column` is one of `values`. */
  deleteWhereIn<T extends keyof Database & string>(table: T, column: string, values: string[]): Promise<void>;
}

export function bulkWriter(db: Db): BulkWriter {
  const handle = sqliteHandleOf(db);
  return handle ? sqliteWriter(handle) : kyselyWriter(db);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function insertSql(table: string, columns: string[], upsertOn?: string[], update?: string[], rowCount = 1): string {
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  let text = `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${Array(rowCount).fill(placeholders).join(', ')}`;
  if (upsertOn) {
    const updates = (update ?? columns.filter((c) => !upsertOn.includes(c))).map((c) => `${quote(c)} = excluded.${quote(c)}`);
    text += ` ON CONFLICT (${upsertOn.map(quote).join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
  }
  return text;
}

const cellOf = (v: unknown) => (v === undefined ? null : v);

const statementCaches = new WeakMap<SqliteHandle, Map<string, Statement>>();

function sqliteWriter(handle: SqliteHandle): BulkWriter {
  let cache = statementCaches.get(handle);
  if (!cache) statementCaches.set(handle, (cache = new Map()));
  const statement = (text: string) => {
    let s = cache!.get(text);
    if (!s) cache!.set(text, (s = handle.prepare(text)));
    return s;
  };
  return {
    async insert(table, rows, upsertOn, update) {
      if (!rows.length) return;
      const columns = Object.keys(rows[0]);
      const s = statement(insertSql(table, columns, upsertOn, update));
      // One argument array for every row: run() copies the values into the statement before returning.
      const args: unknown[] = new Array(columns.length);
      for (const row of rows) {
        const r = row as Record<string, unknown>;
        for (let i = 0; i < columns.length; i++) args[i] = cellOf(r[columns[i]]);
        s.run(args);
      }
    },
    async deleteWhereIn(table, column, values) {
      const s = statement(`DELETE FROM ${quote(table)} WHERE ${quote(column)} = ?`);
      for (const v of values) s.run(v);
    },
  };
}

function kyselyWriter(db: Db): BulkWriter {
  return {
    async insert(table, rows, upsertOn, update) {
      if (!rows.length) return;
      const columns = Object.keys(rows[0]);
      const perInsert = rowsPerInsert(db, columns.length);
      const updates = update ?? columns.filter((c) => !upsertOn?.includes(c));
      const conflict = upsertOn
        ? sql` ON CONFLICT (${sql.join(upsertOn.map((c) => sql.id(c)))}) DO ${
            updates.length ? sql`UPDATE SET ${sql.join(updates.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}` : sql`NOTHING`
          }`
        : sql``;
      for (let i = 0; i < rows.length; i += perInsert) {
        const chunk = rows.slice(i, i + perInsert) as Record<string, unknown>[];
        const values = sql.join(chunk.map((r) => sql`(${sql.join(columns.map((c) => cellOf(r[c])))})`));
        await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))}) VALUES ${values}${conflict}`.execute(db);
      }
    },
    async deleteWhereIn(table, column, values) {
      for (let i = 0; i < values.length; i += 90) {
        const part = values.slice(i, i + 90);
        await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.id(column)} IN (${sql.join(part)})`.execute(db);
      }
    },
  };
}

/** Splits a list into runs of at most `size`: statements that bind many values must stay under a limit. */
export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
