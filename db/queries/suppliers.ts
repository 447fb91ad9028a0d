import { withFeedback } from './feedback.js';
import type { Db } from '../client.js';
import { homeAreaOf } from '../../src/domain/geo/index.js';
import { chunks } from '../bulk.js';
import { engineOf, rowsPerInsert } from '../client.js';
import { forgetSupplierAlerts } from './alerts.js';
import { inStoreTransaction } from './releases.js';
import type { MembershipRow, MembershipStatus, NewSupplierRow, SupplierRow, SupplierUpdate } from '../schema.suppliers.js';
import type { SupplierKind, SupplierProfile } from '../../src/domain/matching/types.js';
import { normaliseCompanyNumber, toProfile, type GrowthPoint, type SupplierRecord } from '../../src/domain/suppliers/index.js';
import { readList } from '../json-columns.js';
import type { SearchableSupplier } from '../../src/domain/suppliers/search.js';

/** D1 allows 100 bound parameters: look ids up in chunks below that. */
const IDS_PER_QUERY = 90;

export function parseGrowth(text: string | null): GrowthPoint[] | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? (v as GrowthPoint[]) : null;
  } catch {
    return null;
  }
}

export function recordOf(row: SupplierRow, wins?: Map<string, string[][]>): SupplierRecord {
  return {
    pastWins: row.company_number && wins ? wins.get(row.company_number) ?? [] : [],
    id: row.id,
    name: row.name,
    kind: row.kind as SupplierKind,
    homeRegion: homeAreaOf(row.postcode, row.home_region),
    serves: readList(row.serves),
    national: row.national === 1,
    cpv: readList(row.cpv_codes),
    description: row.description,
    keywords: readList(row.keywords),
    excludeWords: readList(row.exclude_words),
    maxContractValue: row.max_contract_value,
    highPotentialDerived: row.high_potential_derived === 1,
    highPotentialOverride: row.high_potential_override === null ? null : row.high_potential_override === 1,
  };
}

/** What the officers' search (SupplierSearch) reads of a stored supplier. */
export function searchableOf(row: SupplierRow): SearchableSupplier {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    keywords: readList(row.keywords),
    certifications: readList(row.certifications),
    kind: row.kind,
    highPotential: (row.high_potential_override ?? row.high_potential_derived) === 1,
    cpv: readList(row.cpv_codes),
    // Where it is based (its postcode's ITL3 area where that lies in its region), where it serves, and the UK if national.
    areas: [...new Set([homeAreaOf(row.postcode, row.home_region), row.home_region, ...readList(row.serves), row.national === 1 ? 'TL' : null])].filter((a): a is string => !!a),
    maxContractValue: row.max_contract_value,
  };
}

export async function getSupplierRow(db: Db, id: string): Promise<SupplierRow | undefined> {
  return db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listSupplierRows(db: Db): Promise<SupplierRow[]> {
  return db.selectFrom('suppliers').selectAll().orderBy('id').execute();
}

/** Which of these ids are registered, with their kinds. */
export async function existingSuppliers(db: Db, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(ids)], IDS_PER_QUERY)) {
    const rows = await db.selectFrom('suppliers').select(['id', 'kind']).where('id', 'in', part).execute();
    for (const r of rows) out.set(r.id, r.kind);
  }
  return out;
}

/** A write that would give a Companies House number to a second supplier (migration 006's unique index). */
export class CompanyNumberTaken extends Error {
  constructor(readonly companyNumber: string) {
    super(`Companies House number ${companyNumber} is already registered to another supplier`);
    this.name = 'CompanyNumberTaken';
  }
}

/** The store refused a write for the unique index on suppliers.company_number (SQLite, D1 or PostgreSQL). */
function isCompanyNumberConflict(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (e.code === '23505') return e.constraint === 'suppliers_company_number';
  return typeof e.message === 'string' && /UNIQUE constraint failed: suppliers\.company_number/.test(e.message);
}

function asConflict(err: unknown, companyNumber: string | null | undefined): unknown {
  return companyNumber && isCompanyNumberConflict(err) ? new CompanyNumberTaken(companyNumber) : err;
}

