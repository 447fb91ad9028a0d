import { randomBytes } from 'node:crypto';
import { chunks } from '../bulk.js';
import { sql } from 'kysely';
import { paramLimit, rowsPerInsert, type Db } from '../client.js';
import { CLOSED_STATUSES } from '../../src/domain/ocds/status.js';
import type { AlertOutboxRow, AlertPreferencesRow, NewAlertItemRow, NewAlertOutboxRow } from '../schema.alerts.js';
import { WEEKDAYS, type Frequency, type Weekday } from '../../src/domain/alerts/digest-timing.js';
import { readList } from '../json-columns.js';

/** UK notice types of work coming up: UK1 pipeline, UK2 preliminary market engagement, UK3 planned procurement. */
const COMING_UP_NOTICE_TYPES = ['UK1', 'UK2', 'UK3'];

/** Alert preferences as the API and the job see them. */
export interface AlertPreferences {
  frequency: Frequency;
  hour: number;
  weekday: Weekday;
  timezone: string;
  min_score: number;
  max_items: number;
  include_words: string[];
  exclude_words: string[];
  places: string[];
  paused: boolean;
  /** Most alert emails in any 24 hours (1–24): a firm set to "as soon as found" is never flooded. */
  daily_cap: number;
}

export const DEFAULT_PREFERENCES: AlertPreferences = {
  frequency: 'daily',
  hour: 7,
  weekday: 'monday',
  timezone: 'Europe/London',
  min_score: 0,
  max_items: 10,
  include_words: [],
  exclude_words: [],
  places: [],
  paused: false,
  daily_cap: 4,
};


export function preferencesFromRow(row: AlertPreferencesRow | undefined | null): AlertPreferences {
  if (!row) return { ...DEFAULT_PREFERENCES };
  return {
    frequency: (['immediate', 'daily', 'weekly'].includes(row.frequency) ? row.frequency : 'daily') as Frequency,
    hour: row.hour,
    weekday: WEEKDAYS[row.weekday] ?? 'monday',
    timezone: row.timezone,
    min_score: row.min_score,
    max_items: row.max_items,
    include_words: readList(row.include_words),
    exclude_words: readList(row.exclude_words),
    places: readList(row.places),
    paused: row.paused === 1,
    daily_cap: typeof row.daily_cap === 'number' && row.daily_cap >= 1 ? row.daily_cap : DEFAULT_PREFERENCES.daily_cap,
  };
}

function defaultRow(supplierId: string, nowIso: string) {
  const p = DEFAULT_PREFERENCES;
  return {
    supplier_id: supplierId,
    frequency: p.frequency,
    hour: p.hour,
    weekday: WEEKDAYS.indexOf(p.weekday),
    timezone: p.timezone,
    min_score: p.min_score,
    max_items: p.max_items,
    include_words: '[]',
    exclude_words: '[]',
    places: '[]',
    paused: 0,
    paused_reason: null,
    paused_at: null,
    unsubscribed_at: null,
    failures: 0,
    last_failure: null,
    last_checked_at: null,
    last_sent_at: null,
    created_at: nowIso,
    updated_at: nowIso,
  };
}

export async function getPreferencesRow(db: Db, supplierId: string) {
  return db.selectFrom('alert_preferences').selectAll().where('supplier_id', '=', supplierId).executeTakeFirst();
}

/**
 * Stores a supplier's preferences. Un-pausing also clears the failure count and its reason: the
 * supplier has seen why delivery stopped (usually after fixing the address). `resubscribe` clears an
 * unsubscribe; only a request with the supplier's key may do that.
 */
export async function savePreferences(db: Db, supplierId: string, p: AlertPreferences, now: Date, resubscribe: boolean): Promise<void> {
  const nowIso = now.toISOString();
  const values = {
    frequency: p.frequency,
    hour: p.hour,
    weekday: WEEKDAYS.indexOf(p.weekday),
    timezone: p.timezone,
    min_score: p.min_score,
    max_items: p.max_items,
    include_words: JSON.stringify(p.include_words),
    exclude_words: JSON.stringify(p.exclude_words),
    places: JSON.stringify(p.places),
    paused: p.paused ? 1 : 0,
    daily_cap: p.daily_cap,
    updated_at: nowIso,
  };
  const resume = p.paused ? {} : { paused_reason: null, paused_at: null, failures: 0, last_failure: null };
  const sub = resubscribe ? { unsubscribed_at: null } : {};
  const pausedAt = p.paused ? { paused_at: sql<string>`coalesce(alert_preferences.paused_at, ${nowIso})` } : {};
  await db
    .insertInto('alert_preferences')
    .values({ ...defaultRow(supplierId, nowIso), ...values, paused_at: p.paused ? nowIso : null })
    .onConflict((oc) => oc.column('supplier_id').doUpdateSet({ ...values, ...resume, ...sub, ...pausedAt }))
    .execute();
}

