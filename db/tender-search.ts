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
import { engineOf, type Db } from './client.js';
import type { TenderTextSearch } from './tender-search.types.js';
import { sqliteTenderSearch } from './tender-search.sqlite.js';
import { postgresTenderSearch } from './tender-search.postgres.js';

export type { TenderCursor, TenderPage, TenderTextSearch, TextPageQuery } from './tender-search.types.js';

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
