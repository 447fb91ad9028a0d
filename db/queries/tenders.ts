import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../client.js';
import type { Database, TendersTable } from '../schema.js';
import { searchWords, tenderSearchFor, type TenderPage } from '../tender-search.js';

export interface TenderFilter {
  /** Words that must all appear in the title or description (whole words, stemmed: see db/tender-search.ts). */
  text?: string;
  /** CPV code prefix (significant digits), such as `72` or `7222`. */
  cpvPrefix?: string;
  /** ITL 2021 codes: a tender matches when a delivery place lies within any of them. */
  regionCodes?: string[];
  status?: string;
  /** Only tenders still taking bids at `now`. */
  openAt?: string;
  valueMin?: number;
  valueMax?: number;
  smeSuitable?: boolean;
  publishedSince?: string;
  limit: number;
  cursor?: TenderCursor;
}

export interface TenderCursor {
  publishedAt: string;
  ocid: string;
  /** Where a text search stopped in its index (db/tender-search.ts); absent for the list without words. */
  doc?: number;
}

export const CLOSED_STATUS_LIST = ['cancelled', 'unsuccessful', 'complete', 'withdrawn'];

const LIST_COLUMNS = [
  'ocid',
  'title',
  'buyer_name',
  'value_amount',
  'value_currency',
  'status',
  'published_at',
  'deadline',
  'notice_type',
  'suitable_sme',
  'suitable_vcse',
  'cpv_codes',
  'url',
  'updated_at',
] as const;
type ListedTender = Pick<TendersTable, (typeof LIST_COLUMNS)[number]>;

/** The list's order, newest first; the index tenders_newest (migration 009) holds it. */
const NEWEST = sql<string>`coalesce(tenders.published_at, '')`;

/** The codes from `prefix` up to (not including) the next prefix: a range an index reads, as LIKE 'x%' is not. */
function prefixRange(prefix: string): [string, string] {
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)];
}

/**
 * Below this many rows in a tag index, a filter on it is read from that index and its tenders sorted; from this many
 * on, the list is read newest first and each tender checked, which finds a page after a few hundred rows.
 */
const FEW_TAGGED = 2000;

/**
 * A column read as an expression, so that no index on it is used: inside a check per tender the tag table must be
 * read by the tender's ocid (its primary key), never by its code index, which would read every tagged tender for
 * each one (the planner has no statistics to tell the two apart).
 */
const UNINDEXED = (column: string) => sql`(${sql.ref(column)} || '')`;

/** Whether a tag filter holds fewer than FEW_TAGGED rows (counted in its index, at most that many read). */
async function fewTagged(db: Db, table: 'tender_cpv' | 'tender_places', ranges: Array<[string, string]>): Promise<boolean> {
  const eb = expressionBuilder<Database, 'tender_cpv' | 'tender_places'>();
  const inRange = eb.or(ranges.map(([lo, hi]) => eb.and([eb('code', '>=', lo), eb('code', '<', hi)])));
  let q = db.selectFrom(table).select(sql`1`.as('one')).where(inRange);
  if (table === 'tender_places') q = q.where('role', '=', 'delivery');
  const { n } = await db
    .selectFrom(q.limit(FEW_TAGGED).as('tagged'))
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n) < FEW_TAGGED;
}

