/**
 * Spend storage: buyers, files, payment lines and their quarantine, and the rollups reports read.
 *
 * Payment lines are written in batches, each with its rollup increments and new payees, in one transaction
 * where the engine has them. A line whose natural key is stored already is a duplicate: it adds nothing, and
 * its rollup is not incremented. D1 has no transactions: a crash there can leave a batch's lines without their
 * rollup increments, so a file stays 'importing' until its import finishes, and the next import for a buyer
 * with such a file rebuilds that buyer's rollups from its lines.
 */
import { sql } from 'kysely';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../client.js';
import { engineOf, rowsPerInsert, sameStore, sqliteHandleOf } from '../client.js';
import { chunks } from '../bulk.js';
import type { NewSpendPayment, SpendBuyerRow, SpendFileRow, SpendFilesTable } from '../schema.spend.js';
import type { BuyerArea } from '../../src/domain/spend/places.js';
import { payeeClassOf, payeeRef, type PayeeFacts, type SpendCell } from '../../src/domain/spend/report.js';
import type { Exclusion, PayeeKind } from '../../src/domain/spend/payees.js';
import { normaliseName, payeeKind } from '../../src/domain/spend/payees.js';

/** Bound parameters per `IN (...)` list: under D1's 100. */
const IN_LIST = 90;

/** A buyer's key: its normalised name, so `Oxford City Council` and `OXFORD CITY COUNCIL ` are one buyer. */
export const buyerIdOf = (name: string): string => normaliseName(name) || name.trim().toLowerCase();

export const toBuyerArea = (r: SpendBuyerRow): BuyerArea => ({
  buyerId: r.buyer_id,
  name: r.name,
  regionCode: r.region_code,
  lad: r.lad,
  ladName: r.lad_name,
  itl3: r.itl3,
  itl1: r.itl1,
  combinedAuthority: r.combined_authority,
});

export async function getBuyer(db: Db, buyerId: string): Promise<SpendBuyerRow | undefined> {
  return db.selectFrom('spend_buyers').selectAll().where('buyer_id', '=', buyerId).executeTakeFirst();
}

export async function listBuyers(db: Db): Promise<SpendBuyerRow[]> {
  return db.selectFrom('spend_buyers').selectAll().orderBy('buyer_id').execute();
}

