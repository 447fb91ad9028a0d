/**
 * Who was paid: the payees of each buyer with their resolution, the candidates they are resolved against (the
 * registry, award suppliers, the council's directory), analysts' corrections, and the registered local
 * suppliers that leakage names as alternatives.
 */
import type { Db } from '../client.js';
import { rowsPerInsert } from '../client.js';
import { chunks } from '../bulk.js';
import type { SpendCorrectionRow, SpendPayeeRow } from '../schema.spend.js';
import { readList as parseList } from '../json-columns.js';
import { cpvDivision, normaliseCpv } from '../../src/domain/cpv/index.js';
import { normaliseCompanyNumber } from '../../src/domain/suppliers/index.js';
import { normalisePostcode } from '../../src/domain/geo/index.js';
import type { CheckedCorrection } from '../../src/domain/spend/corrections.js';
import type { DirectoryEntry } from '../../src/domain/spend/directory.js';
import { correctedFacts, supplierPlaceOf, type Correction } from '../../src/domain/spend/facts.js';
import { normaliseName, payeeKind, type PayeeKind } from '../../src/domain/spend/payees.js';
import type { SupplierCandidate, SupplierSource } from '../../src/domain/spend/resolve.js';
import { payeeClassOf, payeeRef, type LocalSupplier, type PayeeFacts } from '../../src/domain/spend/report.js';
import { movePayeeClass } from './spend.js';

const IN_LIST = 90;
const SME_KINDS = new Set(['micro', 'small', 'medium', 'cooperative']);

const flag = (v: number | null): boolean | null => (v === null || v === undefined ? null : v === 1);
const bit = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

export function factsOfRow(r: SpendPayeeRow): PayeeFacts {
  const placed = r.lad || r.itl3 || r.itl1 || r.uk !== null;
  return {
    payeeKey: r.payee_key,
    name: r.name,
    kind: r.kind as PayeeKind,
    source: r.source,
    supplierRef: r.supplier_ref,
    supplierName: r.supplier_name,
    method: r.method,
    confidence: Number(r.confidence),
    postcode: r.postcode,
    place: placed ? { lad: r.lad, itl3: r.itl3, itl1: r.itl1, combinedAuthority: r.combined_authority, uk: flag(r.uk) } : null,
    sme: flag(r.sme),
    vcse: flag(r.vcse),
  };
}

export function rowOfFacts(buyerId: string, f: PayeeFacts, now: string): SpendPayeeRow {
  return {
    buyer_id: buyerId,
    payee_key: f.payeeKey,
    name: f.name,
    kind: f.kind,
    source: f.source,
    supplier_ref: f.supplierRef,
    supplier_name: f.supplierName,
    company_number: null,
    postcode: f.postcode,
    lad: f.place?.lad ?? null,
    itl3: f.place?.itl3 ?? null,
    itl1: f.place?.itl1 ?? null,
    combined_authority: f.place?.combinedAuthority ?? null,
    uk: f.place ? bit(f.place.uk) : null,
    sme: bit(f.sme),
    vcse: bit(f.vcse),
    method: f.method,
    confidence: f.confidence,
    payee_class: payeeClassOf(f),
    resolved_at: now,
  };
}

export async function listPayeeRows(db: Db, buyerId: string, payeeKeys?: string[]): Promise<SpendPayeeRow[]> {
  if (!payeeKeys) return db.selectFrom('spend_payees').selectAll().where('buyer_id', '=', buyerId).orderBy('payee_key').execute();
  const out: SpendPayeeRow[] = [];
  for (const part of chunks(payeeKeys, IN_LIST)) {
    out.push(...(await db.selectFrom('spend_payees').selectAll().where('buyer_id', '=', buyerId).where('payee_key', 'in', part).execute()));
  }
  return out;
}

