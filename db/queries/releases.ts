import type { Db } from '../client.js';
import { engineOf, sameStore } from '../client.js';
import { bulkWriter, chunks, type BulkWriter } from '../bulk.js';
import type { Insertable } from 'kysely';
import type { QuarantineTable, ReleasesTable, TendersTable } from '../schema.js';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import type { IncomingRelease, JsonObject, Release, TenderRecord } from '../../src/domain/ocds/types.js';
import { hash64, sameJson } from '../digest.js';
import { deleteTagRows, replaceTagRows, type PendingTags } from './tags.js';
import { exactPlaceRows } from './places.js';
import { earliestDate } from '../../src/domain/ocds/compile.js';
import type { IngestPipeline, PreparedBatch, PreparedRelease, QuarantineEntry, ReleaseOfTender, TenderRows } from '../prepared.js';

export type { IncomingRelease } from '../../src/domain/ocds/types.js';

export interface StoreCounts {
  fetched: number;
  /** Releases of an ocid not seen before. */
  inserted: number;
  /** New or changed releases of an ocid already stored. */
  updated: number;
  /** Releases already stored with the same content. */
  unchanged: number;
  quarantined: number;
  /** Tenders whose record was created or changed: the match job works on these. */
  changedOcids: string[];
}

/**
 * Stores a batch of releases from one source and recompiles the tenders they touch, through the ingest pipeline
 * it is given (src/ingest/pipeline.ts; src/ingest/store.ts storeReleases passes it).
 *
 * A tender is compiled from all its releases (those stored and those arriving), so order of arrival
 * does not matter. Idempotent and crash-safe without transactions: child rows and the tender are
 * rewritten first and the raw release rows last, so a release counts as stored only once everything
 * derived from it is; a crash part-way leaves releases that the next run treats as new and compiles
 * again. Where the engine has transactions the batch also runs in one, which is much faster on SQLite.
 */
export async function storeBatch(db: Db, pipeline: IngestPipeline, source: string, incoming: IncomingRelease[], now: string): Promise<StoreCounts> {
  // Inside a caller's transaction (see inStoreTransaction) the batch joins it.
  const store = (into: Db) => storePrepared(into, bulkWriter(into), pipeline.prepareBatch(source, incoming, now), now, pipeline);
  if (engineOf(db) === 'd1' || db.isTransaction) return store(db);
  return db.transaction().execute((trx) => store(sameStore(trx, db)));
}

/**
 * Runs `work` in one transaction where the engine has them (D1 has none: `work` gets the store itself).
 * storeReleases calls made with the store it is given join that transaction, so that a bulk ingest
 * commits once per several batches: fewer commits rewrite fewer index pages, while each batch still
 * holds only its own releases in memory. A crash rolls back to the last commit, and the next run stores
 * those releases again.
 */
export async function inStoreTransaction<T>(db: Db, work: (store: Db) => Promise<T>): Promise<T> {
  if (engineOf(db) === 'd1' || db.isTransaction) return work(db);
  return db.transaction().execute((trx) => work(sameStore(trx, db)));
}

/**
 * Writes a prepared batch (db/prepared.ts, made by the ingest pipeline): releases already stored with the same content are passed
 * over; a tender the store has not seen takes the rows prepared from the batch; a tender it has is compiled
 * again from every stored release and the batch's new ones, so that a release arriving late or republished
 * lands in its right place. Child rows and the tender first, the raw release rows last. With `pending` (only
 * inside a transaction) the tag rows are held there, for the caller to flush before it commits.
 */
