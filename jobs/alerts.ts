import { feedbackUrls } from '../src/mail/feedback-links.js';
import { randomUUID } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import { chunks } from '../db/bulk.js';
import { readList } from '../db/json-columns.js';
import {
  buildingMessages,
  claimedCounts,
  dropMessage,
  duePending,
  inListSize,
  insertItems,
  insertOutbox,
  loadAlertSuppliers,
  loadDeliveryPlaces,
  loadNamedPlaces,
  nameKey,
  opportunityKey,
  type DeliveryPlaces,
  loadToldItems,
  loadUntoldMatches,
  markChecked,
  preferencesFromRow,
  preferencesRowOf,
  recordAccepted,
  recordCancelled,
  recordDeferred,
  recordRefused,
  releaseItems,
  setStatus,
  signingSecret,
  type AlertPreferences,
  type ToldItemRow,
  type UntoldMatchRow,
} from '../db/queries/alerts.js';
import { acquireLease, releaseLease, renewLease } from '../db/queries/leases.js';
import type { NewAlertItemRow, NewAlertOutboxRow } from '../db/schema.alerts.js';
import { canonicalDeadline, chooseEntries, detectChange, type Candidate, type DetectedChange, type ToldState } from '../src/mail/digest.js';
import { latestSlot, WEEKDAYS, type AlertSchedule } from '../src/domain/alerts/digest-timing.js';
import { ENGLAND_ITL1, itlName, UK } from '../src/domain/geo/index.js';
import { renderDigest, renderSubject, type DigestChange, type DigestEntry, type DigestInput, type RenderedDigest } from '../src/mail/template.js';
import { signToken } from '../src/mail/tokens.js';
import { renderNotice, type StoredNotice } from '../src/mail/notices.js';
import { setInvitationsMailed } from '../db/queries/notices.js';
import { queueNotices, type NoticeSummary } from './alerts.notices.js';
import { decorateEntries, loadEarlyContext, refreshRenewalsIfDue, sectionOf, type Section } from './alerts.early.js';

/**
 * The alert run: (1) finish any digest a crashed run left half-written, (2) for each supplier that is
 * due, queue one digest of the matches it has not been told of plus any changes to tenders it was told
 * of, (3) send what is pending. The outbox row and its ledger rows are written before anything is
 * sent, and a row is marked sent only once the server has accepted it; so a crash at any point loses
 * nothing, and at most the one message in flight is sent again, under the same Message-ID.
 */

export interface AlertRunSummary extends NoticeSummary {
  command: 'send-alerts';
  skipped?: string;
  recovered: number;
  suppliers_due: number;
  digests_queued: number;
  entries_queued: number;
  changes_queued: number;
  sent: number;
  deferred: number;
  failed: number;
  cancelled: number;
  /** Pending messages removed unsent: their supplier was deleted or has no contact address any more. */
  dropped: number;
  suppliers_paused: number;
  transport: string;
}

export interface AlertRunOptions {
  queue?: boolean;
  deliver?: boolean;
}

const LEASE = 'alerts';

export async function sendDueAlerts(deps: Deps, options: AlertRunOptions = {}): Promise<AlertRunSummary> {
  const { db, clock, config, log } = deps;
  const holder = `alerts:${randomUUID()}`;
  const summary: AlertRunSummary = {
    command: 'send-alerts',
    recovered: 0,
    suppliers_due: 0,
    digests_queued: 0,
    entries_queued: 0,
    changes_queued: 0,
    sent: 0,
    deferred: 0,
    failed: 0,
    cancelled: 0,
    dropped: 0,
    suppliers_paused: 0,
    confirmations_queued: 0,
    confirmations_held: 0,
    invitations_queued: 0,
    transport: deps.mailer.kind,
  };
  // Before the run's lease, which it would outlast on a large store: its own marker keeps it to one instance every 6 hours.
  if (options.queue !== false) await refreshRenewalsIfDue(deps);
  if (!(await acquireLease(db, LEASE, holder, clock.now(), config.ALERTS_LEASE_SECONDS))) {
    log.info('alerts: another run holds the lease; skipping');
    return { ...summary, skipped: 'another alert run is in progress' };
  }
  const keep = () => renewLease(db, LEASE, holder, clock.now(), config.ALERTS_LEASE_SECONDS);
  try {
    summary.recovered = await recoverBuilding(deps);
    if (options.queue !== false) {
      Object.assign(summary, await queueDueDigests(deps, keep));
      Object.assign(summary, await queueNotices(deps, messageIdDomain(config.MAIL_FROM, config.PUBLIC_BASE_URL), keep));
    }
    if (options.deliver !== false && deps.mailer.kind !== 'none') Object.assign(summary, await deliverPending(deps, keep));
    log.info('alerts: run finished', { ...summary });
    return summary;
  } finally {
    await releaseLease(db, LEASE, holder);
  }
}