/** Facts of every payee of these buyers, keyed by payeeRef(buyer, payee). */
export async function loadPayeeFacts(db: Db, buyerIds: string[], options: { resolvedOnly?: boolean } = {}): Promise<Map<string, PayeeFacts>> {
  const out = new Map<string, PayeeFacts>();
  for (const part of chunks(buyerIds, IN_LIST)) {
    // The columns the facts need (a regional report reads a hundred thousand of these).
    let q = db
      .selectFrom('spend_payees')
      .select(['buyer_id', 'payee_key', 'name', 'kind', 'source', 'supplier_ref', 'supplier_name', 'method', 'confidence', 'postcode', 'lad', 'itl3', 'itl1', 'combined_authority', 'uk', 'sme', 'vcse'])
      .where('buyer_id', 'in', part);
    if (options.resolvedOnly) q = q.where('source', 'is not', null);
    const rows = await q.execute();
    for (const r of rows) out.set(payeeRef(r.buyer_id, r.payee_key), factsOfRow(r as SpendPayeeRow));
  }
  return out;
}

/** Full facts of some payees, keyed by payeeRef: the few a report lists. */
export async function payeeFactsOf(db: Db, keys: Array<{ buyerId: string; payeeKey: string }>): Promise<Map<string, PayeeFacts>> {
  const out = new Map<string, PayeeFacts>();
  const byBuyer = new Map<string, string[]>();
  for (const k of keys) byBuyer.set(k.buyerId, [...(byBuyer.get(k.buyerId) ?? []), k.payeeKey]);
  for (const [buyerId, payeeKeys] of byBuyer) for (const r of await listPayeeRows(db, buyerId, [...new Set(payeeKeys)])) out.set(payeeRef(r.buyer_id, r.payee_key), factsOfRow(r));
  return out;
}

/** Writes payees' facts, replacing what was there. */
export async function putPayeeFacts(db: Db, buyerId: string, facts: PayeeFacts[], now: string): Promise<void> {
  const rows = facts.map((f) => rowOfFacts(buyerId, f, now));
  for (const part of chunks(rows, rowsPerInsert(db, 20))) {
    await db
      .insertInto('spend_payees')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['buyer_id', 'payee_key']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          kind: eb.ref('excluded.kind'),
          source: eb.ref('excluded.source'),
          supplier_ref: eb.ref('excluded.supplier_ref'),
          supplier_name: eb.ref('excluded.supplier_name'),
          postcode: eb.ref('excluded.postcode'),
          lad: eb.ref('excluded.lad'),
          itl3: eb.ref('excluded.itl3'),
          itl1: eb.ref('excluded.itl1'),
          combined_authority: eb.ref('excluded.combined_authority'),
          uk: eb.ref('excluded.uk'),
          sme: eb.ref('excluded.sme'),
          vcse: eb.ref('excluded.vcse'),
          method: eb.ref('excluded.method'),
          confidence: eb.ref('excluded.confidence'),
          payee_class: eb.ref('excluded.payee_class'),
          resolved_at: eb.ref('excluded.resolved_at'),
        })),
      )
      .execute();
  }
}

/**
 * Every supplier a payee can be resolved to: registered suppliers, award suppliers (one per Companies House
 * number or, without one, per name; the first postcode and a stated size kept), and this buyer's directory.
 */
export async function loadSupplierCandidates(db: Db, buyerId: string): Promise<SupplierCandidate[]> {
  const out: SupplierCandidate[] = [];
  const registry = await db.selectFrom('suppliers').select(['id', 'name', 'kind', 'company_number', 'postcode', 'home_region']).orderBy('id').execute();
  for (const r of registry) {
    out.push({
      source: 'registry',
      ref: r.id,
      name: r.name,
      companyNumber: r.company_number,
      postcode: r.postcode,
      homeRegion: r.home_region,
      sme: SME_KINDS.has(r.kind) ? true : null,
      vcse: r.kind === 'vcse' || payeeKind(r.name) === 'vcse',
    });
  }
  const awardRows = await db
    .selectFrom('award_suppliers')
    .select(['ocid', 'award_id', 'party_id', 'name', 'identifier_scheme', 'identifier', 'postcode', 'scale'])
    .where('name', 'is not', null)
    .orderBy('ocid')
    .orderBy('award_id')
    .orderBy('party_id')
    .execute();
  const awards = new Map<string, SupplierCandidate>();
  for (const r of awardRows) {
    const companyNumber = r.identifier && /COH|companies/i.test(r.identifier_scheme ?? '') ? normaliseCompanyNumber(r.identifier) : null;
    const key = companyNumber ? `c:${companyNumber}` : `n:${normaliseName(r.name!)}`;
    const scale = (r.scale ?? '').toLowerCase();
    const sme = scale === 'sme' ? true : scale === 'large' ? false : null;
    const postcode = r.postcode ? normalisePostcode(r.postcode) : null;
    const known = awards.get(key);
    if (!known) {
      awards.set(key, { source: 'award', ref: `${r.ocid}/${r.award_id}/${r.party_id}`, name: r.name!, companyNumber, postcode, homeRegion: null, sme, vcse: payeeKind(r.name!) === 'vcse' });
    } else {
      known.postcode ??= postcode;
      known.sme ??= sme;
    }
  }
  out.push(...awards.values());
  const directory = await db.selectFrom('spend_directory').selectAll().where('buyer_id', '=', buyerId).orderBy('entry_key').execute();
  for (const d of directory) {
    out.push({ source: 'directory', ref: d.entry_key, name: d.name, companyNumber: d.company_number, postcode: d.postcode, homeRegion: null, sme: flag(d.sme), vcse: flag(d.vcse) });
  }
  return out;
}

