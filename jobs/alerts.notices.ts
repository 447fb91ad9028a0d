import { randomUUID } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import { insertOutbox, signingSecret } from '../db/queries/alerts.js';
import {
  addressesToConfirm,
  invitationMailedSince,
  invitationsToMail,
  markConfirmationQueued,
  messagesToAddressSince,
  setInvitationsMailed,
} from '../db/queries/notices.js';
import type { NewAlertOutboxRow } from '../db/schema.alerts.js';
import { renderNotice, type StoredNotice } from '../src/mail/notices.js';
import { signToken } from '../src/mail/tokens.js';

/**
 * The alert run's other messages, written to the same outbox as digests and sent by the same delivery:
 * (1) a confirmation for every contact address not yet confirmed (double opt-in: no digest or invitation
 * goes to an address before its owner clicks the link), (2) the invitations of cooperatives to firms whose
 * address is confirmed. The outbox row goes first and the mark that it was queued second: a crash in between
 * means the message is queued once more by the next run, never lost.
 */

/** At most this many confirmation messages to one address in a day, whoever registers it: the service cannot be used to flood a stranger. */
export const CONFIRMATIONS_PER_ADDRESS_PER_DAY = 3;
const DAY_MS = 86_400_000;
const BATCH = 200;

export interface NoticeSummary {
  confirmations_queued: number;
  /** Addresses left unconfirmed this run because they already had their day's confirmations. */
  confirmations_held: number;
  invitations_queued: number;
}

function outboxRow(messageId: string, supplierId: string, to: string, kind: 'confirm' | 'invitation', content: StoredNotice, headers: Record<string, string>, keys: string[], nowIso: string): NewAlertOutboxRow {
  return {
    message_id: messageId,
    kind,
    supplier_id: supplierId,
    to_address: to,
    subject: renderNotice(content).subject,
    text_body: '',
    html_body: '',
    content: JSON.stringify(content),
    headers: JSON.stringify({ 'Auto-Submitted': 'auto-generated', ...headers }),
    item_keys: JSON.stringify(keys),
    item_count: 0,
    status: 'pending',
    attempts: 0,
    next_attempt_at: nowIso,
    last_attempt_at: null,
    last_code: null,
    last_error: null,
    created_at: nowIso,
    sent_at: null,
  };
}

export async function queueNotices(deps: Deps, domain: string, keep: () => Promise<boolean> = async () => true): Promise<NoticeSummary> {
  const { db, clock, config, log } = deps;
  const now = clock.now();
  const nowIso = now.toISOString();
  const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, now);
  const base = config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const expiresAt = new Date(now.getTime() + config.CONFIRM_LINK_DAYS * DAY_MS);
  const out: NoticeSummary = { confirmations_queued: 0, confirmations_held: 0, invitations_queued: 0 };

  // Each pass marks every supplier it reads, so the loop ends.
  for (;;) {
    const batch = await addressesToConfirm(db, BATCH);
    if (batch.length === 0) break;
    for (const s of batch) {
      const address = s.contact_email!;
      if ((await messagesToAddressSince(db, address, 'confirm', dayAgo)) >= CONFIRMATIONS_PER_ADDRESS_PER_DAY) {
        // Marked as if queued: the owner asks again (POST /suppliers/:id/alerts/confirmation) once the day is over.
        out.confirmations_held++;
        await markConfirmationQueued(db, s.id, address, nowIso);
        continue;
      }
      const token = signToken(secret, 'confirm', s.id, { expiresAt, boundTo: address });
      const content: StoredNotice = { v: 1, kind: 'confirm', supplierName: s.name, address, confirmUrl: `${base}/alerts/confirm?token=${token}`, days: config.CONFIRM_LINK_DAYS };
      await insertOutbox(db, [outboxRow(`<${randomUUID()}.confirm@${domain}>`, s.id, address, 'confirm', content, {}, [], nowIso)]);
      await markConfirmationQueued(db, s.id, address, nowIso);
      out.confirmations_queued++;
    }
    if (!(await keep())) throw new Error('alerts: lost the run lease while queueing confirmations; another run has taken over');
  }
  if (out.confirmations_held > 0) log.warn('alerts: confirmations held back: the address had its day\'s confirmations already', { held: out.confirmations_held });

  // Invitations: one message per firm and day at most, naming every cooperative waiting for its answer.
  let after = '';
  for (;;) {
    const page = await invitationsToMail(db, after, BATCH);
    if (page.length === 0) break;
    const byMember = new Map<string, typeof page>();
    for (const w of page) byMember.set(w.member_id, [...(byMember.get(w.member_id) ?? []), w]);
    // A full page may have cut its last firm's invitations short: that firm starts the next page.
    if (page.length === BATCH && byMember.size > 1) byMember.delete(page[page.length - 1].member_id);
    for (const [memberId, rows] of byMember) {
      after = memberId;
      if (await invitationMailedSince(db, memberId, dayAgo)) continue;
      const address = rows[0].contact_email!;
      const unsubscribeUrl = `${base}/unsubscribe?token=${signToken(secret, 'unsubscribe', memberId)}`;
      const content: StoredNotice = {
        v: 1,
        kind: 'invitation',
        supplierName: rows[0].member_name,
        invitations: rows.map((r) => ({
          cooperativeName: r.cooperative_name,
          answerUrl: `${base}/memberships/answer?token=${signToken(secret, 'invitation', [r.cooperative_id, memberId], { expiresAt, boundTo: address })}`,
        })),
        days: config.CONFIRM_LINK_DAYS,
        unsubscribeUrl,
      };
      const headers = { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
      const coops = rows.map((r) => r.cooperative_id);
      await insertOutbox(db, [outboxRow(`<${randomUUID()}.invitation@${domain}>`, memberId, address, 'invitation', content, headers, coops, nowIso)]);
      await setInvitationsMailed(db, memberId, coops, nowIso);
      out.invitations_queued++;
    }
    if (!(await keep())) throw new Error('alerts: lost the run lease while queueing invitations; another run has taken over');
  }
  return out;
}