export async function unsubscribe(db: Db, supplierId: string, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  await db
    .insertInto('alert_preferences')
    .values({ ...defaultRow(supplierId, nowIso), unsubscribed_at: nowIso })
    .onConflict((oc) =>
      oc.column('supplier_id').doUpdateSet({ unsubscribed_at: sql<string>`coalesce(alert_preferences.unsubscribed_at, ${nowIso})`, updated_at: nowIso }),
    )
    .execute();
}

/** Every supplier with a confirmed address, with its preferences row when it has one. */
export async function loadAlertSuppliers(db: Db) {
  return db
    .selectFrom('suppliers as s')
    .leftJoin('alert_preferences as p', 'p.supplier_id', 's.id')
    .select([
      's.id',
      's.name',
      's.contact_email',
      'p.supplier_id as pref_supplier_id',
      'p.frequency',
      'p.hour',
      'p.weekday',
      'p.timezone',
      'p.min_score',
      'p.max_items',
      'p.include_words',
      'p.exclude_words',
      'p.places',
      'p.paused',
      'p.paused_reason',
      'p.paused_at',
      'p.unsubscribed_at',
      'p.failures',
      'p.last_failure',
      'p.last_checked_at',
      'p.last_sent_at',
      'p.created_at',
      'p.updated_at',
      'p.daily_cap',
    ])
    .where('s.contact_email', 'is not', null)
    .where('s.contact_email', '!=', '')
    // Double opt-in: an address gets no alert until its owner has clicked the link mailed to it.
    .where('s.contact_email_verified_at', 'is not', null)
    .orderBy('s.id')
    .execute();
}

export type AlertSupplierRow = Awaited<ReturnType<typeof loadAlertSuppliers>>[number];

/** The row as an AlertPreferencesRow when the supplier has saved preferences. */
export function preferencesRowOf(r: AlertSupplierRow): AlertPreferencesRow | null {
  if (r.pref_supplier_id === null) return null;
  return {
    supplier_id: r.id,
    frequency: r.frequency!,
    hour: r.hour!,
    weekday: r.weekday!,
    timezone: r.timezone!,
    min_score: r.min_score!,
    max_items: r.max_items!,
    include_words: r.include_words!,
    exclude_words: r.exclude_words!,
    places: r.places!,
    paused: r.paused!,
    paused_reason: r.paused_reason,
    paused_at: r.paused_at,
    unsubscribed_at: r.unsubscribed_at,
    failures: r.failures!,
    last_failure: r.last_failure,
    last_checked_at: r.last_checked_at,
    last_sent_at: r.last_sent_at,
    created_at: r.created_at!,
    updated_at: r.updated_at!,
    daily_cap: r.daily_cap ?? null,
  };
}

/** Chunk size for `IN (...)` lists, leaving room for a statement's other parameters. */
export function inListSize(db: Db, cap = 500): number {
  return Math.max(1, Math.min(cap, paramLimit(db) - 20));
}


/**
 * Matches of these suppliers that they have not been told of and whose tender (and lot) still takes
 * bids at `now`, with what the email shows about each.
 */