export async function storePrepared(db: Db, writer: BulkWriter, batch: PreparedBatch, now: string, pipeline: Pick<IngestPipeline, 'tenderRowsOf'>, pending?: PendingTags): Promise<StoreCounts> {
  const { source } = batch;
  const counts: StoreCounts = { fetched: batch.fetched, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, changedOcids: [] };
  const quarantine = [...batch.quarantine];

  // Which releases are already stored, and with what content?
  const stored = new Map<string, string>();
  for (const ids of chunks(batch.releases.map((r) => r.releaseId), 500)) {
    const rows = await db.selectFrom('releases').select(['release_id', 'content_hash']).where('source', '=', source).where('release_id', 'in', ids).execute();
    for (const r of rows) stored.set(r.release_id, r.content_hash);
  }
  const fresh = new Map<string, PreparedRelease>();
  const differing: PreparedRelease[] = [];
  for (const r of batch.releases) {
    const storedHash = stored.get(r.releaseId);
    if (storedHash === r.hash) counts.unchanged++;
    else if (storedHash !== undefined) differing.push(r);
    else fresh.set(r.releaseId, r);
  }
  // Other text for a stored release: unchanged if it holds the same JSON (published again with other spacing).
  const same = new Set(await republished(db, source, differing));
  for (const r of differing) {
    if (same.has(r)) counts.unchanged++;
    else fresh.set(r.releaseId, r);
  }
  const changing = batch.tenders.filter((t) => t.releaseIds.some((id) => fresh.has(id)));

  const existing = new Map<string, Pick<TendersTable, 'published_at' | 'content_hash'>>();
  for (const ocids of chunks(changing.map((t) => t.ocid), 500)) {
    const rows = await db.selectFrom('tenders').select(['ocid', 'published_at', 'content_hash']).where('ocid', 'in', ocids).execute();
    for (const r of rows) existing.set(r.ocid, r);
  }
  // Earlier releases of tenders already stored: the tender is compiled again from all of them.
  const earlier = await storedReleases(db, [...existing.keys()]);

  const written: TenderRows[] = [];
  for (const t of changing) {
    const before = existing.get(t.ocid);
    const releases = t.releaseIds.filter((id) => fresh.has(id)).map((id) => fresh.get(id)!);
    let rows = t.rows;
    let error = t.error;
    if (before || releases.length < t.releaseIds.length) {
      error = undefined;
      try {
        const replaced = new Set(releases.map((r) => r.releaseId));
        const all = [
          ...(earlier.get(t.ocid) ?? []).filter((r) => !replaced.has(r.releaseId)),
          ...releases.map((r) => ({ releaseId: r.releaseId, date: r.date, release: JSON.parse(r.raw) as Release })),
        ];
        rows = pipeline.tenderRowsOf(all, before?.published_at ?? null, source, now);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    if (error !== undefined || !rows) {
      // A release that type-checks but still cannot be compiled: keep it aside with the reason.
      for (const r of releases) {
        quarantine.push({ reason: `cannot compile: ${error}`, raw: r.raw, ocid: t.ocid, releaseId: r.releaseId });
        fresh.delete(r.releaseId);
      }
      continue;
    }
    if (before) counts.updated += releases.length;
    else counts.inserted += releases.length;
    if (before?.content_hash !== rows.tender.content_hash) counts.changedOcids.push(t.ocid);
    written.push(rows);
  }

  await replaceChildren(writer, written, existing, db.isTransaction);
  // Changed tenders wait in the match queue (db/queries/match-queue.ts). Queued before the tender row takes its
  // new content: once it has it, a run after a crash would find the tender unchanged and not queue it.
  await writer.insert('match_queue', counts.changedOcids.map((ocid) => ({ ocid, queued_at: now, claimed_by: null })), ['ocid']);
  await writer.insert('tenders', written.map((r) => r.tender), ['ocid']);
  const alreadyStored = written.map((r) => r.tender.ocid).filter((ocid) => existing.has(ocid));
  if (pending) {
    await deleteTagRows(writer, alreadyStored);
    // Postcodes the imported postcode list knows are placed exactly (the rows were prepared without the store).
    const byOcid = new Map<string, TenderRows['places']>();
    for (const p of await exactPlaceRows(db, written.flatMap((r) => r.places))) {
      const list = byOcid.get(p.ocid);
      if (list) list.push(p);
      else byOcid.set(p.ocid, [p]);
    }
    for (const r of written) pending.hold(r.tender.ocid, byOcid.get(r.tender.ocid) ?? [], r.cpv);
  } else {
    await replaceTagRows(db, alreadyStored, written.flatMap((r) => r.places), written.flatMap((r) => r.cpv));
  }
  await writer.insert('releases', releaseRows(source, [...fresh.values()], now), ['source', 'release_id']);
  counts.quarantined = quarantine.length;
  await writer.insert('quarantine', quarantineRows(source, quarantine, now), ['source', 'content_hash'], []);
  return counts;
}

/**
 * Of releases whose text differs from the stored text, those that hold the same JSON all the same; their stored
 * digest is moved to the new text, so that the next copy of it is known at a glance. The rest are changed.
 */
async function republished(db: Db, source: string, differing: PreparedRelease[]): Promise<PreparedRelease[]> {
  if (!differing.length) return [];
  const storedRaw = new Map<string, string>();
  for (const ids of chunks(differing.map((r) => r.releaseId), 500)) {
    const rows = await db.selectFrom('releases').select(['release_id', 'raw']).where('source', '=', source).where('release_id', 'in', ids).execute();
    for (const row of rows) storedRaw.set(row.release_id, row.raw);
  }
  const same = differing.filter((r) => sameJson(storedRaw.get(r.releaseId) ?? '', r.raw));
  for (const r of same) {
    await db.updateTable('releases').set({ content_hash: r.hash }).where('source', '=', source).where('release_id', '=', r.releaseId).execute();
  }
  return same;
}

/** Every stored release of these ocids, by ocid. */
async function storedReleases(db: Db, ocids: string[]): Promise<Map<string, ReleaseOfTender[]>> {
  const out = new Map<string, ReleaseOfTender[]>();
  for (const part of chunks(ocids, 500)) {
    const rows = await db.selectFrom('releases').select(['ocid', 'release_id', 'release_date', 'raw']).where('ocid', 'in', part).execute();
    for (const r of rows) {
      const list = out.get(r.ocid) ?? [];
      list.push({ releaseId: r.release_id, date: r.release_date, release: JSON.parse(r.raw) as Release });
      out.set(r.ocid, list);
    }
  }
  return out;
}

/**
 * The normalised records of stored tenders, compiled from their stored releases: what matching,
 * retagging and anything else downstream reads. Ocids not in the store are left out.
 */
export async function loadTenderRecords(db: Db, ocids: string[]): Promise<TenderRecord[]> {
  const releases = await storedReleases(db, [...new Set(ocids)]);
  const out: TenderRecord[] = [];
  for (const [, list] of releases) {
    const dates = list.map((r) => r.date);
    out.push(normalise(compileReleases(list.map((r) => r.release)), { firstReleaseDate: earliestDate(dates) }));
  }
  return out;
}

/**
 * Lots, items, awards and award suppliers are rewritten whole for every changed tender. Without a transaction
 * (D1) a run that stopped after a new tender's child rows but before its tender row left children of a tender
 * the store does not know yet, so there the children of every written tender are cleared first.
 */
async function replaceChildren(writer: BulkWriter, written: TenderRows[], existing: Map<string, unknown>, inTransaction: boolean): Promise<void> {
  if (!written.length) return;
  const stored = written.map((r) => r.tender.ocid).filter((ocid) => !inTransaction || existing.has(ocid));
  for (const table of ['lots', 'items', 'awards', 'award_suppliers'] as const) await writer.deleteWhereIn(table, 'ocid', stored);
  await writer.insert('lots', written.flatMap((r) => r.lots));
  await writer.insert('items', written.flatMap((r) => r.items));
  await writer.insert('awards', written.flatMap((r) => r.awards));
  await writer.insert('award_suppliers', written.flatMap((r) => r.awardSuppliers));
}

function releaseRows(source: string, fresh: PreparedRelease[], now: string): Insertable<ReleasesTable>[] {
  return fresh.map((a) => ({
    source,
    release_id: a.releaseId,
    ocid: a.ocid,
    release_date: a.date,
    tags: a.tags,
    content_hash: a.hash,
    raw: a.raw,
    stored_at: now,
  }));
}

function quarantineRows(source: string, entries: QuarantineEntry[], now: string): Insertable<QuarantineTable>[] {
  return uniqueBy(
    entries.map((q) => ({ source, content_hash: hash64(q.raw), ocid: q.ocid, release_id: q.releaseId, reason: q.reason, raw: q.raw, received_at: now })),
    (r) => r.content_hash,
  );
}

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of list) seen.set(key(t), t);
  return [...seen.values()];
}

/** As loadTenderRecords, with each tender's compiled release beside its record (for what the record leaves out: contract periods, milestones). */
export async function loadCompiledTenders(db: Db, ocids: string[]): Promise<Array<{ compiled: JsonObject; record: TenderRecord }>> {
  const releases = await storedReleases(db, [...new Set(ocids)]);
  const out: Array<{ compiled: JsonObject; record: TenderRecord }> = [];
  for (const [, list] of releases) {
    const compiled = compileReleases(list.map((r) => r.release));
    out.push({ compiled, record: normalise(compiled, { firstReleaseDate: earliestDate(list.map((r) => r.date)) }) });
  }
  return out;
}