/** The supplier other than `exceptId` that holds this Companies House number, if any. */
export async function companyNumberHolder(db: Db, companyNumber: string, exceptId: string | null): Promise<string | undefined> {
  let q = db.selectFrom('suppliers').select('id').where('company_number', '=', companyNumber);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst())?.id;
}

/** How many versions of changes the store keeps (migration 017): a holder further behind reloads whole. */
export const REGISTRY_CHANGES_KEPT = 2000;

/**
 * Moves the registry's version (migration 008) and notes which suppliers the move touched (migration 017):
 * called after every write to suppliers or members, inside the same transaction where there is one, so that a
 * reader who sees the new version sees the new rows and the change. `ids` are the suppliers written; the
 * cooperatives that count any of them as an accepted member are noted too (their profile combines the members').
 */
async function registryChanged(db: Db, ids: string[]): Promise<void> {
  const moved = await db
    .updateTable('registry_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .returning('version')
    .executeTakeFirst();
  const version = Number(moved?.version ?? 0);
  const touched = new Set(ids);
  for (const part of chunks([...new Set(ids)], IDS_PER_QUERY)) {
    const coops = await db.selectFrom('cooperative_members').select('cooperative_id').where('member_id', 'in', part).where('status', '=', 'accepted').execute();
    for (const c of coops) touched.add(c.cooperative_id);
  }
  const rows = [...touched].map((supplier_id) => ({ version, supplier_id }));
  for (const part of chunks(rows, rowsPerInsert(db, 2))) await db.insertInto('registry_changes').values(part).onConflict((oc) => oc.doNothing()).execute();
  // Bounded: one write in REGISTRY_CHANGES_KEPT / 10 trims what no holder needs any longer.
  if (version % Math.max(1, REGISTRY_CHANGES_KEPT / 10) === 0) await db.deleteFrom('registry_changes').where('version', '<=', version - REGISTRY_CHANGES_KEPT).execute();
}

/**
 * Notes that something a supplier's matcher profile is made from changed outside the suppliers table (its feedback
 * on notices): the holders of the registry then read that supplier again, as after a profile write.
 */
export async function supplierProfileChanged(db: Db, id: string): Promise<void> {
  await registryChanged(db, [id]);
}

/**
 * The suppliers touched by each version after `since` up to `upTo`, or null when the store no longer holds every
 * one of those versions (trimmed, or written before migration 017): the holder must then reload whole.
 */
export async function registryChangesSince(db: Db, since: number, upTo: number): Promise<string[] | null> {
  if (upTo <= since) return [];
  if (upTo - since > REGISTRY_CHANGES_KEPT) return null;
  const rows = await db.selectFrom('registry_changes').select(['version', 'supplier_id']).where('version', '>', since).where('version', '<=', upTo).execute();
  const versions = new Set(rows.map((r) => Number(r.version)));
  if (versions.size !== upTo - since) return null;
  return [...new Set(rows.map((r) => r.supplier_id))];
}

/** The registry's version: equal numbers mean no supplier or membership has been written in between. */
export async function registryVersion(db: Db): Promise<number> {
  const row = await db.selectFrom('registry_version').select('version').where('id', '=', 1).executeTakeFirst();
  return Number(row?.version ?? 0);
}

export async function insertSupplier(db: Db, row: NewSupplierRow): Promise<void> {
  try {
    await db.insertInto('suppliers').values(row).execute();
  } catch (err) {
    throw asConflict(err, row.company_number);
  }
  await registryChanged(db, [row.id]);
}

export async function updateSupplier(db: Db, id: string, patch: SupplierUpdate): Promise<void> {
  try {
    await db.updateTable('suppliers').set(patch).where('id', '=', id).execute();
  } catch (err) {
    throw asConflict(err, patch.company_number);
  }
  await registryChanged(db, [id]);
}

/**
 * Registers a supplier with its cooperative members, all or nothing: in one transaction on SQLite and
 * PostgreSQL; on D1 (no interactive transactions) a failure after the supplier row is written removes it again.
 */
export async function registerSupplier(db: Db, row: NewSupplierRow, memberIds: string[]): Promise<void> {
  if (engineOf(db) !== 'd1' || db.isTransaction) {
    await inStoreTransaction(db, async (store) => {
      await insertSupplier(store, row);
      if (memberIds.length) await setMembers(store, row.id, memberIds, row.created_at);
    });
    return;
  }
  await insertSupplier(db, row);
  try {
    if (memberIds.length) await setMembers(db, row.id, memberIds, row.created_at);
  } catch (err) {
    await deleteSupplier(db, row.id);
    throw err;
  }
}

/**
 * Saves a changed profile, all or nothing, once the caller has checked every field: in one transaction on
 * SQLite and PostgreSQL. On D1 the member list is written first and the supplier row last, in one
 * statement that takes the whole change: when anything fails the old member list is put back, so the old
 * profile stays as it was.
 */
export async function saveSupplierChanges(
  db: Db,
  id: string,
  patch: SupplierUpdate,
  members?: { before: MembershipRow[]; after: string[] },
  nowIso: string = patch.updated_at ?? '',
): Promise<void> {
  const write = async (store: Db) => {
    if (members) await setMembers(store, id, members.after, nowIso);
    await updateSupplier(store, id, patch);
    // A firm that becomes a cooperative is nobody's member: the invitations it had not accepted go (the
    // caller refuses the change while it is an accepted member). Last, so that on D1 a failure before it
    // leaves the old profile whole.
    if (patch.kind === 'cooperative') await store.deleteFrom('cooperative_members').where('member_id', '=', id).where('status', '!=', 'accepted').execute();
  };
  if (engineOf(db) !== 'd1' || db.isTransaction) {
    await inStoreTransaction(db, write);
    return;
  }
  try {
    await write(db);
  } catch (err) {
    if (members) await restoreMemberships(db, id, members.before);
    throw err;
  }
}

/** The firms whose membership of this cooperative counts: those that accepted. */
export async function membersOf(db: Db, cooperativeId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('cooperative_members')
    .select('member_id')
    .where('cooperative_id', '=', cooperativeId)
    .where('status', '=', 'accepted')
    .orderBy('member_id')
    .execute();
  return rows.map((r) => r.member_id);
}

/** The cooperatives this firm has accepted to be a member of. */
export async function cooperativesOf(db: Db, memberId: string): Promise<string[]> {
  const rows = await db.selectFrom('cooperative_members').select('cooperative_id').where('member_id', '=', memberId).where('status', '=', 'accepted').execute();
  return rows.map((r) => r.cooperative_id);
}

/** Every firm a cooperative names, whatever its answer. */
export async function membershipsOf(db: Db, cooperativeId: string): Promise<MembershipRow[]> {
  return db.selectFrom('cooperative_members').selectAll().where('cooperative_id', '=', cooperativeId).orderBy('member_id').execute();
}

/** Every cooperative that names this firm, with its name and the firm's answer. */
export async function invitationsOf(db: Db, memberId: string) {
  return db
    .selectFrom('cooperative_members as m')
    .innerJoin('suppliers as s', 's.id', 'm.cooperative_id')
    .select(['m.cooperative_id', 's.name as cooperative_name', 'm.status', 'm.invited_at', 'm.answered_at'])
    .where('m.member_id', '=', memberId)
    .orderBy('m.cooperative_id')
    .execute();
}

export async function getMembership(db: Db, cooperativeId: string, memberId: string): Promise<MembershipRow | undefined> {
  return db.selectFrom('cooperative_members').selectAll().where('cooperative_id', '=', cooperativeId).where('member_id', '=', memberId).executeTakeFirst();
}

/**
 * The firm's answer to a cooperative that names it: 'accepted' (it counts from now on) or 'declined' (it
 * leaves, or says no). Returns the membership as it now is, or undefined when the cooperative does not name it.
 */
export async function answerMembership(db: Db, cooperativeId: string, memberId: string, answer: Exclude<MembershipStatus, 'invited'>, nowIso: string) {
  const res = await db
    .updateTable('cooperative_members')
    .set({ status: answer, answered_at: nowIso })
    .where('cooperative_id', '=', cooperativeId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return undefined;
  await registryChanged(db, [cooperativeId]);
  return getMembership(db, cooperativeId, memberId);
}

/**
 * Makes the firms a cooperative names exactly `memberIds`: the new ones are added as invited (their answer
 * is theirs to give), the ones already named keep their answer, the rest are removed. New ones first.
 */
export async function setMembers(db: Db, cooperativeId: string, memberIds: string[], nowIso: string): Promise<void> {
  const rows = memberIds.map((member_id) => ({ cooperative_id: cooperativeId, member_id, status: 'invited', invited_at: nowIso, answered_at: null, invitation_mailed_at: null }));
  for (const part of chunks(rows, rowsPerInsert(db, 6))) {
    await db.insertInto('cooperative_members').values(part).onConflict((oc) => oc.doNothing()).execute();
  }
  let q = db.deleteFrom('cooperative_members').where('cooperative_id', '=', cooperativeId);
  if (memberIds.length) q = q.where('member_id', 'not in', memberIds);
  await q.execute();
  await registryChanged(db, [cooperativeId]);
}

/** Puts a cooperative's memberships back as they were (D1, after a failed change), answers included. */
async function restoreMemberships(db: Db, cooperativeId: string, rows: MembershipRow[]): Promise<void> {
  for (const part of chunks(rows, rowsPerInsert(db, 6))) {
    await db
      .insertInto('cooperative_members')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['cooperative_id', 'member_id']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          invited_at: eb.ref('excluded.invited_at'),
          answered_at: eb.ref('excluded.answered_at'),
          invitation_mailed_at: eb.ref('excluded.invitation_mailed_at'),
        })),
      )
      .execute();
  }
  let q = db.deleteFrom('cooperative_members').where('cooperative_id', '=', cooperativeId);
  if (rows.length) q = q.where('member_id', 'not in', rows.map((r) => r.member_id));
  await q.execute();
  await registryChanged(db, [cooperativeId]);
}