/**
 * A message left in 'building' by a crash: claim its ledger rows again (no-ops where already
 * claimed); if they are all its own, it can go; if any went to another message, it is void and gives
 * back the rows it holds so the next digest includes them.
 */
export async function recoverBuilding(deps: Deps): Promise<number> {
  const { db, clock } = deps;
  const stuck = await buildingMessages(db);
  if (stuck.length === 0) return 0;
  const items: NewAlertItemRow[] = [];
  for (const m of stuck) {
    for (const k of JSON.parse(m.item_keys) as StoredItemKey[]) {
      items.push({ supplier_id: m.supplier_id, ocid: k.ocid, lot_id: k.lot_id, kind: k.kind, message_id: m.message_id, score: k.score, deadline: k.deadline, created_at: m.created_at });
    }
  }
  await insertItems(db, items);
  const counts = await claimedCounts(db, stuck.map((m) => m.message_id));
  const whole = stuck.filter((m) => counts.get(m.message_id) === m.item_count).map((m) => m.message_id);
  const broken = stuck.filter((m) => counts.get(m.message_id) !== m.item_count).map((m) => m.message_id);
  await setStatus(db, whole, 'building', 'pending');
  await releaseItems(db, broken);
  await setStatus(db, broken, 'building', 'void', 'some of its tenders were claimed by another message');
  deps.log.warn('alerts: finished digests left by an interrupted run', { pending: whole.length, void: broken.length, at: clock.now().toISOString() });
  return stuck.length;
}

/** What an outbox row says (alert_outbox.content): the digest's data, rendered when it is sent. */
export interface StoredDigest extends Omit<DigestInput, 'now'> {
  v: 1;
  /** When the digest was written: deadlines are counted from here ("5 days left"), also on a retry. */
  now: string;
}

/** The email of an outbox row: rendered from its content, or as stored by rows older than migration 005. */
export function messageBody(row: { kind?: string; subject: string; text_body: string; html_body: string; content: string | null }): RenderedDigest {
  if (!row.content) return { subject: row.subject, text: row.text_body, html: row.html_body };
  if (row.kind === 'confirm' || row.kind === 'invitation') return { ...renderNotice(JSON.parse(row.content) as StoredNotice), subject: row.subject };
  const stored = JSON.parse(row.content) as StoredDigest;
  const rendered = renderDigest({ ...stored, now: new Date(stored.now) });
  return { ...rendered, subject: row.subject };
}

interface StoredItemKey {
  ocid: string;
  lot_id: string;
  kind: string;
  score: number | null;
  deadline: string | null;
}

function scheduleOf(p: AlertPreferences): AlertSchedule {
  return { frequency: p.frequency, hour: p.hour, weekday: WEEKDAYS.indexOf(p.weekday), timezone: p.timezone };
}


/** The domain part for Message-IDs: the sender's address domain, else the public host. */
export function messageIdDomain(mailFrom: string, publicBaseUrl: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom);
  if (m) return m[1];
  try {
    return new URL(publicBaseUrl).hostname || 'tendermatch.local';
  } catch {
    return 'tendermatch.local';
  }
}

type CandidateRow = Candidate & { row: UntoldMatchRow; placeDisplay: string | null };

