/**
 * Tender text search on SQLite and D1: an FTS5 index, contentless (the text stays in `tenders` only), without
 * positions (detail=none: words are matched, phrases are not), porter-stemmed.
 *
 * The index's row ids are ordered as the list is, newest first: each tender's id is its published second times 2^20
 * plus its place among the tenders of that second (tender_search_docs maps ocid to id). FTS5 reads a word's
 * postings in row id order, so "newest 50 tenders holding these words" stops after 50 matches instead of sorting
 * every match (measured: from 0.5–1.9 s to under 25 ms for words in 17–80% of a million tenders, `npm run bench -- search`).
 * Triggers on `tenders` keep the index and the map in step with every insert, change and delete.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from './client.js';
import type { TenderPage, TenderTextSearch, TextPageQuery } from './tender-search.types.js';

const SLOTS = 1048576; // 2^20 tenders per published second
const NO_DATE = -4294967296; // tenders without a published date sort last, as '' does in the list
const seconds = (column: string) =>
  `max(${NO_DATE}, min(4294967295, coalesce(CAST(strftime('%s', ${column}) AS INTEGER), ${NO_DATE})))`;
/** The next free id among the tenders of `column`'s second (past 2^20 of them: after every id). */
const nextDoc = (column: string) => `(SELECT CASE WHEN m IS NULL THEN b WHEN m < b + ${SLOTS - 1} THEN m + 1 ELSE (SELECT max(doc) + 1 FROM tender_search_docs) END
    FROM (SELECT b, (SELECT max(doc) FROM tender_search_docs WHERE doc >= b AND doc < b + ${SLOTS}) AS m FROM (SELECT ${seconds(column)} * ${SLOTS} AS b)))`;

const addNew = `INSERT INTO tender_search_docs (doc, ocid) VALUES (${nextDoc('new.published_at')}, new.ocid);
    INSERT INTO tender_search (rowid, title, description) SELECT doc, new.title, new.description FROM tender_search_docs WHERE ocid = new.ocid;`;
// A contentless index forgets a row only when told its old text exactly; the triggers have it.
const removeOld = `INSERT INTO tender_search (tender_search, rowid, title, description) SELECT 'delete', doc, old.title, old.description FROM tender_search_docs WHERE ocid = old.ocid;
    DELETE FROM tender_search_docs WHERE ocid = old.ocid;`;

/** The last statement creates the object whose presence says the index is complete. */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS tender_search_docs (doc INTEGER PRIMARY KEY, ocid TEXT NOT NULL UNIQUE)`,
  `CREATE VIRTUAL TABLE IF NOT EXISTS tender_search USING fts5(title, description, content='', detail=none, columnsize=0, tokenize='porter unicode61 remove_diacritics 2')`,
];
const TRIGGERS = [
  `CREATE TRIGGER IF NOT EXISTS tender_search_insert AFTER INSERT ON tenders BEGIN
    ${addNew}
  END`,
  `CREATE TRIGGER IF NOT EXISTS tender_search_update AFTER UPDATE OF title, description, published_at ON tenders
  WHEN old.title IS NOT new.title OR old.description IS NOT new.description OR old.published_at IS NOT new.published_at BEGIN
    ${removeOld}
    ${addNew}
  END`,
  `CREATE TRIGGER IF NOT EXISTS tender_search_delete AFTER DELETE ON tenders BEGIN
    ${removeOld}
  END`,
];

/** An FTS5 query holding every word (each quoted: words are letters and digits only, see searchWords). */
export const ftsQuery = (words: string[]) => words.map((w) => `"${w.replace(/"/g, '""')}"`).join(' ');

async function installed(db: Db): Promise<boolean> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'tender_search_delete'`.execute(db);
  return rows.length > 0;
}

export const sqliteTenderSearch: TenderTextSearch = {
  async install(db) {
    if (await installed(db)) return;
    for (const statement of SCHEMA) await sql.raw(statement).execute(db);
    // Tenders stored before the index (all of them on a first install; after a stop part-way on D1, the rest).
    const { rows } = await sql<{ top: number | null }>`SELECT max(doc) AS top FROM tender_search_docs`.execute(db);
    const top = rows[0]?.top ?? null;
    if (top === null) {
      await sql.raw(`INSERT INTO tender_search_docs (doc, ocid)
        SELECT s * ${SLOTS} + row_number() OVER (PARTITION BY s ORDER BY ocid) - 1, ocid FROM (SELECT ocid, ${seconds('published_at')} AS s FROM tenders)`).execute(db);
    } else {
      await sql.raw(`INSERT INTO tender_search_docs (doc, ocid)
        SELECT ${top} + row_number() OVER (ORDER BY ocid), ocid FROM tenders WHERE ocid NOT IN (SELECT ocid FROM tender_search_docs)`).execute(db);
    }
    await sql.raw(`INSERT INTO tender_search (rowid, title, description)
      SELECT d.doc, t.title, t.description FROM tender_search_docs d JOIN tenders t ON t.ocid = d.ocid ${top === null ? '' : `WHERE d.doc > ${top}`}`).execute(db);
    for (const statement of TRIGGERS) await sql.raw(statement).execute(db);
  },

  async page<Row extends { ocid: string; sort_key: string }>(db: Db, query: TextPageQuery<Row>): Promise<TenderPage<Row>> {
    let after = query.cursor?.doc;
    if (query.cursor && after === undefined) {
      // A cursor from the list without words: start after that tender's place in the index.
      const found = await db.selectFrom('tender_search_docs').select('doc').where('ocid', '=', query.cursor.ocid).executeTakeFirst();
      after = found?.doc ?? Number.MIN_SAFE_INTEGER;
    }
    const where: Expression<SqlBool>[] = [sql<SqlBool>`tender_search MATCH ${ftsQuery(query.words)}`, ...query.where];
    if (after !== undefined) where.push(sql<SqlBool>`tender_search.rowid < ${after}`);
    // The index is read first, in its order; each match is joined to its tender and filtered, until the page is full.
    const rows = (await sql<Row & { doc: number }>`
      SELECT tenders.*, coalesce(tenders.published_at, '') AS sort_key, tender_search.rowid AS doc
      FROM tender_search CROSS JOIN tender_search_docs CROSS JOIN tenders
      WHERE tender_search_docs.doc = tender_search.rowid AND tenders.ocid = tender_search_docs.ocid AND ${sql.join(where, sql` AND `)}
      ORDER BY tender_search.rowid DESC
      LIMIT ${query.limit + 1}`.execute(db)).rows;
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      rows: page.map(({ doc: _doc, ...row }) => row as unknown as Row),
      next: rows.length > query.limit && last ? { publishedAt: last.sort_key, ocid: last.ocid, doc: Number(last.doc) } : null,
    };
  },
};
