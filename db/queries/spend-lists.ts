/**
 * The supplier lists of a large report, found in the store rather than in memory: the suppliers taking most
 * influenceable spend, the suppliers leaking most (outside the headline area, in categories where local firms
 * exist, as the report's plan says per buyer), and how many suppliers leak in each category. Only the cells of
 * those few suppliers are read back, so a regional report never carries a hundred thousand payees into memory.
 * The sums and order are those of planReport's finish over every supplier cell.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../client.js';
import type { Exclusion, PayeeKind } from '../../src/domain/spend/payees.js';
import { payeeRef, type PayeeFacts, type ReportPlan, type SpendCell } from '../../src/domain/spend/report.js';

export interface ListQuery {
  buyerIds: string[];
  fromQuarter: string | null;
  toQuarter: string | null;
  /** The exclusions the report applies. */
  exclude: readonly Exclusion[];
  top: number;
}

/** Sums by payee and category over the period: the period rollup, or the quarterly one summed over the quarters asked. */
function cellsOf(q: ListQuery): RawBuilder<unknown> {
  const buyers = sql.join(q.buyerIds);
  if (!q.fromQuarter && !q.toQuarter) {
    return sql`(SELECT buyer_id, payee_key, category, exclusion, amount_pence, payments FROM spend_rollup_payees WHERE buyer_id IN (${buyers}))`;
  }
  const from = q.fromQuarter ? sql` AND quarter >= ${q.fromQuarter}` : sql``;
  const to = q.toQuarter ? sql` AND quarter <= ${q.toQuarter}` : sql``;
  return sql`(SELECT buyer_id, payee_key, category, exclusion, SUM(amount_pence) AS amount_pence, SUM(payments) AS payments FROM spend_rollup
    WHERE buyer_id IN (${buyers})${from}${to} GROUP BY buyer_id, payee_key, category, exclusion)`;
}

/** The report's exclusion rule in SQL: a line's own reason, else public body by the payee's kind. */
function influenceable(exclude: readonly Exclusion[]): RawBuilder<unknown> {
  const lineReasons = (['payroll', 'tax'] as const).filter((e) => !exclude.includes(e));
  const publicBodies = exclude.includes('public_body') ? sql`p.kind <> 'public_body'` : sql`1 = 1`;
  const kept = lineReasons.length ? sql` OR r.exclusion IN (${sql.join(lineReasons)})` : sql``;
  return sql`((r.exclusion = '' AND ${publicBodies})${kept})`;
}

const IDENTITY = sql`COALESCE(p.supplier_ref, r.payee_key)`;

/** Outside the headline area, in a category with local firms: per buyer, as the plan found them. */
function leaking(plan: ReportPlan): RawBuilder<unknown> | null {
  const parts: RawBuilder<unknown>[] = [];
  for (const [buyerId, keys] of plan.outsideKeys) {
    const divisions = plan.addressable.get(buyerId);
    if (!divisions?.size) continue;
    parts.push(sql`(r.buyer_id = ${buyerId} AND p.payee_class IN (${sql.join([...keys])}) AND r.category IN (${sql.join([...divisions])}))`);
  }
  return parts.length ? sql`(${sql.join(parts, sql` OR `)})` : null;
}

interface Leader {
  source: string;
  ident: string;
}

/**
 * One pass over the resolved influenceable cells: each supplier's spend and its leaking spend per category, then
 * the leaders by each and the count of leaking suppliers per category (the CTE is read three times, built once).
 */
async function leaders(db: Db, q: ListQuery, leak: RawBuilder<unknown> | null) {
  const leakSum = leak ? sql`SUM(CASE WHEN ${leak} THEN r.amount_pence ELSE 0 END)` : sql`0`;
  const { rows } = await sql<{ list: string; source: string | null; ident: string | null; category: string | null; n: unknown }>`
    WITH t AS (
      SELECT p.source AS source, ${IDENTITY} AS ident, r.category AS category, SUM(r.amount_pence) AS pence, ${leakSum} AS leak
      FROM ${cellsOf(q)} r JOIN spend_payees p ON p.buyer_id = r.buyer_id AND p.payee_key = r.payee_key
      WHERE p.source IS NOT NULL AND ${influenceable(q.exclude)}
      GROUP BY p.source, ${IDENTITY}, r.category
    )
    SELECT * FROM (SELECT 'top' AS list, source, ident, NULL AS category, SUM(pence) AS n FROM t GROUP BY source, ident ORDER BY SUM(pence) DESC, source, ident LIMIT ${q.top}) a
    UNION ALL
    SELECT * FROM (SELECT 'leak' AS list, source, ident, NULL AS category, SUM(leak) AS n FROM t GROUP BY source, ident HAVING SUM(leak) > 0 ORDER BY SUM(leak) DESC, source, ident LIMIT ${q.top}) b
    UNION ALL
    SELECT 'count' AS list, NULL AS source, NULL AS ident, category, COUNT(*) AS n FROM t WHERE leak > 0 GROUP BY category`.execute(db);
  const wanted: Leader[] = [];
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.list === 'count') counts.set(r.category!, Number(r.n));
    else wanted.push({ source: r.source!, ident: r.ident! });
  }
  return { wanted, counts };
}

