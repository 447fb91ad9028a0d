/**
 * Full-text search of tenders (title and description), the one place where the engines differ for it: SQLite and
 * D1 keep an FTS5 index (tender-search.sqlite.ts), PostgreSQL a GIN index over to_tsvector (tender-search.postgres.ts).
 * Both answer in the list's order, newest first, one page at a time from a cursor, and both take the other filters
 * of GET /tenders as conditions on `tenders`.
 *
 * Words are matched whole, in their stemmed form (porter in SQLite, PostgreSQL's english configuration): "services"
 * finds "service", "electrical" finds "electric"; every word must be there. The index is created by install(),
 * which migrate() runs after the numbered migrations (a Worker runs it once per isolate, as D1's migrations are
 * applied by wrangler), and is kept in step with every write to `tenders` by the engine itself (triggers, or an
 * expression index), so no write path has to remember it.
 */
import type { Expression, SqlBool } from 'kysely';
import { engineOf, type Db } from './client.js';
import type { TenderCursor } from './queries/tenders.js';
import { sqliteTenderSearch } from './tender-search.sqlite.js';
import { postgresTenderSearch } from './tender-search.postgres.js';

/** One page of the list: the rows asked for, and where the next page starts (null: this was the last). */
export interface TenderPage<Row> {
  rows: Row[];
  next: TenderCursor | null;
}

export interface TextPageQuery<Row> {
  /** The words to find (see searchWords). */
  words: string[];
  /** The list's other filters, as conditions on `tenders` (columns qualified with "tenders."). */
  where: Expression<SqlBool>[];
  cursor?: TenderCursor;
  limit: number;
  /**
   * The list itself (newest first by published date and ocid, from a cursor) with one more condition: an engine whose
   * index can be read as a condition in the list's own order uses it.
   */
  list(extra: Expression<SqlBool>): Promise<TenderPage<Row>>;
}

export interface TenderTextSearch {
  /** Creates the index where it is missing (idempotent), filling it from the stored tenders. */
  install(db: Db): Promise<void>;
  page<Row extends { ocid: string; sort_key: string }>(db: Db, query: TextPageQuery<Row>): Promise<TenderPage<Row>>;
}

export function tenderSearchFor(db: Db): TenderTextSearch {
  return engineOf(db) === 'postgres' ? postgresTenderSearch : sqliteTenderSearch;
}

export async function installTenderSearch(db: Db): Promise<void> {
  await tenderSearchFor(db).install(db);
}

/** The words of a query: letters and digits, lower case, at most 12 of them (none: nothing to search for). */
export function searchWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 12);
}