/** Creates or updates a buyer; a postcode or region given replaces the stored one, one not given keeps it. */
export async function putBuyer(db: Db, row: SpendBuyerRow): Promise<SpendBuyerRow> {
  await db
    .insertInto('spend_buyers')
    .values(row)
    .onConflict((oc) =>
      oc.column('buyer_id').doUpdateSet({
        name: row.name,
        postcode: row.postcode,
        region_code: row.region_code,
        lad: row.lad,
        lad_name: row.lad_name,
        itl3: row.itl3,
        itl1: row.itl1,
        combined_authority: row.combined_authority,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return (await getBuyer(db, row.buyer_id))!;
}

export async function getSpendFile(db: Db, buyerId: string, fileId: string): Promise<SpendFileRow | undefined> {
  return db.selectFrom('spend_files').selectAll().where('buyer_id', '=', buyerId).where('file_id', '=', fileId).executeTakeFirst();
}

export async function listSpendFiles(db: Db, buyerId: string): Promise<SpendFileRow[]> {
  const rows = await db.selectFrom('spend_files').selectAll().where('buyer_id', '=', buyerId).orderBy('first_paid_on').orderBy('name').execute();
  return rows.map(numericFile);
}

const numericFile = (r: SpendFileRow): SpendFileRow => ({
  ...r,
  total_pence: Number(r.total_pence),
  imported_pence: Number(r.imported_pence),
  duplicate_pence: Number(r.duplicate_pence),
  quarantined_pence: Number(r.quarantined_pence),
});

export async function putSpendFile(db: Db, row: SpendFilesTable): Promise<void> {
  const { buyer_id: _b, file_id: _f, ...rest } = row;
  await db
    .insertInto('spend_files')
    .values(row)
    .onConflict((oc) => oc.columns(['buyer_id', 'file_id']).doUpdateSet(rest))
    .execute();
}

/** True when a file of this buyer was left 'importing' (a run that stopped part-way). */
export async function hasUnfinishedFile(db: Db, buyerId: string, exceptFileId: string | null = null): Promise<boolean> {
  let q = db.selectFrom('spend_files').select('file_id').where('buyer_id', '=', buyerId).where('status', '=', 'importing');
  if (exceptFileId) q = q.where('file_id', '!=', exceptFileId);
  return !!(await q.executeTakeFirst());
}

export interface QuarantinedLine {
  line: number;
  reason: string;
  amountPence: number;
  raw: string;
}

export interface BatchResult {
  inserted: number;
  insertedPence: number;
  duplicates: number;
  duplicatePence: number;
  /** Payee keys first seen in this batch (added to spend_payees, unresolved). */
  newPayees: string[];
}

const PAYMENT_COLUMNS = [
  'buyer_id', 'payment_key', 'file_id', 'line', 'paid_on', 'date_stated', 'quarter', 'amount_pence', 'payee_name', 'payee_key', 'reference', 'expense_code',
  'expense_type', 'service_area', 'description', 'category', 'category_method', 'exclusion', 'raw',
] as const;

const rollupKey = (p: NewSpendPayment) => `${p.quarter}\u0000${p.payee_key}\u0000${p.category ?? ''}\u0000${p.exclusion ?? ''}`;

interface RollupDelta {
  quarter: string;
  payee_key: string;
  category: string;
  exclusion: string;
  amount_pence: number;
  payments: number;
}

function addDelta(deltas: Map<string, RollupDelta>, p: NewSpendPayment) {
  const key = rollupKey(p);
  const d = deltas.get(key);
  if (d) {
    d.amount_pence += p.amount_pence;
    d.payments += 1;
  } else {
    deltas.set(key, { quarter: p.quarter, payee_key: p.payee_key, category: p.category ?? '', exclusion: p.exclusion ?? '', amount_pence: p.amount_pence, payments: 1 });
  }
}

/** The class of a payee no one has resolved yet. */
const unresolvedClass = (kind: PayeeKind) =>
  payeeClassOf({ payeeKey: '', name: '', kind, source: null, supplierRef: null, supplierName: null, method: 'none', confidence: 0, postcode: null, place: null, sme: null, vcse: null });

/** The quarterly increments summed over quarters, for the period rollup. */
function periodDeltas(deltas: Map<string, RollupDelta>): Map<string, RollupDelta> {
  const out = new Map<string, RollupDelta>();
  for (const d of deltas.values()) {
    const key = `${d.payee_key}\u0000${d.category}\u0000${d.exclusion}`;
    const o = out.get(key);
    if (o) {
      o.amount_pence += d.amount_pence;
      o.payments += d.payments;
    } else out.set(key, { ...d, quarter: '' });
  }
  return out;
}

/**
 * Writes one batch of a file: payment lines (a line whose key is stored is a duplicate), quarantined lines,
 * rollup increments for the lines written, and payees not seen before. `knownPayees` holds the payee keys this
 * import already knows to be stored; it is added to.
 */
export async function writeSpendBatch(
  db: Db,
  buyerId: string,
  fileId: string,
  payments: NewSpendPayment[],
  quarantined: QuarantinedLine[],
  knownPayees: Set<string>,
  now: string,
): Promise<BatchResult> {
  const handle = sqliteHandleOf(db);
  if (handle && !db.isTransaction) return handle.transaction(() => writeBatchSqlite(handle, buyerId, fileId, payments, quarantined, knownPayees, now))();
  if (engineOf(db) === 'd1' || db.isTransaction) return writeBatchPortable(db, buyerId, fileId, payments, quarantined, knownPayees, now);
  return db.transaction().execute((trx) => writeBatchPortable(sameStore(trx, db), buyerId, fileId, payments, quarantined, knownPayees, now));
}

const statements = new WeakMap<object, Map<string, Statement>>();
function prepared(handle: NonNullable<ReturnType<typeof sqliteHandleOf>>, text: string): Statement {
  let cache = statements.get(handle);
  if (!cache) statements.set(handle, (cache = new Map()));
  let s = cache.get(text);
  if (!s) cache.set(text, (s = handle.prepare(text)));
  return s;
}

function writeBatchSqlite(
  handle: NonNullable<ReturnType<typeof sqliteHandleOf>>,
  buyerId: string,
  fileId: string,
  payments: NewSpendPayment[],
  quarantined: QuarantinedLine[],
  knownPayees: Set<string>,
  now: string,
): BatchResult {
  const insert = prepared(
    handle,
    `INSERT INTO spend_payments (${PAYMENT_COLUMNS.join(', ')}) VALUES (${PAYMENT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (buyer_id, payment_key) DO NOTHING`,
  );
  const result: BatchResult = { inserted: 0, insertedPence: 0, duplicates: 0, duplicatePence: 0, newPayees: [] };
  const deltas = new Map<string, RollupDelta>();
  const args: unknown[] = new Array(PAYMENT_COLUMNS.length);
  for (const p of payments) {
    const r = p as unknown as Record<string, unknown>;
    for (let i = 0; i < PAYMENT_COLUMNS.length; i++) args[i] = r[PAYMENT_COLUMNS[i]] ?? null;
    if (insert.run(args).changes === 1) {
      result.inserted++;
      result.insertedPence += p.amount_pence;
      addDelta(deltas, p);
    } else {
      result.duplicates++;
      result.duplicatePence += p.amount_pence;
    }
  }
  const rollup = prepared(
    handle,
    `INSERT INTO spend_rollup (buyer_id, quarter, payee_key, category, exclusion, amount_pence, payments) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (buyer_id, quarter, payee_key, category, exclusion) DO UPDATE SET amount_pence = spend_rollup.amount_pence + excluded.amount_pence, payments = spend_rollup.payments + excluded.payments`,
  );
  const period = prepared(
    handle,
    `INSERT INTO spend_rollup_payees (buyer_id, payee_key, category, exclusion, amount_pence, payments) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (buyer_id, payee_key, category, exclusion) DO UPDATE SET amount_pence = spend_rollup_payees.amount_pence + excluded.amount_pence, payments = spend_rollup_payees.payments + excluded.payments`,
  );
  for (const d of deltas.values()) rollup.run(buyerId, d.quarter, d.payee_key, d.category, d.exclusion, d.amount_pence, d.payments);
  for (const d of periodDeltas(deltas).values()) period.run(buyerId, d.payee_key, d.category, d.exclusion, d.amount_pence, d.payments);
  const quarantine = prepared(
    handle,
    `INSERT INTO spend_quarantine (buyer_id, file_id, line, reason, amount_pence, raw, quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (buyer_id, file_id, line) DO NOTHING`,
  );
  for (const q of quarantined) quarantine.run(buyerId, fileId, q.line, q.reason, q.amountPence, q.raw, now);
  const payee = prepared(
    handle,
    `INSERT INTO spend_payees (buyer_id, payee_key, name, kind, method, confidence, payee_class, resolved_at) VALUES (?, ?, ?, ?, 'none', 0, ?, ?) ON CONFLICT (buyer_id, payee_key) DO NOTHING`,
  );
  for (const p of payments) {
    if (knownPayees.has(p.payee_key)) continue;
    knownPayees.add(p.payee_key);
    const kind = payeeKind(p.payee_name);
    if (payee.run(buyerId, p.payee_key, p.payee_name, kind, unresolvedClass(kind), now).changes === 1) result.newPayees.push(p.payee_key);
  }
  return result;
}

async function writeBatchPortable(
  db: Db,
  buyerId: string,
  fileId: string,
  payments: NewSpendPayment[],
  quarantined: QuarantinedLine[],
  knownPayees: Set<string>,
  now: string,
): Promise<BatchResult> {
  const result: BatchResult = { inserted: 0, insertedPence: 0, duplicates: 0, duplicatePence: 0, newPayees: [] };
  const deltas = new Map<string, RollupDelta>();
  const rowsEach = rowsPerInsert(db, PAYMENT_COLUMNS.length);
  for (const part of chunks(payments, rowsEach)) {
    const written = await db
      .insertInto('spend_payments')
      .values(part)
      .onConflict((oc) => oc.columns(['buyer_id', 'payment_key']).doNothing())
      .returning('payment_key')
      .execute();
    const keys = new Set(written.map((w) => w.payment_key));
    for (const p of part) {
      if (keys.has(p.payment_key)) {
        result.inserted++;
        result.insertedPence += p.amount_pence;
        addDelta(deltas, p);
      } else {
        result.duplicates++;
        result.duplicatePence += p.amount_pence;
      }
    }
  }
  const rollups = [...deltas.values()].map((d) => ({ buyer_id: buyerId, ...d }));
  for (const part of chunks(rollups, rowsPerInsert(db, 7))) {
    await db
      .insertInto('spend_rollup')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['buyer_id', 'quarter', 'payee_key', 'category', 'exclusion']).doUpdateSet({
          amount_pence: sql`spend_rollup.amount_pence + excluded.amount_pence`,
          payments: sql`spend_rollup.payments + excluded.payments`,
        }),
      )
      .execute();
  }
  const periods = [...periodDeltas(deltas).values()].map((d) => ({ buyer_id: buyerId, payee_key: d.payee_key, category: d.category, exclusion: d.exclusion, amount_pence: d.amount_pence, payments: d.payments }));
  for (const part of chunks(periods, rowsPerInsert(db, 6))) {
    await db
      .insertInto('spend_rollup_payees')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['buyer_id', 'payee_key', 'category', 'exclusion']).doUpdateSet({
          amount_pence: sql`spend_rollup_payees.amount_pence + excluded.amount_pence`,
          payments: sql`spend_rollup_payees.payments + excluded.payments`,
        }),
      )
      .execute();
  }
  const lines = quarantined.map((q) => ({ buyer_id: buyerId, file_id: fileId, line: q.line, reason: q.reason, amount_pence: q.amountPence, raw: q.raw, quarantined_at: now }));
  for (const part of chunks(lines, rowsPerInsert(db, 7))) {
    await db.insertInto('spend_quarantine').values(part).onConflict((oc) => oc.columns(['buyer_id', 'file_id', 'line']).doNothing()).execute();
  }
  const fresh = new Map<string, string>();
  for (const p of payments) {
    if (knownPayees.has(p.payee_key)) continue;
    knownPayees.add(p.payee_key);
    fresh.set(p.payee_key, p.payee_name);
  }
  const payees = [...fresh].map(([key, name]) => {
    const kind = payeeKind(name);
    return { buyer_id: buyerId, payee_key: key, name, kind, method: 'none', confidence: 0, payee_class: unresolvedClass(kind), resolved_at: now };
  });
  for (const part of chunks(payees, rowsPerInsert(db, 8))) {
    const written = await db
      .insertInto('spend_payees')
      .values(part)
      .onConflict((oc) => oc.columns(['buyer_id', 'payee_key']).doNothing())
      .returning('payee_key')
      .execute();
    result.newPayees.push(...written.map((w) => w.payee_key));
  }
  return result;
}

