import type { Db } from '../client.js';
import { rowsPerInsert } from '../client.js';
import { chunks } from '../bulk.js';
import type { NewMatchRow } from '../schema.suppliers.js';
import type { TenderRecord } from '../../src/domain/ocds/types.js';
import { loadTenderRecords } from './releases.js';
import type { DeliveryTags } from '../../src/domain/matching/opportunity.js';
import { CLOSED_STATUSES } from '../../src/domain/ocds/status.js';
import { readList } from '../json-columns.js';

const OCIDS_PER_QUERY = 90;
const MATCH_COLUMNS = 7;


export interface TenderForMatching {
  record: TenderRecord;
  tags: DeliveryTags;
}

/** The normalised tenders and their delivery and CPV tags; ocids not in the store are left out. */
export async function loadTendersForMatching(db: Db, ocids: string[]): Promise<TenderForMatching[]> {
  const out: TenderForMatching[] = [];
  for (const part of chunks([...new Set(ocids)], OCIDS_PER_QUERY)) {
    const [records, places, cpv, twins] = await Promise.all([
      loadTenderRecords(db, part).catch(() => [] as TenderRecord[]),
      // Read by ocid (the primary key) and the role checked here: a role condition in SQL leads SQLite, which has no
      // statistics, to the (role, code) index and so to every delivery place in the store for each batch.
      db.selectFrom('tender_places').select(['ocid', 'lot_id', 'code', 'national', 'role']).where('ocid', 'in', part).execute(),
      db.selectFrom('tender_cpv').select(['ocid', 'lot_id', 'code']).where('ocid', 'in', part).execute(),
      // A tender published again elsewhere is matched once, as the twin that stands for it (db/queries/twins.ts).
      db.selectFrom('tenders').select('ocid').where('ocid', 'in', part).where('twin_of', 'is not', null).execute(),
    ]);
    const twinned = new Set(twins.map((t) => t.ocid));
    for (const record of records) {
      if (twinned.has(record.ocid)) continue;
      const p = places.filter((x) => x.ocid === record.ocid && x.role === 'delivery');
      const c = cpv.filter((x) => x.ocid === record.ocid);
      out.push({
        record,
        tags: {
          // No rows means the tender was not tagged: let the matcher read places from the notice itself.
          places: p.length ? p.map((x) => ({ lotId: x.lot_id, code: x.code, national: x.national === 1 })) : undefined,
          cpv: c.map((x) => ({ lotId: x.lot_id, code: x.code })),
        },
      });
    }
  }
  return out;
}

/** Tenders still taking bids at `nowIso`: not closed or cancelled, deadline not passed. */
export async function openTenderOcids(db: Db, nowIso: string): Promise<string[]> {
  const rows = await db
    .selectFrom('tenders')
    .select('ocid')
    .where((eb) => eb.or([eb('status', 'is', null), eb('status', 'not in', CLOSED_STATUSES)]))
    .where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>', nowIso)]))
    .where('twin_of', 'is', null)
    .execute();
  return rows.map((r) => r.ocid);
}

/** Writes these matches, replacing the stored score, reasons and deadline of each one already there. */
export async function upsertMatches(db: Db, rows: NewMatchRow[]): Promise<void> {
  for (const part of chunks(rows, rowsPerInsert(db, MATCH_COLUMNS))) {
    await db
      .insertInto('matches')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['supplier_id', 'ocid', 'lot_id']).doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'),
          reasons: eb.ref('excluded.reasons'),
          deadline: eb.ref('excluded.deadline'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
  }
}

async function deleteKeys(db: Db, keys: Array<{ supplier_id: string; ocid: string; lot_id: string }>): Promise<void> {
  // Three parameters per key: stay well below D1's 100.
  for (const part of chunks(keys, 30)) {
    await db
      .deleteFrom('matches')
      .where((eb) => eb.or(part.map((k) => eb.and([eb('supplier_id', '=', k.supplier_id), eb('ocid', '=', k.ocid), eb('lot_id', '=', k.lot_id)]))))
      .execute();
  }
}

const keyOf = (k: { supplier_id: string; ocid: string; lot_id: string }) => `${k.supplier_id}\u0000${k.ocid}\u0000${k.lot_id}`;

/**
 * Makes the stored matches of these tenders exactly `rows`: upserts first, then deletes what is no
 * longer there, so a crash in between leaves old rows that the next run removes, never a gap.
 */
export async function replaceMatchesForTenders(db: Db, ocids: string[], rows: NewMatchRow[]): Promise<{ written: number; removed: number }> {
  await upsertMatches(db, rows);
  const keep = new Set(rows.map(keyOf));
  let removed = 0;
  for (const part of chunks([...new Set(ocids)], OCIDS_PER_QUERY)) {
    const existing = await db.selectFrom('matches').select(['supplier_id', 'ocid', 'lot_id']).where('ocid', 'in', part).execute();
    const stale = existing.filter((k) => !keep.has(keyOf(k)));
    await deleteKeys(db, stale);
    removed += stale.length;
  }
  return { written: rows.length, removed };
}