export interface Lists {
  cells: SpendCell[];
  facts: Map<string, PayeeFacts>;
  /** Category → how many suppliers leak in it. */
  leakingSuppliers: Map<string, number>;
}

export async function leadingSuppliers(db: Db, q: ListQuery, plan: ReportPlan): Promise<Lists> {
  const out: Lists = { cells: [], facts: new Map(), leakingSuppliers: new Map() };
  if (!q.buyerIds.length) return out;
  const { wanted, counts } = await leaders(db, q, leaking(plan));
  out.leakingSuppliers = counts;
  const unique = new Map(wanted.map((l) => [`${l.source}:${l.ident}`, l]));
  if (!unique.size) return out;
  // The payees of those suppliers (by the index on source and reference), then their cells (by primary key).
  const payees: Array<{ buyer_id: string; payee_key: string }> = [];
  for (const l of unique.values()) {
    const byRef = await db.selectFrom('spend_payees').select(['buyer_id', 'payee_key']).where('source', '=', l.source).where('supplier_ref', '=', l.ident).execute();
    const byKey = await db.selectFrom('spend_payees').select(['buyer_id', 'payee_key']).where('buyer_id', 'in', q.buyerIds).where('payee_key', '=', l.ident).where('source', '=', l.source).where('supplier_ref', 'is', null).execute();
    payees.push(...[...byRef, ...byKey].filter((p) => q.buyerIds.includes(p.buyer_id)));
  }
  if (!payees.length) return out;
  const pairs = new Set(payees.map((p) => `${p.buyer_id}\u0000${p.payee_key}`));
  const keys = sql.join([...new Set(payees.map((p) => p.payee_key))]);
  const buyers = sql.join([...new Set(payees.map((p) => p.buyer_id))]);
  const source =
    q.fromQuarter || q.toQuarter
      ? sql`(SELECT buyer_id, payee_key, category, exclusion, SUM(amount_pence) AS amount_pence, SUM(payments) AS payments FROM spend_rollup
          WHERE buyer_id IN (${buyers}) AND payee_key IN (${keys})${q.fromQuarter ? sql` AND quarter >= ${q.fromQuarter}` : sql``}${q.toQuarter ? sql` AND quarter <= ${q.toQuarter}` : sql``}
          GROUP BY buyer_id, payee_key, category, exclusion)`
      : sql`(SELECT * FROM spend_rollup_payees WHERE buyer_id IN (${buyers}) AND payee_key IN (${keys}))`;
  const { rows: all } = await sql<Record<string, string | number | null>>`
    SELECT r.buyer_id, r.payee_key, r.category, r.exclusion, r.amount_pence, r.payments,
      p.name, p.kind, p.source, p.supplier_ref, p.supplier_name, p.method, p.confidence, p.postcode, p.lad, p.itl3, p.itl1, p.combined_authority, p.uk, p.sme, p.vcse
    FROM ${source} r JOIN spend_payees p ON p.buyer_id = r.buyer_id AND p.payee_key = r.payee_key`.execute(db);
  const rows = all.filter((r) => pairs.has(`${r.buyer_id}\u0000${r.payee_key}`));
  const flag = (v: unknown) => (v === null || v === undefined ? null : Number(v) === 1);
  for (const r of rows) {
    const buyerId = String(r.buyer_id);
    const payeeKey = String(r.payee_key);
    out.cells.push({
      buyerId, quarter: '', payeeKey, category: (r.category as string) || null, exclusion: ((r.exclusion as string) || null) as Exclusion | null,
      pence: Number(r.amount_pence), payments: Number(r.payments),
    });
    const ref = payeeRef(buyerId, payeeKey);
    if (out.facts.has(ref)) continue;
    const placed = r.lad || r.itl3 || r.itl1 || r.uk !== null;
    out.facts.set(ref, {
      payeeKey, name: String(r.name), kind: r.kind as PayeeKind, source: r.source as string, supplierRef: r.supplier_ref as string | null,
      supplierName: r.supplier_name as string | null, method: String(r.method), confidence: Number(r.confidence), postcode: r.postcode as string | null,
      place: placed ? { lad: r.lad as string | null, itl3: r.itl3 as string | null, itl1: r.itl1 as string | null, combinedAuthority: r.combined_authority as string | null, uk: flag(r.uk) } : null,
      sme: flag(r.sme), vcse: flag(r.vcse),
    });
  }
  return out;
}