/** Tagged ITL codes for the lot, else for the tender; else the regions as published. */
function deliveryPlaces(r: UntoldMatchRow, places: DeliveryPlaces): { codes: string[]; display: string | null } {
  const tagged = (r.lot_id ? places.tagged.get(opportunityKey(r.ocid, r.lot_id)) : undefined) ?? places.tagged.get(opportunityKey(r.ocid, ''));
  if (tagged && tagged.length > 0) {
    const codes = new Set(tagged);
    const england = ENGLAND_ITL1.every((c) => codes.has(c));
    const shown = codes.has(UK) ? [UK] : england ? ['England', ...tagged.filter((c) => !ENGLAND_ITL1.includes(c))] : tagged;
    const names = [...new Set(shown.map((c) => (c === UK ? 'UK-wide' : c === 'England' ? 'England' : (itlName(c) ?? c))))];
    return { codes: tagged, display: names.join(', ') };
  }
  const lotPlaces = r.lot_id ? readList(r.lot_places) : [];
  const raw = lotPlaces.length > 0 ? lotPlaces : (places.published.get(r.ocid) ?? []);
  return { codes: raw, display: raw.join(', ') || null };
}

/** A supplier's chosen places as ITL codes, with named places (an administrator's list) expanded. */
function expandPlaces(wanted: string[], named: Map<string, string[]>): string[] {
  return wanted.flatMap((p) => named.get(nameKey(p)) ?? [p]);
}

function toCandidate(r: UntoldMatchRow, places: DeliveryPlaces): CandidateRow {
  const where = deliveryPlaces(r, places);
  return {
    ocid: r.ocid,
    lotId: r.lot_id,
    score: r.score,
    reasons: readList(r.reasons),
    title: r.title,
    lotTitle: r.lot_title,
    description: [r.description, r.lot_description].filter(Boolean).join('\n') || null,
    deadline: r.deadline,
    places: where.codes,
    placeDisplay: where.display,
    row: r,
  };
}

function toEntry(c: CandidateRow): DigestEntry {
  const r = c.row;
  const lotValue = r.lot_id && r.lot_value_amount !== null;
  return {
    ocid: r.ocid,
    lotId: r.lot_id,
    title: r.title,
    lotTitle: r.lot_title,
    buyer: r.buyer_name,
    valueAmount: lotValue ? r.lot_value_amount : r.value_amount,
    valueCurrency: lotValue ? r.lot_value_currency : r.value_currency,
    deadline: r.deadline,
    place: c.placeDisplay,
    reasons: c.reasons,
    url: r.url,
  };
}

