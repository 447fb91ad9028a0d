/**
 * Tender text search on PostgreSQL: a GIN index over the english tsvector of title and description, an expression
 * index that PostgreSQL keeps in step with every write by itself. The search is the list with one more condition:
 * the planner reads the GIN index for rare words, or the newest-first index (tenders_newest) checking each row for
 * common ones, whichever its statistics say is cheaper.
 */
import { sql, type SqlBool } from 'kysely';
import type { Db } from './client.js';
import type { TenderPage, TenderTextSearch, TextPageQuery } from './tender-search.types.js';

/** Written exactly as the index's expression, so that the planner can use it. */
const DOCUMENT = sql`to_tsvector('english'::regconfig, coalesce(tenders.title, '') || ' ' || coalesce(tenders.description, ''))`;

export const postgresTenderSearch: TenderTextSearch = {
  async install(db) {
    await sql`CREATE INDEX IF NOT EXISTS tenders_text_search ON tenders USING gin ((to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(description, ''))))`.execute(db);
  },

  async page<Row extends { ocid: string; sort_key: string }>(_db: Db, query: TextPageQuery<Row>): Promise<TenderPage<Row>> {
    // Words joined with AND, each one a lexeme of the english configuration (stop words such as "the" fall away).
    return query.list(sql<SqlBool>`${DOCUMENT} @@ plainto_tsquery('english'::regconfig, ${query.words.join(' ')})`);
  },
};