/** Every filter but the words, as conditions on `tenders`. */
async function conditions(db: Db, f: TenderFilter): Promise<Expression<SqlBool>[]> {
  const eb = expressionBuilder<Database, 'tenders'>();
  const out: Expression<SqlBool>[] = [];
  if (f.cpvPrefix) {
    const range = prefixRange(f.cpvPrefix);
    const tagged = (await fewTagged(db, 'tender_cpv', [range]))
      ? eb('tenders.ocid', 'in', db.selectFrom('tender_cpv').select('tender_cpv.ocid').where('tender_cpv.code', '>=', range[0]).where('tender_cpv.code', '<', range[1]))
      : eb.exists(
          db
            .selectFrom('tender_cpv')
            .select(sql`1`.as('one'))
            .where('tender_cpv.ocid', '=', sql.ref<string>('tenders.ocid'))
            .where(sql<SqlBool>`${UNINDEXED('tender_cpv.code')} >= ${range[0]} AND ${UNINDEXED('tender_cpv.code')} < ${range[1]}`),
        );
    out.push(tagged);
  }
  if (f.regionCodes) {
    const ranges = f.regionCodes.map(prefixRange);
    const placed = (e: ExpressionBuilder<Database, 'tender_places'>) => e.or(ranges.map(([lo, hi]) => e.and([e('tender_places.code', '>=', lo), e('tender_places.code', '<', hi)])));
    out.push(
      (await fewTagged(db, 'tender_places', ranges))
        ? eb('tenders.ocid', 'in', db.selectFrom('tender_places').select('tender_places.ocid').where('tender_places.role', '=', 'delivery').where(placed))
        : eb.exists(
            db
              .selectFrom('tender_places')
              .select(sql`1`.as('one'))
              .where('tender_places.ocid', '=', sql.ref<string>('tenders.ocid'))
              .where(sql<SqlBool>`${UNINDEXED('tender_places.role')} = 'delivery' AND (${sql.join(ranges.map(([lo, hi]) => sql`(${UNINDEXED('tender_places.code')} >= ${lo} AND ${UNINDEXED('tender_places.code')} < ${hi})`), sql` OR `)})`),
          ),
    );
  }
  if (f.status) out.push(eb('tenders.status', '=', f.status));
  if (f.openAt) {
    out.push(eb.or([eb('tenders.status', 'is', null), eb('tenders.status', 'not in', CLOSED_STATUS_LIST)]));
    out.push(eb.or([eb('tenders.deadline', 'is', null), eb('tenders.deadline', '>', f.openAt)]));
  }
  if (f.valueMin !== undefined) out.push(eb('tenders.value_amount', '>=', f.valueMin));
  if (f.valueMax !== undefined) out.push(eb('tenders.value_amount', '<=', f.valueMax));
  if (f.smeSuitable !== undefined) out.push(eb('tenders.suitable_sme', '=', f.smeSuitable ? 1 : 0));
  if (f.publishedSince) out.push(eb(NEWEST, '>=', f.publishedSince));
  return out;
}

/** The list read newest first from the cursor, through tenders_newest, one page (and one row to know if more follow). */
async function newestFirst(db: Db, where: Expression<SqlBool>[], cursor: TenderCursor | undefined, limit: number): Promise<TenderPage<ListedTender & { sort_key: string }>> {
  const eb = expressionBuilder<Database, 'tenders'>();
  const all = [...where];
  if (cursor) {
    // A row value, which both engines read as one range of tenders_newest.
    all.push(sql<SqlBool>`(${NEWEST}, tenders.ocid) < (${cursor.publishedAt}, ${cursor.ocid})`);
  }
  const rows = await db
    .selectFrom('tenders')
    .select(LIST_COLUMNS.map((c) => `tenders.${c}` as const))
    .select(NEWEST.as('sort_key'))
    .where(eb.and(all))
    .orderBy(NEWEST, 'desc')
    .orderBy('tenders.ocid', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > limit && last ? { publishedAt: last.sort_key, ocid: last.ocid } : null };
}

/** Tenders matching every filter given, newest first, one page at a time; the work is that of one page, not of the table. */
export async function findTenders(db: Db, f: TenderFilter): Promise<{ tenders: ListedTender[]; next: TenderCursor | null }> {
  const where = await conditions(db, f);
  const words = f.text ? searchWords(f.text) : [];
  const found = words.length
    ? await tenderSearchFor(db).page(db, { words, where, cursor: f.cursor, limit: f.limit, list: (extra) => newestFirst(db, [...where, extra], f.cursor, f.limit) })
    : await newestFirst(db, where, f.cursor, f.limit);
  return {
    tenders: found.rows.map((row) => Object.fromEntries(LIST_COLUMNS.map((c) => [c, row[c]])) as ListedTender),
    next: found.next,
  };
}

/** One tender with its lots, items, awards (with suppliers) and tags, or null. */
export async function getTender(db: Db, ocid: string) {
  const tender = await db.selectFrom('tenders').selectAll().where('ocid', '=', ocid).executeTakeFirst();
  if (!tender) return null;
  const [lots, items, awards, suppliers, places, cpv] = await Promise.all([
    db.selectFrom('lots').selectAll().where('ocid', '=', ocid).orderBy('lot_id').execute(),
    db.selectFrom('items').selectAll().where('ocid', '=', ocid).orderBy('item_id').execute(),
    db.selectFrom('awards').selectAll().where('ocid', '=', ocid).orderBy('award_id').execute(),
    db.selectFrom('award_suppliers').selectAll().where('ocid', '=', ocid).execute(),
    db.selectFrom('tender_places').selectAll().where('ocid', '=', ocid).execute(),
    db.selectFrom('tender_cpv').selectAll().where('ocid', '=', ocid).execute(),
  ]);
  return { tender, lots, items, awards, suppliers, places, cpv };
}