export async function loadUntoldMatches(db: Db, supplierIds: string[], now: Date, options: { withDescriptions: boolean }) {
  if (supplierIds.length === 0) return [];
  const nowIso = now.toISOString();
  // Descriptions are long and only needed to look for a supplier's include/exclude words.
  const descriptions = options.withDescriptions
    ? ([sql<string | null>`t.description`.as('description'), sql<string | null>`l.description`.as('lot_description')] as const)
    : ([sql<string | null>`NULL`.as('description'), sql<string | null>`NULL`.as('lot_description')] as const);
  return db
    .selectFrom('matches as m')
    .innerJoin('tenders as t', 't.ocid', 'm.ocid')
    .leftJoin('lots as l', (j) => j.onRef('l.ocid', '=', 'm.ocid').onRef('l.lot_id', '=', 'm.lot_id'))
    .select([
      'm.supplier_id',
      'm.ocid',
      'm.lot_id',
      'm.score',
      'm.reasons',
      't.title',
      't.buyer_name',
      't.value_amount',
      't.value_currency',
      't.deadline',
      't.url',
      'l.title as lot_title',
      'l.value_amount as lot_value_amount',
      'l.value_currency as lot_value_currency',
      'l.places as lot_places',
      't.notice_type',
      't.status as tender_status',
      ...descriptions,
    ])
    .where('m.supplier_id', 'in', supplierIds)
    .where((eb) => eb.or([eb('t.status', 'is', null), eb('t.status', 'not in', CLOSED_STATUSES)]))
    .where((eb) => eb.or([eb('l.status', 'is', null), eb('l.status', 'not in', CLOSED_STATUSES)]))
    .where((eb) => eb.or([eb('t.deadline', 'is', null), eb('t.deadline', '>', nowIso)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('alert_items as a')
            .select(sql`1`.as('one'))
            .whereRef('a.supplier_id', '=', 'm.supplier_id')
            .whereRef('a.ocid', '=', 'm.ocid')
            .whereRef('a.lot_id', '=', 'm.lot_id')
            // 'listed': left on the matches page by a first digest, never emailed later (014).
            .where('a.kind', 'in', ['new', 'listed']),
        ),
      ),
    )
    // Work coming up (UK1–UK3, or a planning notice without a UK type) is told once as coming up; the same
    // procurement is told again, once, as 'new' when its tender is published (014).
    .where((eb) =>
      eb.or([
        // coalesce: a NULL must not make the whole condition NULL (a tender without a UK type is open work).
        eb.not(
          eb.or([
            eb(sql<string>`coalesce(t.notice_type, '')`, 'in', COMING_UP_NOTICE_TYPES),
            eb.and([eb('t.notice_type', 'is', null), eb(sql<string>`coalesce(t.status, '')`, 'in', ['planning', 'planned'])]),
          ]),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('alert_items as c')
              .select(sql`1`.as('one'))
              .whereRef('c.supplier_id', '=', 'm.supplier_id')
              .whereRef('c.ocid', '=', 'm.ocid')
              .whereRef('c.lot_id', '=', 'm.lot_id')
              .where('c.kind', '=', 'coming_up'),
          ),
        ),
      ]),
    )
    .execute();
}

export type UntoldMatchRow = Awaited<ReturnType<typeof loadUntoldMatches>>[number];

export interface DeliveryPlaces {
  /** ITL codes tagged for delivery, by opportunityKey(ocid, lot_id) (lot_id '' = whole tender). */
  tagged: Map<string, string[]>;
  /** Regions as published on the tender's items, by ocid. */
  published: Map<string, string[]>;
}

/** The key of a tender or one of its lots (lotId '' = the whole tender) in maps by opportunity. */
export const opportunityKey = (ocid: string, lotId: string) => `${ocid}\u0000${lotId}`;

/** Where each tender (and lot) is delivered: the tagged ITL codes, and the regions as published. */
export async function loadDeliveryPlaces(db: Db, ocids: string[]): Promise<DeliveryPlaces> {
  const tagged = new Map<string, string[]>();
  const published = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, v: string) => {
    const list = m.get(k);
    if (!list) m.set(k, [v]);
    else if (!list.includes(v)) list.push(v);
  };
  for (const part of chunks([...new Set(ocids)], inListSize(db))) {
    // By ocid only, the role checked here: with a role condition SQLite reads every delivery place (see loadTendersForMatching).
    const tags = await db.selectFrom('tender_places').select(['ocid', 'lot_id', 'code', 'role']).where('ocid', 'in', part).execute();
    for (const t of tags) if (t.role === 'delivery') add(tagged, opportunityKey(t.ocid, t.lot_id), t.code);
    const items = await db.selectFrom('items').select(['ocid', 'delivery_regions']).where('ocid', 'in', part).execute();
    for (const r of items) for (const p of readList(r.delivery_regions)) add(published, r.ocid, p);
  }
  return { tagged, published };
}

/** Named places an administrator defined (name → ITL codes), keyed by lower-cased name. */
export async function loadNamedPlaces(db: Db): Promise<Map<string, string[]>> {
  const rows = await db.selectFrom('places').select(['name_key', 'codes']).execute();
  return new Map(rows.map((r) => [r.name_key, readList(r.codes)]));
}

export const nameKey = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * What each of these suppliers was told, per tender and lot, joined with how the tender stands now;
 * only tenders still open (or closed within the last day), since news of a closed tender helps nobody
 * bid, and the ledger only grows.
 */