/** One candidate by its source and reference, for an analyst's correction. */
export async function findCandidate(db: Db, buyerId: string, source: SupplierSource, ref: string): Promise<SupplierCandidate | null> {
  const all = await loadSupplierCandidates(db, buyerId);
  return all.find((c) => c.source === source && c.ref === ref) ?? null;
}

export async function putDirectory(db: Db, buyerId: string, entries: DirectoryEntry[], now: string): Promise<void> {
  const rows = entries.map((e) => ({
    buyer_id: buyerId,
    entry_key: e.entryKey,
    name: e.name,
    vendor_id: e.vendorId,
    company_number: e.companyNumber,
    postcode: e.postcode,
    sme: bit(e.sme),
    vcse: bit(e.vcse),
    imported_at: now,
  }));
  for (const part of chunks(rows, rowsPerInsert(db, 9))) {
    await db
      .insertInto('spend_directory')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['buyer_id', 'entry_key']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          vendor_id: eb.ref('excluded.vendor_id'),
          company_number: eb.ref('excluded.company_number'),
          postcode: eb.ref('excluded.postcode'),
          sme: eb.ref('excluded.sme'),
          vcse: eb.ref('excluded.vcse'),
          imported_at: eb.ref('excluded.imported_at'),
        })),
      )
      .execute();
  }
}

export async function listCorrections(db: Db, buyerId: string): Promise<SpendCorrectionRow[]> {
  return db.selectFrom('spend_corrections').selectAll().where('buyer_id', '=', buyerId).execute();
}

export async function putCorrection(db: Db, row: SpendCorrectionRow): Promise<void> {
  const { buyer_id: _b, payee_key: _p, ...rest } = row;
  await db.insertInto('spend_corrections').values(row).onConflict((oc) => oc.columns(['buyer_id', 'payee_key']).doUpdateSet(rest)).execute();
}

/** A stored correction with the supplier it names looked up in its source. */
export async function correctionOf(db: Db, row: SpendCorrectionRow, candidates?: SupplierCandidate[]): Promise<Correction> {
  let candidate: SupplierCandidate | null = null;
  if (row.action === 'correct' && row.source && row.supplier_ref && row.source !== 'analyst') {
    candidate = candidates
      ? candidates.find((c) => c.source === row.source && c.ref === row.supplier_ref) ?? null
      : await findCandidate(db, row.buyer_id, row.source as SupplierSource, row.supplier_ref);
  }
  return {
    action: row.action as Correction['action'],
    candidate,
    supplierName: row.supplier_name,
    postcode: row.postcode,
    sme: flag(row.sme),
    vcse: flag(row.vcse),
  };
}

/** Applies one correction to its payee now (the resolution job applies them all the same way). */
export async function applyCorrection(db: Db, row: SpendCorrectionRow, now: string): Promise<PayeeFacts | null> {
  const [payee] = await listPayeeRows(db, row.buyer_id, [row.payee_key]);
  if (!payee) return null;
  const current = factsOfRow(payee);
  const facts = correctedFacts({ payeeKey: payee.payee_key, name: payee.name, kind: payee.kind as PayeeKind }, await correctionOf(db, row), current);
  await putPayeeFacts(db, row.buyer_id, [facts], now);
  await movePayeeClass(db, row.buyer_id, row.payee_key, payeeClassOf(current), payeeClassOf(facts));
  return facts;
}

