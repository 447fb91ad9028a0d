import type { Db } from '../client.js';

/**
 * The store side of signing in on the pages (migration 015): sign-in links that work once, and sessions kept by
 * the hash of their cookie. Every write is one statement (D1 has no interactive transactions): a link is spent
 * by one conditional UPDATE, so two requests racing with the same link cannot both succeed.
 */

export interface NewSignInLink {
  nonce: string;
  supplierId: string;
  address: string;
  createdAt: string;
  expiresAt: string;
}

export async function recordSignInLink(db: Db, link: NewSignInLink): Promise<void> {
  await db
    .insertInto('sign_in_links')
    .values({ nonce: link.nonce, supplier_id: link.supplierId, address: link.address, created_at: link.createdAt, expires_at: link.expiresAt, used_at: null })
    .onConflict((oc) => oc.column('nonce').doNothing())
    .execute();
}

/** Links made for this address since then (any supplier's): the sign-in form's limit per address. */
export async function signInLinksSince(db: Db, address: string, sinceIso: string): Promise<number> {
  const row = await db
    .selectFrom('sign_in_links')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('address', '=', address)
    .where('created_at', '>', sinceIso)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Deletes links made before the cut-off, used or not (they can no longer open anything). */
export async function forgetSignInLinks(db: Db, beforeIso: string): Promise<void> {
  await db.deleteFrom('sign_in_links').where('created_at', '<', beforeIso).execute();
}

/**
 * Spends a link: true only for the one request that marks an unused, unexpired link of this supplier used.
 * 'used' and 'expired' tell apart why not, for the page to say.
 */
export async function spendSignInLink(db: Db, nonce: string, supplierId: string, nowIso: string): Promise<'spent' | 'used' | 'expired' | 'unknown'> {
  const res = await db
    .updateTable('sign_in_links')
    .set({ used_at: nowIso })
    .where('nonce', '=', nonce)
    .where('supplier_id', '=', supplierId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) return 'spent';
  const row = await db.selectFrom('sign_in_links').select(['used_at', 'expires_at']).where('nonce', '=', nonce).where('supplier_id', '=', supplierId).executeTakeFirst();
  if (!row) return 'unknown';
  return row.used_at ? 'used' : 'expired';
}

export interface PageSession {
  role: 'supplier' | 'operator';
  supplierId: string | null;
  expiresAt: string;
}

export async function openSession(db: Db, idHash: string, session: PageSession, nowIso: string): Promise<void> {
  await db
    .insertInto('page_sessions')
    .values({ id_hash: idHash, role: session.role, supplier_id: session.supplierId, created_at: nowIso, expires_at: session.expiresAt })
    .execute();
}

/** The live session with this cookie hash, or null (unknown or ended). */
export async function findSession(db: Db, idHash: string, nowIso: string): Promise<PageSession | null> {
  const row = await db.selectFrom('page_sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', nowIso).executeTakeFirst();
  if (!row) return null;
  return { role: row.role === 'operator' ? 'operator' : 'supplier', supplierId: row.supplier_id, expiresAt: row.expires_at };
}

export async function closeSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('page_sessions').where('id_hash', '=', idHash).execute();
}

/** Deletes sessions that have ended. */
export async function forgetEndedSessions(db: Db, nowIso: string): Promise<void> {
  await db.deleteFrom('page_sessions').where('expires_at', '<=', nowIso).execute();
}
