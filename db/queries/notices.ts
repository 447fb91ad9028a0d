import type { Db } from '../client.js';
import { chunks } from '../bulk.js';
import { inListSize } from './alerts.js';

/**
 * The store side of address confirmation (double opt-in) and membership invitations (migration 013): who is
 * waiting for one, what was already queued, and the answers.
 */

/** Suppliers whose current address is neither confirmed nor sent a confirmation yet, oldest id first. */
export async function addressesToConfirm(db: Db, limit: number) {
  return db
    .selectFrom('suppliers')
    .select(['id', 'name', 'contact_email'])
    .where('contact_email', 'is not', null)
    .where('contact_email', '!=', '')
    .where('contact_email_verified_at', 'is', null)
    .where('contact_email_confirmation_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** How many messages of this kind went into the outbox for this address since then (any supplier's). */
export async function messagesToAddressSince(db: Db, address: string, kind: string, sinceIso: string): Promise<number> {
  const row = await db
    .selectFrom('alert_outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('to_address', '=', address)
    .where('kind', '=', kind)
    .where('created_at', '>', sinceIso)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Records that a confirmation for this address was queued (or skipped for now), unless the address changed meanwhile. */
export async function markConfirmationQueued(db: Db, supplierId: string, address: string, nowIso: string): Promise<void> {
  await db.updateTable('suppliers').set({ contact_email_confirmation_at: nowIso }).where('id', '=', supplierId).where('contact_email', '=', address).execute();
}

/** Asks for another confirmation message: the next alert run queues one. */
export async function requestConfirmation(db: Db, supplierId: string): Promise<void> {
  await db.updateTable('suppliers').set({ contact_email_confirmation_at: null }).where('id', '=', supplierId).where('contact_email_verified_at', 'is', null).execute();
}

/**
 * Marks the address confirmed, if it is still the supplier's address. 'confirmed' now, 'already' when it
 * was, 'changed' when the supplier's address is another one now.
 */
export async function confirmAddress(db: Db, supplierId: string, address: string, nowIso: string): Promise<'confirmed' | 'already' | 'changed'> {
  const res = await db
    .updateTable('suppliers')
    .set({ contact_email_verified_at: nowIso })
    .where('id', '=', supplierId)
    .where('contact_email', '=', address)
    .where('contact_email_verified_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) return 'confirmed';
  const row = await db.selectFrom('suppliers').select(['contact_email', 'contact_email_verified_at']).where('id', '=', supplierId).executeTakeFirst();
  return row?.contact_email === address && row.contact_email_verified_at ? 'already' : 'changed';
}

/**
 * Invitations not mailed yet whose firm can be mailed: its address is confirmed and it has not unsubscribed.
 * Others wait (the firm can still answer with its key): an invitation never goes to an unconfirmed address.
 */
export async function invitationsToMail(db: Db, afterMember: string, limit: number) {
  return db
    .selectFrom('cooperative_members as m')
    .innerJoin('suppliers as member', 'member.id', 'm.member_id')
    .innerJoin('suppliers as coop', 'coop.id', 'm.cooperative_id')
    .leftJoin('alert_preferences as p', 'p.supplier_id', 'm.member_id')
    .select(['m.cooperative_id', 'm.member_id', 'coop.name as cooperative_name', 'member.name as member_name', 'member.contact_email'])
    .where('m.status', '=', 'invited')
    .where('m.invitation_mailed_at', 'is', null)
    .where('member.contact_email_verified_at', 'is not', null)
    .where('member.contact_email', 'is not', null)
    .where('p.unsubscribed_at', 'is', null)
    .where('m.member_id', '>', afterMember)
    .orderBy('m.member_id')
    .orderBy('m.cooperative_id')
    .limit(limit)
    .execute();
}

/** When the last invitation message to this firm went into the outbox, if one did since then. */
export async function invitationMailedSince(db: Db, memberId: string, sinceIso: string): Promise<boolean> {
  const row = await db
    .selectFrom('alert_outbox')
    .select('message_id')
    .where('supplier_id', '=', memberId)
    .where('kind', '=', 'invitation')
    .where('created_at', '>', sinceIso)
    .executeTakeFirst();
  return !!row;
}

/** Sets (a time) or clears (null: to be mailed again) when these invitations to one firm were mailed. */
export async function setInvitationsMailed(db: Db, memberId: string, cooperativeIds: string[], mailedAt: string | null): Promise<void> {
  for (const part of chunks(cooperativeIds, inListSize(db))) {
    await db
      .updateTable('cooperative_members')
      .set({ invitation_mailed_at: mailedAt })
      .where('member_id', '=', memberId)
      .where('cooperative_id', 'in', part)
      .where('status', '=', 'invited')
      .execute();
  }
}