/**
 * Registered suppliers and cooperatives with their places and the CPV divisions they can deliver (a
 * cooperative's are its own and its members'), for leakage's local alternatives.
 */
export async function loadLocalSuppliers(db: Db): Promise<LocalSupplier[]> {
  const rows = await db.selectFrom('suppliers').select(['id', 'name', 'kind', 'postcode', 'home_region', 'cpv_codes']).orderBy('id').execute();
  const members = await db.selectFrom('cooperative_members').selectAll().execute();
  const divisionsOf = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = new Set<string>();
    for (const code of parseList(r.cpv_codes)) {
      const c = normaliseCpv(code);
      if (c) set.add(cpvDivision(c));
    }
    divisionsOf.set(r.id, set);
  }
  for (const m of members) {
    const own = divisionsOf.get(m.cooperative_id);
    for (const d of divisionsOf.get(m.member_id) ?? []) own?.add(d);
  }
  return rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, place: supplierPlaceOf(r.postcode, r.home_region), divisions: [...divisionsOf.get(r.id)!].sort() }));
}

/** Payees of a buyer with their influenceable amounts (from the rollups), largest first: the analyst's work list. */
export async function payeesWithAmounts(db: Db, buyerId: string, options: { unresolvedOnly?: boolean; limit?: number; offset?: number } = {}) {
  const sums = await db
    .selectFrom('spend_rollup')
    .select(['payee_key'])
    .select((eb) => [eb.fn.sum<number>('amount_pence').as('pence'), eb.fn.sum<number>('payments').as('payments')])
    .where('buyer_id', '=', buyerId)
    .groupBy('payee_key')
    .execute();
  const amount = new Map(sums.map((s) => [s.payee_key, { pence: Number(s.pence), payments: Number(s.payments) }]));
  const rows = await listPayeeRows(db, buyerId);
  const corrections = new Map((await listCorrections(db, buyerId)).map((c) => [c.payee_key, c]));
  const list = rows
    .filter((r) => !options.unresolvedOnly || !r.source)
    .map((r) => ({ row: r, ...(amount.get(r.payee_key) ?? { pence: 0, payments: 0 }), correction: corrections.get(r.payee_key) ?? null }))
    .sort((a, b) => b.pence - a.pence || (a.row.payee_key < b.row.payee_key ? -1 : 1));
  const offset = options.offset ?? 0;
  return { total: list.length, payees: list.slice(offset, offset + (options.limit ?? 100)) };
}

export type SaveCorrectionResult =
  | { ok: true; facts: PayeeFacts }
  | { ok: false; problem: 'unknown_payee' | 'unknown_supplier'; message: string };

/** Stores an analyst's correction and applies it to the payee at once; it is applied again by every resolution. */
export async function saveCorrection(db: Db, buyerId: string, payeeKey: string, c: CheckedCorrection, now: string): Promise<SaveCorrectionResult> {
  const [payee] = await listPayeeRows(db, buyerId, [payeeKey]);
  if (!payee) return { ok: false, problem: 'unknown_payee', message: `no payee "${payeeKey}" in the spend of this buyer` };
  if (c.action === 'correct' && c.source && c.supplierRef && !(await findCandidate(db, buyerId, c.source as SupplierSource, c.supplierRef))) {
    return { ok: false, problem: 'unknown_supplier', message: `no ${c.source} supplier "${c.supplierRef}"` };
  }
  const row: SpendCorrectionRow = {
    buyer_id: buyerId,
    payee_key: payeeKey,
    action: c.action,
    source: c.source,
    supplier_ref: c.supplierRef,
    supplier_name: c.supplierName,
    postcode: c.postcode,
    sme: bit(c.sme),
    vcse: bit(c.vcse),
    note: c.note,
    corrected_at: now,
  };
  await putCorrection(db, row);
  return { ok: true, facts: (await applyCorrection(db, row, now))! };
}
