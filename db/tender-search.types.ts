/** The shapes shared by the tender text search (db/tender-search.ts) and its engines. */
import type { Expression, SqlBool } from 'kysely';
import type { Db } from './client.js';

/** Where a page of the tender list ends. */
export interface TenderCursor {
  publishedAt: string;
  ocid: string;
  /** Where a text search stopped in its index (db/tender-search.ts); absent for the list without words. */
  doc?: number;
}

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

