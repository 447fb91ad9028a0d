import { randomUUID } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import type { Db } from '../db/client.js';
import { chunks } from '../db/bulk.js';
import { readList } from '../db/json-columns.js';
import { acquireLease } from '../db/queries/leases.js';
import { loadCompiledTenders } from '../db/queries/releases.js';
import { renewalsForSuppliers, type StoredRenewal } from '../db/queries/renewals.js';
import { buyerHistories, historyLine } from '../db/queries/buyer-history.js';
import { comingUpDetails } from '../src/domain/early/engagement.js';
import { noticeTypeName, opportunityKindOf, type OpportunityKind } from '../src/domain/ocds/notice-types.js';
import { formatMoney } from '../src/domain/money.js';
import type { DigestEntry, DigestRenewal } from '../src/mail/template.js';
import { forecastAndMatchRenewals } from './renewals.js';

/**
 * What the alert run adds for work before the tender (issue 17): which section each match goes in, the
 * contracts up for renewal not yet told, the buyer's history on every entry, how to take part in a market
 * engagement, and the limits that keep a firm from a flood of email (its first digest; a daily cap).
 */

/** Where a match goes in a digest: open tenders, coming up, or a dynamic market (a standing way in). */
export type Section = 'open' | 'coming_up' | 'standing' | 'skip';

export function sectionOf(noticeType: string | null, status: string | null): Section {
  const kind: OpportunityKind = opportunityKindOf(noticeType, status);
  if (kind === 'coming_up') return 'coming_up';
  if (kind === 'dynamic_market') return 'standing';
  if (kind === 'closed') return 'skip';
  return 'open';
}

export interface EarlyContext {
  /** Suppliers that already had `daily_cap` digests in the last 24 hours. */
  capped: Set<string>;
  /** Suppliers never told anything: their digest is the first. */
  first: Set<string>;
  /** Contracts up for renewal that fit each supplier and it was not told of, best first. */
  renewals: Map<string, StoredRenewal[]>;
  /** When each supplier was told an opportunity was coming up, by supplier, ocid and lot. */
  comingUpTold: Map<string, string>;
}

export const toldKey = (supplierId: string, ocid: string, lotId: string) => `${supplierId}\u0000${ocid}\u0000${lotId}`;

/** Renewals in one digest at most. */
export const RENEWALS_PER_DIGEST = 5;