/** Folds the ledger rows of one supplier into what they were told about each tender or lot. */
function toldStates(rows: ToldItemRow[]): Array<{ state: ToldState; row: ToldItemRow }> {
  const byKey = new Map<string, { state: ToldState; row: ToldItemRow }>();
  for (const r of rows) {
    // Coming up, left on the matches page, up for renewal: no deadline was told, so no change can be told of them.
    if (r.kind === 'coming_up' || r.kind === 'listed' || r.kind === 'renewal') continue;
    const key = `${r.ocid}\u0000${r.lot_id}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        state: {
          ocid: r.ocid,
          lotId: r.lot_id,
          toldDeadline: null,
          cancellationTold: false,
          tenderStatus: r.tender_status,
          lotStatus: r.lot_status,
          deadline: r.deadline,
        },
        row: r,
      };
      byKey.set(key, entry);
    }
    if (r.kind === 'cancelled') entry.state.cancellationTold = true;
    else entry.state.toldDeadline = r.told_deadline; // rows come oldest first
  }
  return [...byKey.values()];
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export interface QueueSummary {
  suppliers_due: number;
  digests_queued: number;
  entries_queued: number;
  changes_queued: number;
}

/** Writes one digest per due supplier that has something to say, ready to send. Sends nothing. */
export async function queueDueDigests(deps: Deps, keep: () => Promise<boolean> = async () => true): Promise<QueueSummary> {
  const { db, clock, config } = deps;
  const now = clock.now();
  const nowIso = now.toISOString();
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, now);
  const base = config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const domain = messageIdDomain(config.MAIL_FROM, config.PUBLIC_BASE_URL);
  const out: QueueSummary = { suppliers_due: 0, digests_queued: 0, entries_queued: 0, changes_queued: 0 };
  const manageExpires = new Date(now.getTime() + config.MANAGE_LINK_DAYS * 86_400_000);
  if (!base.startsWith('https://')) {
    deps.log.warn('alerts: PUBLIC_BASE_URL is not https; mail providers ignore one-click unsubscribe (RFC 8058) without it', { base });
  }

  // Most suppliers share a handful of schedules: find each schedule's latest slot once per run.
  const slots = new Map<string, number | null>();
  const dueAt = (schedule: AlertSchedule, lastCheckedAt: string | null): boolean => {
    if (schedule.frequency === 'immediate' || !lastCheckedAt) return true;
    const key = `${schedule.frequency}|${schedule.hour}|${schedule.weekday}|${schedule.timezone}`;
    if (!slots.has(key)) slots.set(key, latestSlot(schedule, now)?.getTime() ?? null);
    const slot = slots.get(key)!;
    return slot !== null && slot > Date.parse(lastCheckedAt);
  };
  const due = (await loadAlertSuppliers(db))
    .map((s) => ({ s, row: preferencesRowOf(s) }))
    .map(({ s, row }) => ({ s, row, prefs: preferencesFromRow(row) }))
    .filter(({ row, prefs }) => !row?.unsubscribed_at && !prefs.paused && dueAt(scheduleOf(prefs), row?.last_checked_at ?? null));
  out.suppliers_due = due.length;
  const named = due.some((d) => d.prefs.places.length > 0) ? await loadNamedPlaces(db) : new Map<string, string[]>();

  for (const part of chunks(due, inListSize(db, 400))) {
    const ids = part.map((d) => d.s.id);
    const withDescriptions = part.some((d) => d.prefs.include_words.length > 0 || d.prefs.exclude_words.length > 0);
    const untold = await loadUntoldMatches(db, ids, now, { withDescriptions });
    const told = await loadToldItems(db, ids, now);
    const places = await loadDeliveryPlaces(db, untold.map((r) => r.ocid));
    const untoldBySupplier = groupBy(untold, (r) => r.supplier_id);
    const toldBySupplier = groupBy(told, (r) => r.supplier_id);
    const early = await loadEarlyContext(db, part.map((d) => ({ id: d.s.id, dailyCap: d.prefs.daily_cap })), now);

    const messages: NewAlertOutboxRow[] = [];
    const items: NewAlertItemRow[] = [];
    for (const { s, prefs } of part) {
      // A firm that had its daily number of emails waits for the next day; what is new stays untold till then.
      if (early.capped.has(s.id)) continue;
      const candidates = (untoldBySupplier.get(s.id) ?? []).filter((r) => sectionOf(r.notice_type, r.tender_status) !== 'skip').map((r) => toCandidate(r, places));
      const eligible = chooseEntries(
        { minScore: prefs.min_score, maxItems: Number.MAX_SAFE_INTEGER, includeWords: prefs.include_words, excludeWords: prefs.exclude_words, places: expandPlaces(prefs.places, named) },
        candidates,
      ).chosen;
      const chosen = eligible.slice(0, prefs.max_items);
      // The first digest holds the best matches; the rest wait on the matches page and are never emailed
      // (ledger rows 'listed', or 'coming_up' so that a tender published later is still told once).
      const first = early.first.has(s.id);
      const listed = first ? eligible.slice(prefs.max_items) : [];
      const moreWaiting = Math.max(0, eligible.length - chosen.length);
      const renewals = early.renewals.get(s.id) ?? [];
      const changes: Array<{ change: DetectedChange; row: ToldItemRow }> = [];
      for (const t of toldStates(toldBySupplier.get(s.id) ?? [])) {
        const change = detectChange(t.state);
        if (change) changes.push({ change, row: t.row });
      }
      if (chosen.length === 0 && changes.length === 0 && renewals.length === 0) continue;
      const sectioned = chosen.map((c) => ({ c, entry: { ...toEntry(c), feedback: feedbackUrls(base, secret, s.id, c.ocid, c.lotId) }, noticeType: c.row.notice_type, section: sectionOf(c.row.notice_type, c.row.tender_status) as Section }));
      const renewalEntries = await decorateEntries(db, s.id, sectioned, renewals, early);

      const messageId = `<${randomUUID()}.alert@${domain}>`;
      const unsubscribeUrl = `${base}/unsubscribe?token=${signToken(secret, 'unsubscribe', s.id)}`;
      const manageUrl = `${base}/alerts/manage?token=${signToken(secret, 'manage', s.id, { expiresAt: manageExpires })}`;
      const digestChanges: DigestChange[] = changes.map(({ change, row }) => ({
        ocid: change.ocid,
        lotId: change.lotId,
        title: row.title,
        lotTitle: row.lot_title,
        buyer: row.buyer_name,
        kind: change.kind,
        previousDeadline: change.previousDeadline,
        deadline: change.deadline,
        url: row.url,
      }));
      const content: StoredDigest = {
        v: 1,
        supplierName: s.name,
        entries: sectioned.filter((e) => e.section === 'open').map((e) => e.entry),
        comingUp: sectioned.filter((e) => e.section === 'coming_up').map((e) => e.entry),
        standing: sectioned.filter((e) => e.section === 'standing').map((e) => e.entry),
        renewals: renewalEntries,
        matchesUrl: first && moreWaiting > 0 ? `${base}/suppliers/${encodeURIComponent(s.id)}/matches` : null,
        changes: digestChanges,
        moreWaiting,
        manageUrl,
        unsubscribeUrl,
        now: nowIso,
        timezone: prefs.timezone,
      };
      const keys: StoredItemKey[] = [
        ...sectioned.map(({ c, section }) => ({ ocid: c.ocid, lot_id: c.lotId, kind: section === 'coming_up' ? 'coming_up' : 'new', score: c.score, deadline: canonicalDeadline(c.deadline) })),
        ...renewals.map((r) => ({ ocid: r.ocid, lot_id: r.award_id, kind: 'renewal', score: r.score, deadline: null })),
        ...changes.map(({ change }) => ({ ocid: change.ocid, lot_id: change.lotId, kind: change.itemKind, score: null, deadline: canonicalDeadline(change.deadline) })),
      ];
      messages.push({
        message_id: messageId,
        supplier_id: s.id,
        to_address: s.contact_email!,
        subject: renderSubject(content),
        text_body: '',
        html_body: '',
        content: JSON.stringify(content),
        headers: JSON.stringify({
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Auto-Submitted': 'auto-generated',
        }),
        item_keys: JSON.stringify(keys),
        item_count: keys.length,
        status: 'building',
        attempts: 0,
        next_attempt_at: nowIso,
        last_attempt_at: null,
        last_code: null,
        last_error: null,
        created_at: nowIso,
        sent_at: null,
      });
      for (const k of keys) items.push({ supplier_id: s.id, ocid: k.ocid, lot_id: k.lot_id, kind: k.kind, message_id: messageId, score: k.score, deadline: k.deadline, created_at: nowIso });
      // Not counted in the message's items: a crash that voids the message leaves them listed, never emailed twice.
      for (const c of listed) {
        const kind = sectionOf(c.row.notice_type, c.row.tender_status) === 'coming_up' ? 'coming_up' : 'listed';
        items.push({ supplier_id: s.id, ocid: c.ocid, lot_id: c.lotId, kind, message_id: `${messageId}:listed`, score: c.score, deadline: canonicalDeadline(c.deadline), created_at: nowIso });
      }
      out.entries_queued += chosen.length;
      out.changes_queued += changes.length;
    }

    // Message first, then its ledger rows, then the check that every row is its own: only then may it be sent.
    await insertOutbox(db, messages);
    await insertItems(db, items);
    const ids_ = messages.map((m) => m.message_id);
    const counts = await claimedCounts(db, ids_);
    const whole = messages.filter((m) => counts.get(m.message_id) === m.item_count).map((m) => m.message_id);
    const broken = messages.filter((m) => counts.get(m.message_id) !== m.item_count).map((m) => m.message_id);
    await setStatus(db, whole, 'building', 'pending');
    if (broken.length > 0) {
      await releaseItems(db, broken);
      await setStatus(db, broken, 'building', 'void', 'some of its tenders were claimed by another message');
    }
    await markChecked(db, ids, now);
    out.digests_queued += whole.length;
    if (!(await keep())) throw new Error('alerts: lost the run lease while queueing; another run has taken over');
  }
  return out;
}

export interface DeliverySummary {
  sent: number;
  deferred: number;
  failed: number;
  cancelled: number;
  dropped: number;
  suppliers_paused: number;
}

/** Next try after `attempt` temporary failures: base × 2^(attempt−1), at most six hours. */
export function retryDelayMs(attempt: number, baseSeconds: number): number {
  return Math.min(6 * 3600_000, baseSeconds * 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Sends pending messages one at a time, so that a crash leaves at most one in flight. */
export async function deliverPending(
  deps: Deps,
  keep: () => Promise<boolean> = async () => true,
  options: { maxMessages?: number } = {},
): Promise<DeliverySummary> {
  const { db, clock, config, mailer, log } = deps;
  const out: DeliverySummary = { sent: 0, deferred: 0, failed: 0, cancelled: 0, dropped: 0, suppliers_paused: 0 };
  const pausedNow = new Set<string>();
  let budget = options.maxMessages ?? Number.POSITIVE_INFINITY;
  for (;;) {
    if (budget <= 0) return out;
    const batch = await duePending(db, clock.now(), Math.min(200, budget));
    budget -= batch.length;
    if (batch.length === 0) return out;
    for (const m of batch) {
      // A deleted supplier (or one whose address was removed or changed) gets nothing, and its message is
      // not kept: what a digest claimed is told again to the new address once confirmed, an invitation is mailed again.
      if (m.registered_id === null || !m.contact_email || m.contact_email !== m.to_address) {
        await dropMessage(db, m.message_id);
        if (m.kind === 'invitation' && m.registered_id !== null) await setInvitationsMailed(db, m.supplier_id, JSON.parse(m.item_keys) as string[], null);
        out.dropped++;
        continue;
      }
      if (m.kind === 'confirm') {
        if (m.contact_email_verified_at) {
          await recordCancelled(db, m, 'the address was confirmed before it was sent');
          out.cancelled++;
          continue;
        }
      } else if (!m.contact_email_verified_at) {
        // Never reached by what the run queues (only confirmed addresses get digests and invitations); kept as the last guard.
        await recordCancelled(db, m, 'the address is not confirmed');
        out.cancelled++;
        continue;
      } else if (m.unsubscribed_at) {
        await recordCancelled(db, m, 'the supplier unsubscribed before it was sent');
        out.cancelled++;
        continue;
      }
      if (m.kind === 'digest' && (m.paused === 1 || pausedNow.has(m.supplier_id))) {
        await recordCancelled(db, m, 'alerts were paused before it was sent');
        out.cancelled++;
        continue;
      }
      const body = messageBody(m);
      const result = await mailer.send({
        to: m.to_address,
        subject: body.subject,
        text: body.text,
        html: body.html,
        messageId: m.message_id,
        headers: JSON.parse(m.headers) as Record<string, string>,
      });
      const now = clock.now();
      const attempt = m.attempts + 1;
      const answer = (result.response ?? '').slice(0, 400);
      if (result.accepted) {
        await recordAccepted(db, m, now, result.code);
        out.sent++;
      } else if (result.permanent || attempt >= config.MAIL_MAX_ATTEMPTS) {
        const error = result.permanent ? answer : `gave up after ${attempt} attempts; last answer: ${answer}`;
        const paused = await recordRefused(db, m, now, result.code ?? null, error, config.ALERTS_PAUSE_AFTER_FAILURES);
        out.failed++;
        if (paused) {
          pausedNow.add(m.supplier_id);
          out.suppliers_paused++;
          log.warn('alerts: paused a supplier after repeated refusals', { supplier: m.supplier_id, code: result.code });
        }
      } else {
        await recordDeferred(db, m, now, new Date(now.getTime() + retryDelayMs(attempt, config.MAIL_RETRY_BASE_SECONDS)), result.code ?? null, answer);
        out.deferred++;
        if (result.unreachable) {
          log.warn('alerts: mail server unreachable; will try again on the next run', { error: answer });
          return out;
        }
      }
    }
    if (!(await keep())) throw new Error('alerts: lost the run lease while sending; another run has taken over');
  }
}
