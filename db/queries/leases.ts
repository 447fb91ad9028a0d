import type { Db } from '../client.js';

export interface Lease {
  name: string;
  holder: string;
  expiresAt: string;
}

const expiry = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

/**
 * Takes the lease `name` for `holder` until now + `seconds`, in one conditional upsert: it inserts
 * the row, or takes it over only when the current lease has expired or is already this holder's.
 * One statement, so two instances racing for it cannot both win (no transaction needed, as on D1).
 * Returns true when `holder` now holds the lease.
 */
export async function acquireLease(db: Db, name: string, holder: string, now: Date, seconds: number): Promise<boolean> {
  const nowIso = now.toISOString();
  const rows = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expiry(now, seconds) })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({ holder: eb.ref('excluded.holder'), expires_at: eb.ref('excluded.expires_at') }))
        .where((eb) => eb.or([eb('leases.expires_at', '<=', nowIso), eb('leases.holder', '=', eb.ref('excluded.holder'))])),
    )
    .returning('holder')
    .execute();
  return rows.length === 1 && rows[0].holder === holder;
}

/** Extends a lease this holder still has; false means it was lost (expired and taken by another). */
export async function renewLease(db: Db, name: string, holder: string, now: Date, seconds: number): Promise<boolean> {
  const result = await db
    .updateTable('leases')
    .set({ expires_at: expiry(now, seconds) })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease up, if this holder still has it. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

export async function getLease(db: Db, name: string): Promise<Lease | null> {
  const row = await db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? { name: row.name, holder: row.holder, expiresAt: row.expires_at } : null;
}

export async function listLeases(db: Db, prefix = ''): Promise<Lease[]> {
  const rows = await db.selectFrom('leases').selectAll().where('name', 'like', `${prefix}%`).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, holder: r.holder, expiresAt: r.expires_at }));
}