export async function loadEarlyContext(db: Db, suppliers: Array<{ id: string; dailyCap: number }>, now: Date): Promise<EarlyContext> {
  const ids = suppliers.map((s) => s.id);
  const capOf = new Map(suppliers.map((s) => [s.id, s.dailyCap]));
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const out: EarlyContext = { capped: new Set(), first: new Set(ids), renewals: new Map(), comingUpTold: new Map() };
  for (const part of chunks(ids, 400)) {
    if (!part.length) continue;
    const sent = await db
      .selectFrom('alert_outbox')
      .select(['supplier_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('supplier_id', 'in', part)
      .where('kind', '=', 'digest')
      .where('created_at', '>', since)
      .where('status', 'not in', ['void', 'cancelled'])
      .groupBy('supplier_id')
      .execute();
    for (const r of sent) if (Number(r.n) >= (capOf.get(r.supplier_id) ?? Number.POSITIVE_INFINITY)) out.capped.add(r.supplier_id);
    const told = await db.selectFrom('alert_items').select('supplier_id').distinct().where('supplier_id', 'in', part).execute();
    for (const r of told) out.first.delete(r.supplier_id);
    const comingUp = await db.selectFrom('alert_items').select(['supplier_id', 'ocid', 'lot_id', 'created_at']).where('supplier_id', 'in', part).where('kind', '=', 'coming_up').execute();
    for (const r of comingUp) out.comingUpTold.set(toldKey(r.supplier_id, r.ocid, r.lot_id), r.created_at);
  }
  for (const r of await renewalsForSuppliers(db, ids, now.toISOString(), { untoldOnly: true, limit: RENEWALS_PER_DIGEST })) {
    const list = out.renewals.get(r.supplier_id) ?? [];
    list.push(r);
    out.renewals.set(r.supplier_id, list);
  }
  return out;
}

const money = (amount: number | null, currency: string | null) => (amount === null ? null : formatMoney(amount, currency));

export function renewalEntry(r: StoredRenewal, history: string | null): DigestRenewal {
  return {
    ocid: r.ocid,
    awardId: r.award_id,
    title: r.title,
    buyer: r.buyer_name,
    valueAmount: r.value_amount,
    valueCurrency: r.value_currency,
    endDate: r.expected_at,
    incumbents: r.incumbents.map((i) => `${i.name ?? 'a supplier'}${(i.scale ?? '').toLowerCase() === 'sme' ? ' (SME)' : ''}`),
    certainty: r.certainty,
    certaintyReasons: r.certainty_reasons,
    reasons: r.reasons,
    history,
    url: r.url,
  };
}

/**
 * Adds to the chosen entries what the notice and the store say beyond the match: the notice type's name, the
 * buyer's history, how to take part in a market engagement, when the tender is expected, and for an open tender
 * the supplier was told was coming up, when it was told. Renewals get their buyer's history too.
 */
export async function decorateEntries(
  db: Db,
  supplierId: string,
  entries: Array<{ entry: DigestEntry; noticeType: string | null; section: Section }>,
  renewals: StoredRenewal[],
  context: EarlyContext,
): Promise<DigestRenewal[]> {
  const ocids = [...new Set(entries.map((e) => e.entry.ocid))];
  const cpvByOcid = new Map<string, string[]>();
  for (const part of chunks(ocids, 400)) {
    if (!part.length) continue;
    for (const r of await db.selectFrom('tenders').select(['ocid', 'cpv_codes']).where('ocid', 'in', part).execute()) cpvByOcid.set(r.ocid, readList(r.cpv_codes));
  }
  const histories = await buyerHistories(db, [
    ...entries.map((e) => ({ buyerName: e.entry.buyer, cpv: cpvByOcid.get(e.entry.ocid) ?? [], ocid: e.entry.ocid })),
    ...renewals.map((r) => ({ buyerName: r.buyer_name, cpv: r.cpv_codes, ocid: r.ocid })),
  ]);
  const comingUpOcids = entries.filter((e) => e.section === 'coming_up').map((e) => e.entry.ocid);
  const details = new Map((comingUpOcids.length ? await loadCompiledTenders(db, comingUpOcids) : []).map(({ compiled, record }) => [record.ocid, comingUpDetails(compiled)]));
  entries.forEach((e, i) => {
    e.entry.noticeType = noticeTypeName(e.noticeType);
    e.entry.history = historyLine(histories[i], money);
    if (e.section === 'coming_up') {
      const d = details.get(e.entry.ocid);
      if (d) {
        e.entry.howToTakePart = d.howToTakePart;
        e.entry.engagementEnds = d.engagementEnds;
        e.entry.contactEmail = d.contactEmail;
        e.entry.expectedTenderAt = d.expectedTenderAt;
      }
    } else if (e.section === 'open') {
      e.entry.comingUpToldAt = context.comingUpTold.get(toldKey(supplierId, e.entry.ocid, e.entry.lotId)) ?? null;
    }
  });
  return renewals.map((r, i) => renewalEntry(r, historyLine(histories[entries.length + i], money)));
}

const RENEWALS_FRESH = 'renewals:fresh';

/**
 * Forecasts renewals again when the last forecast is more than `hours` old (a lease that is never released
 * marks when it ran, so every instance agrees), so the alert run every few minutes does it a few times a day.
 */
export async function refreshRenewalsIfDue(deps: Deps, hours = 6): Promise<boolean> {
  if (!(await acquireLease(deps.db, RENEWALS_FRESH, `renewals:${randomUUID()}`, deps.clock.now(), hours * 3600))) return false;
  const summary = await forecastAndMatchRenewals(deps);
  deps.log.info('alerts: renewal forecasts made again', { ...summary });
  return true;
}
