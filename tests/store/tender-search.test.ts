import { CompiledQuery, sql, type KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import { engineOf, sameStore, sqliteHandleOf, type Db } from '../../db/client.js';
import { findTenders, type TenderCursor, type TenderFilter } from '../../db/queries/tenders.js';
import { migrate } from '../../db/migrate.js';
import { STORE_ENGINES, storesPerTest } from '../support/helpers.js';
import { storeTenders, type TenderSpec } from '../support/matching-fixtures.js';
import { placeQuery } from '../../src/domain/geo/index.js';

const day = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);

/** 30 tenders published a day apart: every third about grounds maintenance, the rest electrical inspection. */
const TENDERS: TenderSpec[] = Array.from({ length: 30 }, (_, i) => ({
  ocid: `ocds-test-search-${String(i).padStart(2, '0')}`,
  title: i % 3 === 0 ? `Grounds maintenance services, lot ${i}` : `Electrical inspection of housing, contract ${i}`,
  description: i % 3 === 0 ? 'Grass cutting and planting in parks.' : 'Electrical installation condition reports (EICR).',
  cpv: i % 3 === 0 ? '77310000' : '50711000',
  region: i % 2 ? 'UKM82' : 'UKG31',
  date: day(i),
}));

/** Every page of a search, following next cursors. */
async function allPages(db: Db, filter: Omit<TenderFilter, 'limit' | 'cursor'>, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: TenderCursor | undefined;
  do {
    const page = await findTenders(db, { ...filter, limit, cursor });
    expect(page.tenders.length).toBeLessThanOrEqual(limit);
    seen.push(...page.tenders.map((t) => t.ocid));
    cursor = page.next ?? undefined;
  } while (cursor);
  return seen;
}

/** The statements findTenders runs, compiled, so their plans can be read. */
function recording(db: Db): { db: Db; queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node, queryId }) => {
      queries.push(db.getExecutor().compileQuery(node, queryId));
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { db: sameStore(db.withPlugin(plugin), db), queries };
}

