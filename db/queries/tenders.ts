import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../client.js';
import type { Database } from '../schema.js';
import { chunks } from '../bulk.js';
import type { PlaceQuery } from '../../src/domain/geo/index.js';
import { CLOSED_STATUSES } from '../../src/domain/ocds/status.js';

export interface TenderFilter {
  /** Words that must all appear in the title or description (case-insensitive). */
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

export interface TenderCursor {
  publishedAt: string;
  ocid: string;
}

/** Tender statuses of planning notices (OCDS 1.1 `planning`, 1.1.5 `planned`). */
const PLANNING_STATUSES = ['planning', 'planned'];
/** UK notice types of planning notices: UK1 pipeline, UK2 preliminary market engagement, UK3 planned procurement. */
const PLANNING_NOTICE_TYPES = ['UK1', 'UK2', 'UK3'];

/** The rows of tender_places (role delivery) that lie inside `place` (`inside`), or inside or overlapping it. */
function placeCondition(eb: ExpressionBuilder<Database, 'tender_places'>, place: PlaceQuery, inside: boolean) {
  const ors = [];
  for (const code of place.whole) {
    const like = eb('code', 'like', `${code}%`);
    if (!inside) ors.push(like);
    else {
      // A UK-wide or England-wide row stands for all of the UK or England: inside only a place that covers it.
      const national = [eb('national', '=', 0)];
      if (place.nationalInside.uk) national.push(eb('code', '=', 'TL'));
      if (place.nationalInside.england) national.push(eb('code', '<>', 'TL'));
      ors.push(eb.and([like, eb.or(national)]));
    }
  }
  if (!inside && place.overlapping.length) ors.push(eb.and([eb('lad', '=', ''), eb('code', 'in', place.overlapping)]));
  if (!inside && place.nationalOverlap.england) ors.push(eb.and([eb('national', '=', 1), eb('code', '<>', 'TL')]));
  const lads = inside ? place.insideLads : place.partialLads;
  if (lads.length) ors.push(eb('lad', 'in', lads));
  return ors.length ? eb.or(ors) : sql<boolean>`1 = 0`;
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

/** Tenders matching every filter given, newest first, one page at a time. */
export async function findTenders(db: Db, f: TenderFilter) {
  let q = db
    .selectFrom('tenders')
    .select([
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
    ])
    .select(sql<string>`coalesce(published_at, '')`.as('sort_key'));

  for (const word of (f.text ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
    const like = `%${word.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(title)`, 'like', sql`${like} escape '\\'`),
        eb(sql`lower(description)`, 'like', sql`${like} escape '\\'`),
      ]),
    );
  }
  if (f.cpvPrefix) {
    const prefix = `${f.cpvPrefix}%`;
    q = q.where('ocid', 'in', db.selectFrom('tender_cpv').select('ocid').where('code', 'like', prefix));
  }
  if (f.place) {
    const place = f.place;
    const inside = f.placeInside ?? false;
    q = q.where('ocid', 'in', db.selectFrom('tender_places').select('ocid').where('role', '=', 'delivery').where((eb) => placeCondition(eb, place, inside)));
  }
  if (f.status) q = q.where('status', '=', f.status);
  if (f.openAt) {
    const at = f.openAt;
    // A planning notice takes no bids: it is open while its early engagement runs, and not once that has ended or
    // when it gives no end (last year's planning notices are not open today).
    q = q
      .where((eb) => eb.or([eb('status', 'is', null), eb('status', 'not in', CLOSED_STATUSES)]))
      .where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>', at)]))
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'is not', null), eb('status', 'not in', PLANNING_STATUSES)]),
          eb.and([eb('status', 'is', null), eb('notice_type', 'is', null)]),
          eb.and([eb('status', 'is', null), eb('notice_type', 'not in', PLANNING_NOTICE_TYPES)]),
          eb('engagement_ends', '>', at),
        ]),
      );
  }
  // One opportunity per procurement: a tender published again elsewhere is listed once, under its twin.
  q = q.where('twin_of', 'is', null);
  if (f.valueMin !== undefined) q = q.where('value_amount', '>=', f.valueMin);
  if (f.valueMax !== undefined) q = q.where('value_amount', '<=', f.valueMax);
  if (f.smeSuitable !== undefined) q = q.where('suitable_sme', '=', f.smeSuitable ? 1 : 0);
  if (f.publishedSince) q = q.where('published_at', '>=', f.publishedSince);
  if (f.cursor) {
    const { publishedAt, ocid } = f.cursor;
    q = q.where((eb) =>
      eb.or([
        eb(sql`coalesce(published_at, '')`, '<', publishedAt),
        eb.and([eb(sql`coalesce(published_at, '')`, '=', publishedAt), eb('ocid', '<', ocid)]),
      ]),
    );
  }
  const rows = await q
    .orderBy(sql`coalesce(published_at, '')`, 'desc')
    .orderBy('ocid', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const next: TenderCursor | null = rows.length > f.limit && last ? { publishedAt: last.sort_key, ocid: last.ocid } : null;
  return { tenders: page.map(({ sort_key: _s, ...t }) => t), next };
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