export async function loadToldItems(db: Db, supplierIds: string[], now: Date) {
  if (supplierIds.length === 0) return [];
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  return db
    .selectFrom('alert_items as a')
    .innerJoin('tenders as t', 't.ocid', 'a.ocid')
    .leftJoin('lots as l', (j) => j.onRef('l.ocid', '=', 'a.ocid').onRef('l.lot_id', '=', 'a.lot_id'))
    .select([
      'a.supplier_id',
      'a.ocid',
      'a.lot_id',
      'a.kind',
      'a.deadline as told_deadline',
      'a.created_at',
      't.title',
      't.buyer_name',
      't.status as tender_status',
      't.deadline',
      't.url',
      'l.title as lot_title',
      'l.status as lot_status',
    ])
    .where('a.supplier_id', 'in', supplierIds)
    .where((eb) => eb.or([eb('t.deadline', 'is', null), eb('t.deadline', '>', since)]))
    .orderBy('a.created_at')
    .execute();
}

export type ToldItemRow = Awaited<ReturnType<typeof loadToldItems>>[number];

const OUTBOX_COLUMNS = 18;
const ITEM_COLUMNS = 8;

export async function insertOutbox(db: Db, rows: NewAlertOutboxRow[]): Promise<void> {
  for (const part of chunks(rows, Math.min(500, rowsPerInsert(db, OUTBOX_COLUMNS)))) {
    await db.insertInto('alert_outbox').values(part).onConflict((oc) => oc.column('message_id').doNothing()).execute();
  }
}

export async function insertItems(db: Db, rows: NewAlertItemRow[]): Promise<void> {
  for (const part of chunks(rows, rowsPerInsert(db, ITEM_COLUMNS))) {
    await db
      .insertInto('alert_items')
      .values(part)
      .onConflict((oc) => oc.columns(['supplier_id', 'ocid', 'lot_id', 'kind']).doNothing())
      .execute();
  }
}