/**
 * Removes a supplier and everything kept about it: its alert preferences, its messages (sent or not, they
 * hold its address), what it was told, its stored matches and its memberships either way. Returns whether
 * the supplier row was there. In one transaction where the engine has them; on D1 in an order that is safe
 * to stop anywhere: the address goes first, so no digest is queued for it and the delivery drops what is
 * pending; the supplier row goes last, so a retry with the supplier's key finishes the job. Running it
 * again changes nothing.
 */
export async function deleteSupplier(db: Db, id: string): Promise<boolean> {
  return inStoreTransaction(db, async (store) => {
    // The cooperatives it counted for, named before its memberships go: their profiles change with it.
    const coops = await cooperativesOf(store, id);
    await store.updateTable('suppliers').set({ contact_email: null }).where('id', '=', id).execute();
    await forgetSupplierAlerts(store, id);
    await store.deleteFrom('matches').where('supplier_id', '=', id).execute();
    await store.deleteFrom('match_feedback').where('supplier_id', '=', id).execute();
    await store.deleteFrom('cooperative_members').where('cooperative_id', '=', id).execute();
    await store.deleteFrom('cooperative_members').where('member_id', '=', id).execute();
    const res = await store.deleteFrom('suppliers').where('id', '=', id).executeTakeFirst();
    await registryChanged(store, [id, ...coops]);
    return Number(res.numDeletedRows ?? 0) > 0;
  });
}