/** Drops a file's lines quarantined for having no date, before they are read again with a stated one. */
export async function clearDatelessQuarantine(db: Db, buyerId: string, fileId: string): Promise<void> {
  await db.deleteFrom('spend_quarantine').where('buyer_id', '=', buyerId).where('file_id', '=', fileId).where('reason', 'like', 'no date%').execute();
}

/** Sums a buyer's rollups again from its payment lines (after a crash on D1, or after its categories change). */
export async function rebuildRollups(db: Db, buyerId: string): Promise<number> {
  const work = async (store: Db) => {
    await store.deleteFrom('spend_rollup').where('buyer_id', '=', buyerId).execute();
    await store.deleteFrom('spend_rollup_payees').where('buyer_id', '=', buyerId).execute();
    await sql`INSERT INTO spend_rollup (buyer_id, quarter, payee_key, category, exclusion, amount_pence, payments)
      SELECT buyer_id, quarter, payee_key, COALESCE(category, ''), COALESCE(exclusion, ''), SUM(amount_pence), COUNT(*)
      FROM spend_payments WHERE buyer_id = ${buyerId}
      GROUP BY buyer_id, quarter, payee_key, COALESCE(category, ''), COALESCE(exclusion, '')`.execute(store);
    await sql`INSERT INTO spend_rollup_payees (buyer_id, payee_key, category, exclusion, amount_pence, payments)
      SELECT buyer_id, payee_key, category, exclusion, SUM(amount_pence), SUM(payments)
      FROM spend_rollup WHERE buyer_id = ${buyerId}
      GROUP BY buyer_id, payee_key, category, exclusion`.execute(store);
    const row = await store.selectFrom('spend_rollup').select((eb) => eb.fn.countAll<number>().as('n')).where('buyer_id', '=', buyerId).executeTakeFirst();
    return Number(row?.n ?? 0);
  };
  const cells = engineOf(db) === 'd1' || db.isTransaction ? await work(db) : await db.transaction().execute((trx) => work(sameStore(trx, db)));
  await rebuildClassRollup(db, buyerId);
  return cells;
}