async function planOf(db: Db, q: CompiledQuery): Promise<string> {
  if (engineOf(db) === 'postgres') {
    const { rows } = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${q.sql}`, [...q.parameters]));
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  const rows = sqliteHandleOf(db)!.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.parameters) as Array<{ detail: string }>;
  return rows.map((r) => r.detail).join('\n');
}

/** The plan of the statement that reads the page (the last findTenders runs). */
async function pagePlan(db: Db, filter: TenderFilter): Promise<string> {
  const spy = recording(db);
  await findTenders(spy.db, filter);
  return planOf(db, spy.queries.at(-1)!);
}

describe.each(STORE_ENGINES)('tender text search (%s)', (engine, open) => {
  const openStore = storesPerTest(open);

  it('finds every word, stemmed, newest first, and pages without gaps or repeats', async () => {
    const db = await openStore();
    await storeTenders(db, TENDERS);
    const newestFirst = [...TENDERS].reverse();
    const grounds = newestFirst.filter((_, i) => (29 - i) % 3 === 0).map((t) => t.ocid);
    expect(await allPages(db, { text: 'grounds maintenance' }, 4)).toEqual(grounds);
    // "service" finds "services"; case does not matter; every word must be there.
    expect(await allPages(db, { text: 'GROUNDS service' }, 100)).toEqual(grounds);
    expect(await allPages(db, { text: 'grounds electrical' }, 100)).toEqual([]);
    // With the other filters: the Glasgow ones among them.
    const glasgow = newestFirst.filter((t) => t.region === 'UKM82' && t.cpv === '50711000').map((t) => t.ocid);
    expect(await allPages(db, { text: 'inspection', place: placeQuery({ codes: ['TLM82'], lads: [] }), cpvPrefix: '50' }, 3)).toEqual(glasgow);
    expect(await allPages(db, { text: 'xyzzy' }, 10)).toEqual([]);
  });

  it('follows a tender whose text changes through the store upsert, and whose published date changes', async () => {
    const db = await openStore();
    await storeTenders(db, TENDERS);
    const moved: TenderSpec = { ...TENDERS[0], title: 'Tree surgery and arboriculture', description: 'Tree works.', date: day(1) };
    await storeTenders(db, [moved]);
    const tree = await findTenders(db, { text: 'arboriculture', limit: 10 });
    expect(tree.tenders.map((t) => t.ocid)).toEqual([moved.ocid]);
    expect((await findTenders(db, { text: 'grass', limit: 50 })).tenders.map((t) => t.ocid)).not.toContain(moved.ocid);
    // Its published date moves (it is kept from the first release: a correction made in the store): newest now.
    await db.updateTable('tenders').set({ published_at: '2026-06-01T10:00:00Z' }).where('ocid', '=', moved.ocid).execute();
    expect((await findTenders(db, { text: 'tree', limit: 1 })).tenders[0].ocid).toBe(moved.ocid);
    expect((await findTenders(db, { limit: 1 })).tenders[0].ocid).toBe(moved.ocid);
  });

  it('indexes tenders stored before the index existed', async () => {
    if (engine !== 'SQLite') return;
    const db = await openStore();
    await storeTenders(db, TENDERS);
    await sql`DROP TABLE tender_search`.execute(db);
    await sql`DROP TABLE tender_search_docs`.execute(db);
    for (const t of ['insert', 'update', 'delete']) await sql.raw(`DROP TRIGGER tender_search_${t}`).execute(db);
    await migrate(db);
    expect(await allPages(db, { text: 'maintenance' }, 3)).toHaveLength(10);
  });

  it('reads the newest-first list and the text search through indexes, never sorting or scanning the table', async () => {
    const store = await openStore();
    await storeTenders(store, TENDERS);
    // One connection throughout, so that the session settings below hold for every statement.
    await store.connection().execute((conn) => plansOf(sameStore(conn, store)));
  });

  async function plansOf(db: Db) {
    // With a handful of rows PostgreSQL would rightly read the table whole and sort it: ask whether an index can
    // serve each plan, in its order (a plan that cannot do without a sort or a scan still shows one).
    if (engine === 'PostgreSQL') for (const off of ['seqscan', 'bitmapscan', 'sort']) await sql.raw(`SET enable_${off} = off`).execute(db);
    const filters: TenderFilter[] = [
      { limit: 50 },
      { limit: 50, cursor: { publishedAt: `${day(10)}T10:00:00.000Z`, ocid: TENDERS[10].ocid } },
      { limit: 50, openAt: '2026-01-01T00:00:00Z', valueMin: 1 },
    ];
    // A tag filter that holds many tenders is checked per tender while the list is read in order...
    await db
      .insertInto('tender_cpv')
      .values(Array.from({ length: 2100 }, (_, i) => ({ ocid: `ocds-other-${i}`, lot_id: '', code: '50711000', method: 'published', confidence: 1, reason: null, tagger_version: 't', tagged_at: 'x' })))
      .execute();
    filters.push({ limit: 50, cpvPrefix: '50' });
    for (const filter of filters) {
      const plan = await pagePlan(db, filter);
      if (engine === 'SQLite') {
        expect(plan, JSON.stringify(filter)).toMatch(/^SCAN tenders USING INDEX tenders_newest/m);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      } else {
        expect(plan, JSON.stringify(filter)).toMatch(/Index Scan Backward using tenders_newest/);
        expect(plan).not.toMatch(/Seq Scan on tenders|Sort Key/);
      }
    }
    // ...one that holds few is read from the tag indexes (by code, or by local authority), and only its tenders are sorted.
    const few = await pagePlan(db, { limit: 50, place: placeQuery({ codes: ['TLM'], lads: [] }) });
    expect(few).toMatch(engine === 'SQLite' ? /SEARCH tender_places USING INDEX tender_places_code \(role=\? AND code>\? AND code<\?\)/ : /tender_places_(code|lad)/);
    expect(few).not.toMatch(engine === 'SQLite' ? /SCAN tenders\b/ : /Seq Scan on tenders/);
    const text = await pagePlan(db, { limit: 50, text: 'electrical inspection', place: placeQuery({ codes: ['TLM82'], lads: [] }) });
    if (engine === 'SQLite') {
      expect(text.split('\n')[0]).toMatch(/^SCAN tender_search VIRTUAL TABLE INDEX/);
      expect(text).not.toMatch(/TEMP B-TREE|SCAN tenders\b/);
    } else {
      expect(text).toMatch(/tenders_text_search|tenders_newest/);
      expect(text).not.toMatch(/Seq Scan on tenders/);
    }
  }
});