/**
 * Public contracts each company has won, from the stored award notices (Companies House number as the
 * supplier identifier): the CPV codes of each tender won, by normalised company number.
 */
export async function pastWinsByCompany(db: Db): Promise<Map<string, string[][]>> {
  const rows = await db
    .selectFrom('award_suppliers as a')
    .innerJoin('tenders as t', 't.ocid', 'a.ocid')
    .select(['a.identifier', 'a.ocid', 't.cpv_codes'])
    .where('a.identifier_scheme', '=', 'GB-COH')
    .execute();
  const seen = new Set<string>();
  const out = new Map<string, string[][]>();
  for (const r of rows) {
    const number = r.identifier ? normaliseCompanyNumber(r.identifier) : null;
    if (!number || seen.has(`${number}|${r.ocid}`)) continue;
    seen.add(`${number}|${r.ocid}`);
    const list = out.get(number) ?? [];
    list.push(readList(r.cpv_codes));
    out.set(number, list);
  }
  return out;
}

/** Every registered supplier as the matcher sees it (cooperatives combined with their members, track records linked). */
export async function loadProfiles(db: Db): Promise<SupplierProfile[]> {
  return (await loadRegistry(db)).profiles;
}

/** Every supplier row, and the profiles made from them. */
export async function loadRegistry(db: Db): Promise<{ rows: SupplierRow[]; profiles: SupplierProfile[]; wins: Map<string, string[][]> }> {
  const rows = await listSupplierRows(db);
  const memberships = await db.selectFrom('cooperative_members').select(['cooperative_id', 'member_id']).where('status', '=', 'accepted').execute();
  const wins = await pastWinsByCompany(db);
  return { rows, profiles: await withFeedback(db, profilesFrom(rows, memberships, wins)), wins };
}