/** Sums a buyer's rollups by payee class again (by quarter, and by category over the period): after payees were resolved, or new lines stored. */
export async function rebuildClassRollup(db: Db, buyerId: string): Promise<void> {
  const work = async (store: Db) => {
    await store.deleteFrom('spend_rollup_classes').where('buyer_id', '=', buyerId).execute();
    await store.deleteFrom('spend_rollup_class_categories').where('buyer_id', '=', buyerId).execute();
    await sql`INSERT INTO spend_rollup_classes (buyer_id, quarter, exclusion, payee_class, amount_pence, payments)
      SELECT r.buyer_id, r.quarter, r.exclusion, p.payee_class, SUM(r.amount_pence), SUM(r.payments)
      FROM spend_rollup r JOIN spend_payees p ON p.buyer_id = r.buyer_id AND p.payee_key = r.payee_key
      WHERE r.buyer_id = ${buyerId}
      GROUP BY r.buyer_id, r.quarter, r.exclusion, p.payee_class`.execute(store);
    await sql`INSERT INTO spend_rollup_class_categories (buyer_id, category, exclusion, payee_class, amount_pence, payments)
      SELECT r.buyer_id, r.category, r.exclusion, p.payee_class, SUM(r.amount_pence), SUM(r.payments)
      FROM spend_rollup_payees r JOIN spend_payees p ON p.buyer_id = r.buyer_id AND p.payee_key = r.payee_key
      WHERE r.buyer_id = ${buyerId}
      GROUP BY r.buyer_id, r.category, r.exclusion, p.payee_class`.execute(store);
  };
  if (engineOf(db) === 'd1' || db.isTransaction) return work(db);
  await db.transaction().execute((trx) => work(sameStore(trx, db)));
}

