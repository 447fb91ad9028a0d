import type { Db } from '../client.js';
import { chunks, type BulkWriter } from '../bulk.js';

/**
 * The match queue: tenders whose record or tags changed and whose matches are not yet written again.
 * storePrepared (db/queries/releases.ts) queues the tenders it changes in the same write sequence as their
 * rows, retag the tenders whose tags it changes, and the match job (jobs/match.ts drainMatchQueue) takes a
 * tender off only after writing its matches. A match run first claims the tenders it is about to read;
 * queuing a tender again clears the claim, and a run removes only the tenders it still holds, so a tender
 * that changed while it was being matched stays queued for the next run.
 */

/** Ocids per statement: below D1's 100 bound parameters with one or two to spare. */
const OCIDS_PER_STATEMENT = 90;

/** Queues tenders to be matched (again); queuing a queued tender moves its time and clears any claim. */
export async function queueForMatching(writer: BulkWriter, ocids: string[], now: string): Promise<void> {
  await writer.insert('match_queue', [...new Set(ocids)].map((ocid) => ({ ocid, queued_at: now, claimed_by: null })), ['ocid']);
}

/** Up to `limit` queued ocids after `after`, in ocid order (claimed or not: a claim left by a stopped run is taken over). */
export async function queuedOcids(db: Db, after: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('match_queue').select('ocid').where('ocid', '>', after).orderBy('ocid').limit(limit).execute();
  return rows.map((r) => r.ocid);
}

/** Marks these queued tenders as being matched by `run`. */
export async function claimQueued(db: Db, run: string, ocids: string[]): Promise<void> {
  for (const part of chunks(ocids, OCIDS_PER_STATEMENT)) {
    await db.updateTable('match_queue').set({ claimed_by: run }).where('ocid', 'in', part).execute();
  }
}

/** Takes off the queue those of these tenders that `run` still holds (not queued again since it claimed them). */
export async function dequeueClaimed(db: Db, run: string, ocids: string[]): Promise<number> {
  let removed = 0;
  for (const part of chunks(ocids, OCIDS_PER_STATEMENT)) {
    const res = await db.deleteFrom('match_queue').where('claimed_by', '=', run).where('ocid', 'in', part).executeTakeFirst();
    removed += Number(res.numDeletedRows ?? 0);
  }
  return removed;
}

/** How many tenders wait in the queue. */
export async function queuedCount(db: Db): Promise<number> {
  const row = await db.selectFrom('match_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/*
 * The supplier match queue (migration 009): suppliers registered or changed whose matches are not yet written
 * again. The supplier routes queue a supplier (and the cooperatives it belongs to) before writing its row, and
 * the match job (jobs/match.ts drainSupplierMatchQueue) takes it off only after writing its matches, with the
 * same claim rule as the tender queue above.
 */

/** Queues suppliers to be matched (again); queuing a queued supplier moves its time and clears any claim. */
export async function queueSuppliersForMatching(db: Db, supplierIds: string[], now: string): Promise<void> {
  const ids = [...new Set(supplierIds)];
  for (const part of chunks(ids, OCIDS_PER_STATEMENT / 3)) {
    await db
      .insertInto('supplier_match_queue')
      .values(part.map((supplier_id) => ({ supplier_id, queued_at: now, claimed_by: null })))
      .onConflict((oc) => oc.column('supplier_id').doUpdateSet((eb) => ({ queued_at: eb.ref('excluded.queued_at'), claimed_by: eb.ref('excluded.claimed_by') })))
      .execute();
  }
}

/** Up to `limit` queued supplier ids after `after`, in id order (a claim left by a stopped run is taken over). */
export async function queuedSupplierIds(db: Db, after: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('supplier_match_queue').select('supplier_id').where('supplier_id', '>', after).orderBy('supplier_id').limit(limit).execute();
  return rows.map((r) => r.supplier_id);
}

export async function claimQueuedSuppliers(db: Db, run: string, supplierIds: string[]): Promise<void> {
  for (const part of chunks(supplierIds, OCIDS_PER_STATEMENT)) {
    await db.updateTable('supplier_match_queue').set({ claimed_by: run }).where('supplier_id', 'in', part).execute();
  }
}

/** Takes off the queue those of these suppliers that `run` still holds (not queued again since it claimed them). */
export async function dequeueClaimedSuppliers(db: Db, run: string, supplierIds: string[]): Promise<number> {
  let removed = 0;
  for (const part of chunks(supplierIds, OCIDS_PER_STATEMENT)) {
    const res = await db.deleteFrom('supplier_match_queue').where('claimed_by', '=', run).where('supplier_id', 'in', part).executeTakeFirst();
    removed += Number(res.numDeletedRows ?? 0);
  }
  return removed;
}

export async function queuedSupplierCount(db: Db): Promise<number> {
  const row = await db.selectFrom('supplier_match_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether a supplier's matches are still to be written (it waits in the queue, or is being matched). */
export async function supplierMatchingPending(db: Db, supplierId: string): Promise<boolean> {
  return !!(await db.selectFrom('supplier_match_queue').select('supplier_id').where('supplier_id', '=', supplierId).executeTakeFirst());
}
