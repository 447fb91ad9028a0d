import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../client.js';
import type { Database, TendersTable } from '../schema.js';
import { searchWords, tenderSearchFor, type TenderCursor, type TenderPage } from '../tender-search.js';
import { chunks } from '../bulk.js';
import { ENGLAND_ITL1, type PlaceQuery } from '../../src/domain/geo/index.js';
import { CLOSED_STATUSES } from '../../src/domain/ocds/status.js';

export interface TenderFilter {
  /** Words that must all appear in the title or description (whole words, stemmed: see db/tender-search.ts). */
  text?: string;
  /** CPV code prefix (significant digits), such as `72` or `7222`. */
  cpvPrefix?: string;
  /**
   * A place (see placeQuery in src/domain/geo): a tender is found when one of its delivery places lies inside it or
   * overlaps it ("wider area"); with `placeInside`, only when one lies inside.
   */
  place?: PlaceQuery;
  placeInside?: boolean;
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

export type { TenderCursor } from '../tender-search.types.js';

/** Tender statuses of planning notices (OCDS 1.1 `planning`, 1.1.5 `planned`). */
const PLANNING_STATUSES = ['planning', 'planned'];
/** UK notice types of planning notices: UK1 pipeline, UK2 preliminary market engagement, UK3 planned procurement. */
const PLANNING_NOTICE_TYPES = ['UK1', 'UK2', 'UK3'];

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

/**
 * The delivery rows of tender_places that lie inside `place` (`inside`), or inside or overlapping it. Each
 * alternative carries the role, so that SQLite reads each from the tag indexes, (role, code) or (role, lad), and
 * joins what they find; `indexed` false writes the columns as expressions, for a check per tender by its ocid.
 */
function placeCondition(eb: ExpressionBuilder<Database, 'tender_places'>, place: PlaceQuery, inside: boolean, indexed = true): Expression<SqlBool> {
  const col = (c: 'role' | 'code' | 'lad' | 'national') => (indexed ? sql.ref<string>(`tender_places.${c}`) : sql<string>`${UNINDEXED(`tender_places.${c}`)}`);
  const delivery = eb(col('role'), '=', 'delivery');
  const flagged = (v: 0 | 1) => eb(col('national'), '=', sql<string>`${indexed ? v : String(v)}`);
  const ors: Expression<SqlBool>[] = [];
  for (const code of place.whole) {
    // A range of codes rather than LIKE 'x%', so that the tag index (role, code) serves it.
    const [lo, hi] = prefixRange(code);
    const within = [delivery, eb(col('code'), '>=', lo), eb(col('code'), '<', hi)];
    if (!inside) ors.push(eb.and(within));
    else {
      // A UK-wide or England-wide row stands for all of the UK or England: inside only a place that covers it.
      const national = [flagged(0)];
      if (place.nationalInside.uk) national.push(eb(col('code'), '=', 'TL'));
      if (place.nationalInside.england) national.push(eb(col('code'), '<>', 'TL'));
      ors.push(eb.and([...within, eb.or(national)]));
    }
  }
  if (!inside && place.overlapping.length) ors.push(eb.and([delivery, eb(col('code'), 'in', place.overlapping), eb(col('lad'), '=', '')]));
  // England-wide rows are the nine English ITL1 codes, each flagged national.
  if (!inside && place.nationalOverlap.england) ors.push(eb.and([delivery, eb(col('code'), 'in', ENGLAND_ITL1), flagged(1)]));
  const lads = inside ? place.insideLads : place.partialLads;
  if (lads.length) ors.push(eb.and([delivery, eb(col('lad'), 'in', lads)]));
  return ors.length ? eb.or(ors) : sql<SqlBool>`1 = 0`;
}

/** The delivery place rows of these tenders (every lot), for saying how each stands to a place asked about. */
export async function deliveryPlacesOf(db: Db, ocids: string[]): Promise<Map<string, Array<{ code: string; lad: string; national: boolean }>>> {
  const out = new Map<string, Array<{ code: string; lad: string; national: boolean }>>();
  for (const part of chunks([...new Set(ocids)], 90)) {
    const rows = await db.selectFrom('tender_places').select(['ocid', 'code', 'lad', 'national']).where('role', '=', 'delivery').where('ocid', 'in', part).execute();
    for (const r of rows) {
      const list = out.get(r.ocid) ?? [];
      list.push({ code: r.code, lad: r.lad, national: r.national === 1 });
      out.set(r.ocid, list);
    }
  }
  return out;
}

/** Whether a place filter holds fewer than FEW_TAGGED delivery rows (counted in the tag index, at most that many read). */
async function fewPlaced(db: Db, place: PlaceQuery, inside: boolean): Promise<boolean> {
  const q = db.selectFrom('tender_places').select(sql`1`.as('one')).where((e) => placeCondition(e, place, inside));
  const { n } = await db.selectFrom(q.limit(FEW_TAGGED).as('placed')).select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
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
  if (f.place) {
    const place = f.place;
    const inside = f.placeInside ?? false;
    out.push(
      (await fewPlaced(db, place, inside))
        ? eb('tenders.ocid', 'in', db.selectFrom('tender_places').select('tender_places.ocid').where((e) => placeCondition(e, place, inside)))
        : eb.exists(
            db
              .selectFrom('tender_places')
              .select(sql`1`.as('one'))
              .where('tender_places.ocid', '=', sql.ref<string>('tenders.ocid'))
              .where((e) => placeCondition(e, place, inside, false)),
          ),
    );
  }
  if (f.status) out.push(eb('tenders.status', '=', f.status));
  if (f.openAt) {
    const at = f.openAt;
    out.push(eb.or([eb('tenders.status', 'is', null), eb('tenders.status', 'not in', CLOSED_STATUSES)]));
    out.push(eb.or([eb('tenders.deadline', 'is', null), eb('tenders.deadline', '>', at)]));
    // A planning notice takes no bids: it is open while its early engagement runs, and not once that has ended or
    // when it gives no end (last year's planning notices are not open today).
    out.push(
      eb.or([
        eb.and([eb('tenders.status', 'is not', null), eb('tenders.status', 'not in', PLANNING_STATUSES)]),
        eb.and([eb('tenders.status', 'is', null), eb('tenders.notice_type', 'is', null)]),
        eb.and([eb('tenders.status', 'is', null), eb('tenders.notice_type', 'not in', PLANNING_NOTICE_TYPES)]),
        eb('tenders.engagement_ends', '>', at),
      ]),
    );
  }
  // One opportunity per procurement: a tender published again elsewhere is listed once, under its twin.
  out.push(eb('tenders.twin_of', 'is', null));
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