/** Moves one payee's sums from its old class to its new one (an analyst's correction, in a request). */
export async function movePayeeClass(db: Db, buyerId: string, payeeKey: string, from: string, to: string): Promise<void> {
  if (from === to) return;
  const quarters = await db.selectFrom('spend_rollup').select(['quarter', 'exclusion']).select((eb) => [eb.fn.sum<number>('amount_pence').as('pence'), eb.fn.sum<number>('payments').as('n')])
    .where('buyer_id', '=', buyerId).where('payee_key', '=', payeeKey).groupBy(['quarter', 'exclusion']).execute();
  const categories = await db.selectFrom('spend_rollup_payees').select(['category', 'exclusion', 'amount_pence', 'payments']).where('buyer_id', '=', buyerId).where('payee_key', '=', payeeKey).execute();
  const work = async (store: Db) => {
    for (const [payeeClass, sign] of [[from, -1], [to, 1]] as const) {
      for (const r of quarters) {
        await store
          .insertInto('spend_rollup_classes')
          .values({ buyer_id: buyerId, quarter: r.quarter, exclusion: r.exclusion, payee_class: payeeClass, amount_pence: sign * Number(r.pence), payments: sign * Number(r.n) })
          .onConflict((oc) =>
            oc.columns(['buyer_id', 'quarter', 'exclusion', 'payee_class']).doUpdateSet({
              amount_pence: sql`spend_rollup_classes.amount_pence + excluded.amount_pence`,
              payments: sql`spend_rollup_classes.payments + excluded.payments`,
            }),
          )
          .execute();
      }
      for (const r of categories) {
        await store
          .insertInto('spend_rollup_class_categories')
          .values({ buyer_id: buyerId, category: r.category, exclusion: r.exclusion, payee_class: payeeClass, amount_pence: sign * Number(r.amount_pence), payments: sign * Number(r.payments) })
          .onConflict((oc) =>
            oc.columns(['buyer_id', 'category', 'exclusion', 'payee_class']).doUpdateSet({
              amount_pence: sql`spend_rollup_class_categories.amount_pence + excluded.amount_pence`,
              payments: sql`spend_rollup_class_categories.payments + excluded.payments`,
            }),
          )
          .execute();
      }
    }
    await store.deleteFrom('spend_rollup_classes').where('buyer_id', '=', buyerId).where('payee_class', '=', from).where('payments', '<=', 0).execute();
    await store.deleteFrom('spend_rollup_class_categories').where('buyer_id', '=', buyerId).where('payee_class', '=', from).where('payments', '<=', 0).execute();
  };
  if (engineOf(db) === 'd1' || db.isTransaction) return work(db);
  await db.transaction().execute((trx) => work(sameStore(trx, db)));
}