export function profilesFrom(
  rows: SupplierRow[],
  memberships: Array<{ cooperative_id: string; member_id: string }>,
  wins: Map<string, string[][]> = new Map(),
): SupplierProfile[] {
  const records = new Map(rows.map((r) => [r.id, recordOf(r, wins)]));
  const members = new Map<string, SupplierRecord[]>();
  for (const m of memberships) {
    const rec = records.get(m.member_id);
    if (!rec) continue;
    const list = members.get(m.cooperative_id) ?? [];
    list.push(rec);
    members.set(m.cooperative_id, list);
  }
  return [...records.values()].map((r) => toProfile(r, members.get(r.id) ?? []));
}

/**
 * The matcher profiles of these suppliers (those still registered), each cooperative combined with its members,
 * read without loading the rest of the registry.
 */
export async function loadProfilesOf(db: Db, ids: string[]): Promise<SupplierProfile[]> {
  return (await loadRegistryOf(db, ids)).profiles;
}

/**
 * The rows and profiles of these suppliers (those still registered), as loadRegistry would make them, reading only
 * them and their cooperatives' members; track records from `wins` when given (what a holder loaded), else the store.
 */
export async function loadRegistryOf(db: Db, ids: string[], wins?: Map<string, string[][]>): Promise<{ rows: SupplierRow[]; profiles: SupplierProfile[] }> {
  const rows: SupplierRow[] = [];
  for (const part of chunks([...new Set(ids)], IDS_PER_QUERY)) rows.push(...(await db.selectFrom('suppliers').selectAll().where('id', 'in', part).execute()));
  if (!rows.length) return { rows, profiles: [] };
  const coops = rows.filter((r) => r.kind === 'cooperative').map((r) => r.id);
  const memberships: Array<{ cooperative_id: string; member_id: string }> = [];
  for (const part of chunks(coops, IDS_PER_QUERY)) {
    // Only firms that accepted count as members (an invitation is not consent).
    memberships.push(...(await db.selectFrom('cooperative_members').select(['cooperative_id', 'member_id']).where('cooperative_id', 'in', part).where('status', '=', 'accepted').execute()));
  }
  const have = new Set(rows.map((r) => r.id));
  const memberRows: SupplierRow[] = [];
  for (const part of chunks([...new Set(memberships.map((m) => m.member_id))].filter((id) => !have.has(id)), IDS_PER_QUERY)) {
    memberRows.push(...(await db.selectFrom('suppliers').selectAll().where('id', 'in', part).execute()));
  }
  const wanted = new Set(ids);
  const all = profilesFrom([...rows, ...memberRows], memberships, wins ?? (await pastWinsByCompany(db)));
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { rows, profiles: await withFeedback(db, all.filter((p) => wanted.has(p.id)), true) };
}
