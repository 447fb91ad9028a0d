import { sql } from 'kysely';
import type { Db } from '../client.js';
import { CLOSED_STATUSES } from '../../src/domain/ocds/status.js';

export interface TenderFilter {
  /** Words that must all appear in the title or description (case-insensitive). */
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
  if (f.regionCodes) {
    const codes = f.regionCodes;
    q = q.where(
      'ocid',
      'in',
      db
        .selectFrom('tender_places')
        .select('ocid')
        .where('role', '=', 'delivery')
        .where((eb) => eb.or(codes.map((code) => eb('code', 'like', `${code}%`)))),
    );
  }
  if (f.status) q = q.where('status', '=', f.status);
  if (f.openAt) {
    const at = f.openAt;
    q = q
      .where((eb) => eb.or([eb('status', 'is', null), eb('status', 'not in', CLOSED_STATUSES)]))
      .where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>', at)]));
  }
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