/**
 * Class cells of some buyers (their payeeKey is the payee class): by quarter (category null), and by category
 * (quarter ''). With a period, the by-category cells are summed from the quarterly rollup over its quarters.
 */
export async function loadClassCells(db: Db, buyerIds: string[], fromQuarter: string | null, toQuarter: string | null): Promise<{ quarters: SpendCell[]; categories: SpendCell[] }> {
  const quarters: SpendCell[] = [];
  const categories: SpendCell[] = [];
  for (const part of chunks(buyerIds, IN_LIST)) {
    let q = db.selectFrom('spend_rollup_classes').select(['buyer_id', 'quarter', 'exclusion', 'payee_class', 'amount_pence', 'payments']).where('buyer_id', 'in', part);
    if (fromQuarter) q = q.where('quarter', '>=', fromQuarter);
    if (toQuarter) q = q.where('quarter', '<=', toQuarter);
    for (const r of await q.execute()) {
      quarters.push({ buyerId: r.buyer_id, quarter: r.quarter, payeeKey: r.payee_class, category: null, exclusion: (r.exclusion || null) as Exclusion | null, pence: Number(r.amount_pence), payments: Number(r.payments) });
    }
    const rows =
      fromQuarter || toQuarter
        ? await (() => {
            let c = db
              .selectFrom('spend_rollup as r')
              .innerJoin('spend_payees as p', (j) => j.onRef('p.buyer_id', '=', 'r.buyer_id').onRef('p.payee_key', '=', 'r.payee_key'))
              .select(['r.buyer_id', 'r.category', 'r.exclusion', 'p.payee_class'])
              .select((eb) => [eb.fn.sum<number>('r.amount_pence').as('amount_pence'), eb.fn.sum<number>('r.payments').as('payments')])
              .where('r.buyer_id', 'in', part);
            if (fromQuarter) c = c.where('r.quarter', '>=', fromQuarter);
            if (toQuarter) c = c.where('r.quarter', '<=', toQuarter);
            return c.groupBy(['r.buyer_id', 'r.category', 'r.exclusion', 'p.payee_class']).execute();
          })()
        : await db.selectFrom('spend_rollup_class_categories').select(['buyer_id', 'category', 'exclusion', 'payee_class', 'amount_pence', 'payments']).where('buyer_id', 'in', part).execute();
    for (const r of rows) {
      categories.push({ buyerId: r.buyer_id, quarter: '', payeeKey: r.payee_class, category: r.category || null, exclusion: (r.exclusion || null) as Exclusion | null, pence: Number(r.amount_pence), payments: Number(r.payments) });
    }
  }
  return { quarters, categories };
}

/** Cells by payee over the period (every payee), for the CSV of a report. */
export async function loadPeriodCells(db: Db, buyerIds: string[], fromQuarter: string | null, toQuarter: string | null): Promise<SpendCell[]> {
  if (fromQuarter || toQuarter) return loadSpendCells(db, buyerIds, fromQuarter, toQuarter);
  const out: SpendCell[] = [];
  for (const part of chunks(buyerIds, IN_LIST)) {
    for (const r of await db.selectFrom('spend_rollup_payees').selectAll().where('buyer_id', 'in', part).execute()) {
      out.push({ buyerId: r.buyer_id, quarter: '', payeeKey: r.payee_key, category: r.category || null, exclusion: (r.exclusion || null) as Exclusion | null, pence: Number(r.amount_pence), payments: Number(r.payments) });
    }
  }
  return out;
}

/**
 * Cells by payee over the whole period, of resolved payees only (the rest never reach the supplier lists), for
 * suppliers and leakage, with what the lists need of each payee to rank and place it (its kind, source and
 * place, read in the same join); names and the rest are read for the few listed (fillListedSuppliers). With a
 * period, the quarterly rollup is summed instead.
 */