/** The same for one supplier's matches. */
export async function replaceMatchesForSupplier(db: Db, supplierId: string, rows: NewMatchRow[]): Promise<{ written: number; removed: number }> {
  await upsertMatches(db, rows);
  const keep = new Set(rows.map(keyOf));
  const existing = await db.selectFrom('matches').select(['supplier_id', 'ocid', 'lot_id']).where('supplier_id', '=', supplierId).execute();
  const stale = existing.filter((k) => !keep.has(keyOf(k)));
  await deleteKeys(db, stale);
  return { written: rows.length, removed: stale.length };
}

/** Up to `limit` ocids of tenders open at `nowIso` (as openTenderOcids), after `after` in ocid order. */
export async function openTenderOcidsAfter(db: Db, nowIso: string, after: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('tenders')
    .select('ocid')
    .where('ocid', '>', after)
    .where((eb) => eb.or([eb('status', 'is', null), eb('status', 'not in', CLOSED_STATUSES)]))
    .where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>', nowIso)]))
    .orderBy('ocid')
    .limit(limit)
    .execute();
  return rows.map((r) => r.ocid);
}

/** Deletes a supplier's stored matches other than `keep` (keys `ocid\u0000lot_id`); returns how many went. */
export async function removeSupplierMatchesExcept(db: Db, supplierId: string, keep: Set<string>): Promise<number> {
  const existing = await db.selectFrom('matches').select(['supplier_id', 'ocid', 'lot_id']).where('supplier_id', '=', supplierId).execute();
  const stale = existing.filter((k) => !keep.has(`${k.ocid}\u0000${k.lot_id}`));
  await deleteKeys(db, stale);
  return stale.length;
}

/** Drops matches whose deadline has passed (a tender can close without a new release saying so). */
export async function dropExpiredMatches(db: Db, nowIso: string): Promise<number> {
  const res = await db.deleteFrom('matches').where('deadline', 'is not', null).where('deadline', '<=', nowIso).executeTakeFirst();
  return Number(res.numDeletedRows ?? 0);
}

export interface StoredMatch {
  ocid: string;
  lot_id: string;
  score: number;
  reasons: string[];
  deadline: string | null;
  computed_at: string;
  title: string | null;
  buyer_name: string | null;
  url: string | null;
  lot_title: string | null;
  value_amount: number | null;
  /** The tender's latest UK notice type and status, and its CPV codes (what kind of opportunity it is; buyer history). */
  notice_type: string | null;
  tender_status: string | null;
  cpv_codes: string[];
}

/**
 * A supplier's stored matches still open at `nowIso`, best first: the tender (and the lot) not closed or
 * cancelled, by the statuses openTenderOcids reads, and the match's deadline not passed.
 */
export async function matchesForSupplier(db: Db, supplierId: string, nowIso: string, limit = 100, offset = 0): Promise<StoredMatch[]> {
  const rows = await db
    .selectFrom('matches as m')
    .innerJoin('tenders as t', 't.ocid', 'm.ocid')
    .leftJoin('lots as l', (j) => j.onRef('l.ocid', '=', 'm.ocid').onRef('l.lot_id', '=', 'm.lot_id'))
    .select([
      'm.ocid',
      'm.lot_id',
      'm.score',
      'm.reasons',
      'm.deadline',
      'm.computed_at',
      't.title',
      't.buyer_name',
      't.url',
      'l.title as lot_title',
      't.value_amount as tender_value',
      'l.value_amount as lot_value',
      't.notice_type',
      't.status as tender_status',
      't.cpv_codes',
    ])
    .where('m.supplier_id', '=', supplierId)
    .where((eb) => eb.or([eb('t.status', 'is', null), eb('t.status', 'not in', CLOSED_STATUSES)]))
    .where((eb) => eb.or([eb('l.status', 'is', null), eb('l.status', 'not in', CLOSED_STATUSES)]))
    .where((eb) => eb.or([eb('m.deadline', 'is', null), eb('m.deadline', '>', nowIso)]))
    .orderBy('m.score', 'desc')
    .orderBy('m.ocid')
    .orderBy('m.lot_id')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({
    ocid: r.ocid,
    lot_id: r.lot_id,
    score: r.score,
    reasons: readList(r.reasons),
    deadline: r.deadline,
    computed_at: r.computed_at,
    title: r.title,
    buyer_name: r.buyer_name,
    url: r.url,
    lot_title: r.lot_title ?? null,
    value_amount: r.lot_id ? (r.lot_value ?? null) : r.tender_value,
    notice_type: r.notice_type,
    tender_status: r.tender_status,
    cpv_codes: readList(r.cpv_codes),
  }));
}