/** How many ledger rows each message actually holds. */
export async function claimedCounts(db: Db, messageIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const part of chunks(messageIds, inListSize(db))) {
    const rows = await db
      .selectFrom('alert_items')
      .select(['message_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('message_id', 'in', part)
      .groupBy('message_id')
      .execute();
    for (const r of rows) counts.set(r.message_id, Number(r.n));
  }
  return counts;
}

export async function setStatus(db: Db, messageIds: string[], from: string, to: string, error?: string): Promise<void> {
  for (const part of chunks(messageIds, inListSize(db))) {
    await db
      .updateTable('alert_outbox')
      .set(error === undefined ? { status: to } : { status: to, last_error: error })
      .where('message_id', 'in', part)
      .where('status', '=', from)
      .execute();
  }
}

export async function releaseItems(db: Db, messageIds: string[]): Promise<void> {
  for (const part of chunks(messageIds, inListSize(db))) {
    await db.deleteFrom('alert_items').where('message_id', 'in', part).execute();
  }
}

export async function buildingMessages(db: Db) {
  return db.selectFrom('alert_outbox').select(['message_id', 'supplier_id', 'item_keys', 'item_count', 'created_at']).where('status', '=', 'building').execute();
}

/** Records that these suppliers were looked at now, creating default preference rows where missing. */
export async function markChecked(db: Db, supplierIds: string[], now: Date): Promise<void> {
  const nowIso = now.toISOString();
  const rows = supplierIds.map((id) => ({ ...defaultRow(id, nowIso), last_checked_at: nowIso }));
  // 20 columns per row, plus the one bound in the update clause (D1 allows 100 per statement).
  for (const part of chunks(rows, Math.max(1, Math.floor((paramLimit(db) - 1) / 20)))) {
    await db
      .insertInto('alert_preferences')
      .values(part)
      .onConflict((oc) => oc.column('supplier_id').doUpdateSet({ last_checked_at: nowIso }))
      .execute();
  }
}

export interface PendingMessage extends AlertOutboxRow {
  paused: number | null;
  unsubscribed_at: string | null;
  /** The supplier's id when it is still registered, else null. */
  registered_id: string | null;
  /** The supplier's contact address now (null when it has none, or is gone). */
  contact_email: string | null;
  /** When that address was confirmed; null while it is not. */
  contact_email_verified_at: string | null;
}

/** Messages due to be sent (or tried again) at `now`, oldest first, with the supplier's pause state and whether it is still there. */
export async function duePending(db: Db, now: Date, limit: number): Promise<PendingMessage[]> {
  return db
    .selectFrom('alert_outbox as o')
    .leftJoin('alert_preferences as p', 'p.supplier_id', 'o.supplier_id')
    .leftJoin('suppliers as s', 's.id', 'o.supplier_id')
    .selectAll('o')
    .select(['p.paused', 'p.unsubscribed_at', 's.id as registered_id', 's.contact_email', 's.contact_email_verified_at'])
    .where('o.status', '=', 'pending')
    .where('o.next_attempt_at', '<=', now.toISOString())
    .orderBy('o.created_at')
    .orderBy('o.message_id')
    .limit(limit)
    .execute();
}

export async function recordAccepted(db: Db, m: PendingMessage, now: Date, code: number | undefined): Promise<void> {
  const nowIso = now.toISOString();
  await db
    .updateTable('alert_outbox')
    .set({ status: 'sent', sent_at: nowIso, attempts: m.attempts + 1, last_attempt_at: nowIso, last_code: code ?? null, last_error: null })
    .where('message_id', '=', m.message_id)
    .execute();
  await db.updateTable('alert_preferences').set({ failures: 0, last_sent_at: nowIso }).where('supplier_id', '=', m.supplier_id).execute();
}

export async function recordDeferred(db: Db, m: PendingMessage, now: Date, next: Date, code: number | null, error: string): Promise<void> {
  await db
    .updateTable('alert_outbox')
    .set({ attempts: m.attempts + 1, last_attempt_at: now.toISOString(), next_attempt_at: next.toISOString(), last_code: code, last_error: error })
    .where('message_id', '=', m.message_id)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Removes a message that must not go (its supplier was deleted or has no address any more), then gives
 * back the ledger rows it claimed. The message goes first: stopped in between, nothing is left to send.
 */
export async function dropMessage(db: Db, messageId: string): Promise<void> {
  await db.deleteFrom('alert_outbox').where('message_id', '=', messageId).execute();
  await db.deleteFrom('alert_items').where('message_id', '=', messageId).execute();
}

/**
 * Forgets a supplier's alerts: its messages first (sent or not, each names its address), then what it was
 * told, then its preferences (whose pause reason and last failure may name the address too).
 */
export async function forgetSupplierAlerts(db: Db, supplierId: string): Promise<void> {
  await db.deleteFrom('alert_outbox').where('supplier_id', '=', supplierId).execute();
  await db.deleteFrom('alert_items').where('supplier_id', '=', supplierId).execute();
  await db.deleteFrom('alert_preferences').where('supplier_id', '=', supplierId).execute();
}

export async function recordCancelled(db: Db, m: PendingMessage, reason: string): Promise<void> {
  await db.updateTable('alert_outbox').set({ status: 'cancelled', last_error: reason }).where('message_id', '=', m.message_id).execute();
}

/**
 * Records a final refusal and counts it against the supplier's address; at `pauseAfter` refusals in
 * a row, alerts pause with the reason stored for the supplier to see. Returns true when this paused them.
 */
export async function recordRefused(
  db: Db,
  m: PendingMessage,
  now: Date,
  code: number | null,
  error: string,
  pauseAfter: number,
): Promise<boolean> {
  const nowIso = now.toISOString();
  await db
    .updateTable('alert_outbox')
    .set({ status: 'failed', attempts: m.attempts + 1, last_attempt_at: nowIso, last_code: code, last_error: error })
    .where('message_id', '=', m.message_id)
    .execute();
  const failure = `${nowIso}: ${code ?? 'no reply code'} ${error}`.slice(0, 500);
  await db
    .insertInto('alert_preferences')
    .values({ ...defaultRow(m.supplier_id, nowIso), failures: 1, last_failure: failure })
    .onConflict((oc) => oc.column('supplier_id').doUpdateSet({ failures: sql<number>`alert_preferences.failures + 1`, last_failure: failure }))
    .execute();
  const reason = `alerts to ${m.to_address} paused after ${pauseAfter} deliveries in a row were refused; the last answer was: ${code ?? ''} ${error}`.slice(0, 500);
  const paused = await db
    .updateTable('alert_preferences')
    .set({ paused: 1, paused_reason: reason, paused_at: nowIso, updated_at: nowIso })
    .where('supplier_id', '=', m.supplier_id)
    .where('failures', '>=', pauseAfter)
    .where('paused', '=', 0)
    .executeTakeFirst();
  return Number(paused.numUpdatedRows) > 0;
}

/**
 * The key that signs unsubscribe links: UNSUBSCRIBE_SECRET when set; otherwise one generated on
 * first use and kept in the store, so links in mail already sent keep working after a restart.
 */
export async function signingSecret(db: Db, configured: string | undefined, now: Date): Promise<string> {
  if (configured) return configured;
  await db
    .insertInto('alert_secrets')
    .values({ name: 'unsubscribe', secret: randomBytes(32).toString('base64url'), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('alert_secrets').select('secret').where('name', '=', 'unsubscribe').executeTakeFirstOrThrow();
  return row.secret;
}