export async function loadSupplierCells(
  db: Db,
  buyerIds: string[],
  fromQuarter: string | null,
  toQuarter: string | null,
  /** When payroll and tax lines are left out of the report, they are left out of this read too. */
  influenceableOnly = false,
): Promise<{ cells: SpendCell[]; facts: Map<string, PayeeFacts> }> {
  const cells: SpendCell[] = [];
  const facts = new Map<string, PayeeFacts>();
  const PAYEE = ['p.kind', 'p.source', 'p.supplier_ref', 'p.lad', 'p.itl3', 'p.itl1', 'p.combined_authority', 'p.uk'] as const;
  for (const part of chunks(buyerIds, IN_LIST)) {
    const rows =
      fromQuarter || toQuarter
        ? await (() => {
            let q = db
              .selectFrom('spend_rollup as r')
              .innerJoin('spend_payees as p', (j) => j.onRef('p.buyer_id', '=', 'r.buyer_id').onRef('p.payee_key', '=', 'r.payee_key'))
              .select(['r.buyer_id', 'r.payee_key', 'r.category', 'r.exclusion', ...PAYEE])
              .select((eb) => [eb.fn.sum<number>('r.amount_pence').as('amount_pence'), eb.fn.sum<number>('r.payments').as('payments')])
              .where('r.buyer_id', 'in', part)
              .where('p.source', 'is not', null);
            if (influenceableOnly) q = q.where('r.exclusion', '=', '');
            if (fromQuarter) q = q.where('r.quarter', '>=', fromQuarter);
            if (toQuarter) q = q.where('r.quarter', '<=', toQuarter);
            return q.groupBy(['r.buyer_id', 'r.payee_key', 'r.category', 'r.exclusion', ...PAYEE]).execute();
          })()
        : await db
            .selectFrom('spend_rollup_payees as r')
            .innerJoin('spend_payees as p', (j) => j.onRef('p.buyer_id', '=', 'r.buyer_id').onRef('p.payee_key', '=', 'r.payee_key'))
            .select(['r.buyer_id', 'r.payee_key', 'r.category', 'r.exclusion', 'r.amount_pence', 'r.payments', ...PAYEE])
            .where('r.buyer_id', 'in', part)
            .where('p.source', 'is not', null)
            .where((eb) => (influenceableOnly ? eb('r.exclusion', '=', '') : eb.lit(true)))
            .execute();
    for (const r of rows) {
      cells.push({ buyerId: r.buyer_id, quarter: '', payeeKey: r.payee_key, category: r.category || null, exclusion: (r.exclusion || null) as Exclusion | null, pence: Number(r.amount_pence), payments: Number(r.payments) });
      const ref = payeeRef(r.buyer_id, r.payee_key);
      if (facts.has(ref)) continue;
      const placed = r.lad || r.itl3 || r.itl1 || r.uk !== null;
      facts.set(ref, {
        payeeKey: r.payee_key, name: r.payee_key, kind: r.kind as PayeeKind, source: r.source, supplierRef: r.supplier_ref, supplierName: null, method: '', confidence: 0,
        postcode: null, place: placed ? { lad: r.lad, itl3: r.itl3, itl1: r.itl1, combinedAuthority: r.combined_authority, uk: r.uk === null ? null : Number(r.uk) === 1 } : null,
        sme: null, vcse: null,
      });
    }
  }
  return { cells, facts };
}

/**
 * Rollup cells of some buyers between two quarters (inclusive; null = open), for reports. Reads rollups only,
 * never payment lines.
 */
export async function loadSpendCells(db: Db, buyerIds: string[], fromQuarter: string | null, toQuarter: string | null): Promise<SpendCell[]> {
  const out: SpendCell[] = [];
  for (const part of chunks(buyerIds, IN_LIST)) {
    let q = db
      .selectFrom('spend_rollup')
      .select(['buyer_id', 'quarter', 'payee_key', 'category', 'exclusion', 'amount_pence', 'payments'])
      .where('buyer_id', 'in', part);
    if (fromQuarter) q = q.where('quarter', '>=', fromQuarter);
    if (toQuarter) q = q.where('quarter', '<=', toQuarter);
    for (const r of await q.execute()) {
      out.push({
        buyerId: r.buyer_id,
        quarter: r.quarter,
        payeeKey: r.payee_key,
        category: r.category || null,
        exclusion: (r.exclusion || null) as Exclusion | null,
        pence: Number(r.amount_pence),
        payments: Number(r.payments),
      });
    }
  }
  return out;
}


/** Stored lines, for tests and audits: every line of a file in file order. */
export async function paymentsOfFile(db: Db, buyerId: string, fileId: string) {
  const rows = await db.selectFrom('spend_payments').selectAll().where('buyer_id', '=', buyerId).where('file_id', '=', fileId).orderBy('line').execute();
  return rows.map((r) => ({ ...r, amount_pence: Number(r.amount_pence) }));
}

export async function quarantineOfFile(db: Db, buyerId: string, fileId: string) {
  const rows = await db.selectFrom('spend_quarantine').selectAll().where('buyer_id', '=', buyerId).where('file_id', '=', fileId).orderBy('line').execute();
  return rows.map((r) => ({ ...r, amount_pence: Number(r.amount_pence) }));
}

/** Sums of a buyer's stored lines: what the rollups must add up to. */
export async function paymentTotals(db: Db, buyerId: string): Promise<{ payments: number; pence: number }> {
  const row = await db
    .selectFrom('spend_payments')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('amount_pence').as('pence')])
    .where('buyer_id', '=', buyerId)
    .executeTakeFirst();
  return { payments: Number(row?.n ?? 0), pence: Number(row?.pence ?? 0) };
}

/** The council's expense-code categories: code key → CPV division. */
export async function loadCategoryMapping(db: Db, buyerId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('spend_categories').select(['code_key', 'category']).where('buyer_id', '=', buyerId).execute();
  return new Map(rows.map((r) => [r.code_key, r.category]));
}

export async function putCategoryMapping(db: Db, buyerId: string, rows: Array<{ codeKey: string; code: string; category: string }>, now: string): Promise<void> {
  const values = rows.map((r) => ({ buyer_id: buyerId, code_key: r.codeKey, code: r.code, category: r.category, imported_at: now }));
  for (const part of chunks(values, rowsPerInsert(db, 5))) {
    await db
      .insertInto('spend_categories')
      .values(part)
      .onConflict((oc) => oc.columns(['buyer_id', 'code_key']).doUpdateSet((eb) => ({ code: eb.ref('excluded.code'), category: eb.ref('excluded.category'), imported_at: eb.ref('excluded.imported_at') })))
      .execute();
  }
}

/** The distinct expense lines of a buyer (code, type, area, description, current category), to categorise again. */
export async function distinctExpenseLines(db: Db, buyerId: string) {
  return db
    .selectFrom('spend_payments')
    .select(['expense_code', 'expense_type', 'service_area', 'description', 'category', 'category_method'])
    .where('buyer_id', '=', buyerId)
    .groupBy(['expense_code', 'expense_type', 'service_area', 'description', 'category', 'category_method'])
    .execute();
}

/** Sets the category of every line of a buyer with this expense code, type, area and description. */
export async function setLineCategory(
  db: Db,
  buyerId: string,
  line: { expense_code: string | null; expense_type: string | null; service_area: string | null; description: string | null },
  category: string | null,
  method: string,
): Promise<void> {
  let q = db.updateTable('spend_payments').set({ category, category_method: method }).where('buyer_id', '=', buyerId);
  q = line.expense_code === null ? q.where('expense_code', 'is', null) : q.where('expense_code', '=', line.expense_code);
  q = line.expense_type === null ? q.where('expense_type', 'is', null) : q.where('expense_type', '=', line.expense_type);
  q = line.service_area === null ? q.where('service_area', 'is', null) : q.where('service_area', '=', line.service_area);
  q = line.description === null ? q.where('description', 'is', null) : q.where('description', '=', line.description);
  await q.execute();
}

/** Buyers whose own area lies in these ITL codes, or whose combined authority is this one. */
export async function buyersInPlace(db: Db, codes: string[], combinedAuthority: string | null): Promise<SpendBuyerRow[]> {
  const all = await listBuyers(db);
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
  return all.filter((b) => {
    if (combinedAuthority && b.combined_authority && squash(b.combined_authority) === squash(combinedAuthority)) return true;
    const deepest = b.region_code ?? b.itl3 ?? b.itl1;
    return !!deepest && codes.some((c) => deepest.startsWith(c));
  });
}
