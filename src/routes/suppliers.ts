import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { cpvLabel, cpvSignificant, normaliseCpv } from '../domain/cpv/index.js';
import { itlName } from '../domain/geo/index.js';
import { SUPPLIER_KINDS } from '../domain/matching/types.js';
import { deriveHighPotential, validateSupplier, type FieldProblem, type SupplierInput } from '../domain/suppliers/index.js';
import { SupplierSearch } from '../domain/suppliers/search.js';
import type { MembershipRow, NewSupplierRow, SupplierRow, SupplierUpdate } from '../../db/schema.suppliers.js';
import {
  companyNumberHolder,
  CompanyNumberTaken,
  cooperativesOf,
  deleteSupplier,
  existingSuppliers,
  getSupplierRow,
  membersOf,
  membershipsOf,
  parseGrowth,
  registerSupplier,
  saveSupplierChanges,
} from '../../db/queries/suppliers.js';
import { readList } from '../../db/json-columns.js';
import { matchesForSupplier } from '../../db/queries/matches.js';
import { areaFor } from '../../db/queries/places.js';
import { allCpvCodes } from '../domain/cpv/index.js';
import { isNowhere, placeMatch, type PlaceMatch } from '../domain/geo/index.js';
import { cpvPrefixOf } from './tenders.js';
import { servesWithNamedPlaces, supplierPlaces, withMatch } from './supplier-places.js';
import { matchSupplier } from '../../jobs/match.js';
import { bearerToken, hashKey, isAdmin, newSupplierKey, requireSupplierOrAdmin } from './auth.js';
import { suggestedCpvFor } from './classify.js';

export const supplierRoutes = new Hono<AppEnv>();

function invalid(problems: FieldProblem[], body?: unknown): AppError {
  const fields = [...new Set(problems.map((p) => p.field))];
  // Without CPV codes, codes read from the firm's own description and keywords are offered (not stored).
  const suggested = body !== undefined && fields.includes('cpv_codes') ? suggestedCpvFor(body) : [];
  const details = { fields: problems, names: fields, ...(suggested.length ? { suggested_cpv: suggested } : {}) };
  return new AppError(422, 'invalid_supplier', `please fix: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, details);
}

/** 409: the Companies House number belongs to another registered supplier (whose id is not said). */
function companyNumberTaken(companyNumber: string): AppError {
  const problem: FieldProblem = {
    field: 'company_number',
    message: `${companyNumber} is already registered to another supplier; if it is yours, ask an administrator`,
  };
  return new AppError(409, 'conflict', `company_number ${problem.message}`, { fields: [problem], names: ['company_number'] });
}

async function checkCompanyNumber(deps: Deps, companyNumber: string | null | undefined, selfId: string | null): Promise<void> {
  if (companyNumber && (await companyNumberHolder(deps.db, companyNumber, selfId))) throw companyNumberTaken(companyNumber);
}

/** Writes that lost a race for a Companies House number to another request get the same 409. */
async function orConflict<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof CompanyNumberTaken) throw companyNumberTaken(err.companyNumber);
    throw err;
  }
}

/** A paging parameter: a whole number in [min, max], or the default when absent. */
function pagingNumber(q: Record<string, string>, name: string, fallback: number, min: number, max: number, problems: FieldProblem[]): number {
  const raw = q[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push({ field: name, message: max === Number.MAX_SAFE_INTEGER ? `must be a whole number, ${min} or more` : `must be a whole number from ${min} to ${max}` });
  }
  return n;
}

/** Lower case letters and digits only: "ISO 9001:2015" and "iso9001" compare as the same certification. */
function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function badQuery(problems: FieldProblem[]): AppError {
  return new AppError(400, 'bad_query', problems.map((p) => `${p.field} ${p.message}`).join('; '), { fields: problems });
}


/**
 * The public view of a supplier; `private` adds contact email (and whether its owner has confirmed it), growth
 * figures and the growth behind the high-potential flag. `members` are the firms that accepted; a cooperative's
 * private view also names the firms it asked that have not (`listed`: every firm it names).
 */
function view(row: SupplierRow, members: string[], isPrivate: boolean, year: number, listed: MembershipRow[] = []) {
  const named = (status: string) => listed.filter((m) => m.status === status).map((m) => m.member_id);
  const growth = parseGrowth(row.growth);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    company_number: row.company_number,
    postcode: row.postcode,
    home_region: row.home_region,
    home_region_name: row.home_region ? itlName(row.home_region) : null,
    serves: readList(row.serves),
    national: row.national === 1,
    cpv_codes: readList(row.cpv_codes).map((code) => ({ code, label: cpvLabel(code) })),
    description: row.description,
    keywords: readList(row.keywords),
    max_contract_value: row.max_contract_value,
    turnover_band: row.turnover_band,
    staff_band: row.staff_band,
    certifications: readList(row.certifications),
    high_potential: row.high_potential_override === null ? row.high_potential_derived === 1 : row.high_potential_override === 1,
    high_potential_derived: row.high_potential_derived === 1,
    high_potential_override: row.high_potential_override === null ? null : row.high_potential_override === 1,
    members: row.kind === 'cooperative' ? members : undefined,
    created_at: row.created_at,
    updated_at: row.updated_at,
    // The reason quotes growth rates, which are as private as the figures they come from.
    ...(isPrivate ? { contact_email: row.contact_email, contact_email_verified: row.contact_email_verified_at !== null, growth, high_potential_reason: deriveHighPotential(growth, year).reason } : {}),
    ...(isPrivate && row.kind === 'cooperative' ? { invited_members: named('invited'), declined_members: named('declined') } : {}),
  };
}

async function readBody(c: Context<AppEnv>): Promise<unknown> {
  return c.req.json();
}

async function checkMembers(deps: Deps, memberIds: string[], selfId: string | null): Promise<FieldProblem[]> {
  const found = await existingSuppliers(deps.db, memberIds);
  const problems: FieldProblem[] = [];
  memberIds.forEach((id, i) => {
    const kind = found.get(id);
    if (id === selfId) problems.push({ field: `members[${i}]`, message: 'a cooperative cannot be its own member' });
    else if (!kind) problems.push({ field: `members[${i}]`, message: `"${id}" is not a registered supplier` });
    else if (kind === 'cooperative') problems.push({ field: `members[${i}]`, message: `"${id}" is a cooperative; members are firms` });
  });
  return problems;
}

export async function rematch(deps: Deps, supplierId: string) {
  try {
    return await matchSupplier(deps, supplierId);
  } catch (err) {
    // The profile is saved; matching runs again after the next ingest.
    deps.log.error('matching a supplier failed', { supplierId, error: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

function rowFields(v: Partial<SupplierInput>, year: number): SupplierUpdate {
  const out: SupplierUpdate = {};
  if (v.name !== undefined) out.name = v.name;
  if (v.kind !== undefined) out.kind = v.kind;
  if (v.companyNumber !== undefined) out.company_number = v.companyNumber;
  if (v.postcode !== undefined) out.postcode = v.postcode;
  if (v.homeRegion !== undefined) out.home_region = v.homeRegion;
  if (v.serves !== undefined) out.serves = JSON.stringify(v.serves);
  if (v.national !== undefined) out.national = v.national ? 1 : 0;
  if (v.cpv !== undefined) out.cpv_codes = JSON.stringify(v.cpv);
  if (v.description !== undefined) out.description = v.description;
  if (v.keywords !== undefined) out.keywords = JSON.stringify(v.keywords);
  if (v.maxContractValue !== undefined) out.max_contract_value = v.maxContractValue;
  if (v.turnoverBand !== undefined) out.turnover_band = v.turnoverBand;
  if (v.staffBand !== undefined) out.staff_band = v.staffBand;
  if (v.certifications !== undefined) out.certifications = JSON.stringify(v.certifications);
  if (v.contactEmail !== undefined) out.contact_email = v.contactEmail;
  if (v.growth !== undefined) {
    out.growth = v.growth ? JSON.stringify(v.growth) : null;
    out.high_potential_derived = deriveHighPotential(v.growth, year).highPotential ? 1 : 0;
  }
  if (v.highPotentialOverride !== undefined) out.high_potential_override = v.highPotentialOverride === null ? null : v.highPotentialOverride ? 1 : 0;
  return out;
}

supplierRoutes.post('/', async (c) => {
  const deps = c.get('deps');
  const body = await servesWithNamedPlaces(deps.db, await readBody(c));
  const checked = validateSupplier(body);
  if (!checked.ok) throw invalid(checked.problems, body);
  const v = checked.value;
  if (v.highPotentialOverride !== undefined && !isAdmin(c)) {
    throw new AppError(403, 'forbidden', 'only an administrator can set high_potential_override');
  }
  const memberIds = v.members ?? [];
  const memberProblems = await checkMembers(deps, memberIds, null);
  if (memberProblems.length) throw invalid(memberProblems);
  await checkCompanyNumber(deps, v.companyNumber, null);

  const id = `sup_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
  const key = newSupplierKey();
  const now = deps.clock.now().toISOString();
  const row: NewSupplierRow = {
    id,
    name: v.name!,
    kind: v.kind!,
    company_number: v.companyNumber ?? null,
    postcode: v.postcode ?? null,
    home_region: v.homeRegion ?? null,
    serves: JSON.stringify(v.serves ?? []),
    national: v.national ? 1 : 0,
    cpv_codes: JSON.stringify(v.cpv ?? []),
    description: v.description ?? null,
    keywords: JSON.stringify(v.keywords ?? []),
    max_contract_value: v.maxContractValue ?? null,
    turnover_band: v.turnoverBand ?? null,
    staff_band: v.staffBand ?? null,
    certifications: JSON.stringify(v.certifications ?? []),
    contact_email: v.contactEmail ?? null,
    key_hash: hashKey(key),
    growth: v.growth ? JSON.stringify(v.growth) : null,
    high_potential_derived: deriveHighPotential(v.growth ?? null, deps.clock.now().getUTCFullYear()).highPotential ? 1 : 0,
    high_potential_override: v.highPotentialOverride === undefined || v.highPotentialOverride === null ? null : v.highPotentialOverride ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
  await orConflict(registerSupplier(deps.db, row, memberIds));
  const matched = await rematch(deps, id);
  const saved = (await getSupplierRow(deps.db, id))!;
  return c.json(
    {
      supplier: view(saved, [], true, deps.clock.now().getUTCFullYear(), await membershipsOf(deps.db, id)),
      key,
      key_note: 'Keep this key: it is shown only now. Send it as "Authorization: Bearer <key>" to change or delete this profile.',
      ...(saved.contact_email ? { contact_email_note: `We will email ${saved.contact_email} a link to confirm it; alerts go to it only once the link is clicked.` } : {}),
      ...(memberIds.length ? { members_note: 'The firms you named are invited: each counts as a member once it accepts, with its own key or from the link we email it.' } : {}),
      matches: matched?.written ?? 0,
    },
    201,
  );
});

supplierRoutes.get('/', async (c) => {
  const deps = c.get('deps');
  const q = c.req.query();
  const problems: FieldProblem[] = [];
  let cpvSig: string[] = [];
  if (q.cpv) {
    for (const raw of q.cpv.split(',')) {
      // A whole code, or its first digits as for tenders (`77`, `7731`): any CPV code that begins so.
      const code = normaliseCpv(raw.trim());
      const prefix = !code && /^\d{2,8}(-\d)?$/.test(raw.trim()) ? cpvPrefixOf(raw.trim()) : null;
      if (code) cpvSig.push(cpvSignificant(code));
      else if (prefix && allCpvCodes().some((c) => c.startsWith(prefix))) cpvSig.push(prefix);
      else problems.push({ field: 'cpv', message: `"${raw}" is not a CPV 2008 code or the first digits of one` });
    }
  }
  const area = q.region ? await areaFor(deps.db, q.region) : null;
  if (q.region && (!area || isNowhere(area))) {
    problems.push({ field: 'region', message: `"${q.region}" is not a region code, local authority, combined authority, region name or named place` });
  }
  if (q.region_match !== undefined && (!['inside', 'any'].includes(q.region_match) || !q.region)) {
    problems.push({ field: 'region_match', message: 'must be inside or any, with a region' });
  }
  const placeOf = new Map<string, PlaceMatch>();
  if (q.kind && !(SUPPLIER_KINDS as readonly string[]).includes(q.kind)) {
    problems.push({ field: 'kind', message: `must be one of ${SUPPLIER_KINDS.join(', ')}` });
  }
  if (q.high_potential && !['true', 'false'].includes(q.high_potential)) problems.push({ field: 'high_potential', message: 'must be true or false' });
  const text = q.q?.trim() ?? '';
  if (q.q !== undefined && (text.length > 200 || !SupplierSearch.queryWords(text).length)) {
    problems.push({ field: 'q', message: 'must hold a word to search for (up to 200 characters; words such as "services" or "the" are not searched)' });
  }
  const minValue = q.min_value === undefined ? null : Number(q.min_value);
  if (minValue !== null && (!Number.isFinite(minValue) || minValue < 0 || q.min_value.trim() === '')) {
    problems.push({ field: 'min_value', message: 'must be an amount in pounds, 0 or more' });
  }
  const certification = squash(q.certification ?? '');
  if (q.certification !== undefined && !certification) problems.push({ field: 'certification', message: 'must name a certification, e.g. ISO 9001 or Cyber Essentials' });
  const limit = pagingNumber(q, 'limit', 50, 1, 500, problems);
  const offset = pagingNumber(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER, problems);
  if (problems.length) throw badQuery(problems);

  const registry = await c.get('registry').current(deps);
  const relevance = text ? registry.search().search(text) : null;
  const records = registry.records();
  const hits = registry.rows.filter((row, i) => {
    if (relevance && !relevance.has(row.id)) return false;
    const r = records[i];
    if (q.kind && r.kind !== q.kind) return false;
    const hp = r.highPotentialOverride ?? r.highPotentialDerived;
    if (q.high_potential && hp !== (q.high_potential === 'true')) return false;
    if (cpvSig.length) {
      const own = r.cpv.map(cpvSignificant);
      if (!cpvSig.some((want) => own.some((s) => s.startsWith(want) || want.startsWith(s)))) return false;
    }
    if (area) {
      // Where it is based (its postcode's local authority, else its home region) and where it serves.
      const match = placeMatch(supplierPlaces(row.postcode, r.homeRegion, r.serves, r.national), area);
      if (match === 'outside' || (q.region_match === 'inside' && match !== 'inside')) return false;
      placeOf.set(row.id, match);
    }
    // Size: able to deliver a contract of this value alone; an unstated capacity rules nobody out (as in matching).
    if (minValue !== null && row.max_contract_value !== null && row.max_contract_value < minValue) return false;
    if (certification && !readList(row.certifications).some((held) => squash(held).includes(certification))) return false;
    return true;
  });
  // High-potential firms first when the boost is on: raised, never hiding anyone.
  const boost = deps.config.HIGH_POTENTIAL_BOOST > 0;
  const hpOf = (row: SupplierRow) => (row.high_potential_override ?? row.high_potential_derived) === 1;
  const byBoostThenName = (a: SupplierRow, b: SupplierRow) => (boost ? Number(hpOf(b)) - Number(hpOf(a)) : 0) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1);
  const year = deps.clock.now().getUTCFullYear();
  if (!text) {
    hits.sort(byBoostThenName);
    return c.json({ total: hits.length, limit, offset, suppliers: hits.slice(offset, offset + limit).map((row) => withMatch(view(row, [], false, year), placeOf.get(row.id))) });
  }
  // Free text: every word of the query, or a word like it, in what a supplier says of itself; most relevant first.
  const ranked = hits.map((row) => ({ row, relevance: relevance!.get(row.id)! })).sort((a, b) => b.relevance - a.relevance || byBoostThenName(a.row, b.row));
  return c.json({
    total: ranked.length,
    limit,
    offset,
    suppliers: ranked.slice(offset, offset + limit).map(({ row, relevance }) => ({ ...withMatch(view(row, [], false, year), placeOf.get(row.id)), relevance })),
  });
});

supplierRoutes.get('/:id', async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  const row = await getSupplierRow(deps.db, id);
  if (!row) throw notFound(`supplier ${id}`);
  let isPrivate = false;
  if (bearerToken(c)) {
    try {
      await requireSupplierOrAdmin(c, id);
      isPrivate = true;
    } catch {
      isPrivate = false;
    }
  }
  return c.json({ supplier: view(row, await membersOf(deps.db, id), isPrivate, deps.clock.now().getUTCFullYear(), isPrivate ? await membershipsOf(deps.db, id) : []) });
});

supplierRoutes.patch('/:id', async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  await requireSupplierOrAdmin(c, id);
  const row = await getSupplierRow(deps.db, id);
  if (!row) throw notFound(`supplier ${id}`);
  const checked = validateSupplier(await servesWithNamedPlaces(deps.db, await readBody(c)), { partial: true, stored: { postcode: row.postcode, homeRegion: row.home_region } });
  if (!checked.ok) throw invalid(checked.problems);
  const v = checked.value;
  if (v.highPotentialOverride !== undefined && !isAdmin(c)) {
    throw new AppError(403, 'forbidden', 'only an administrator can set high_potential_override');
  }
  // Everything is checked before anything is written.
  const problems: FieldProblem[] = [];
  const kind = v.kind ?? row.kind;
  const listed = await membershipsOf(deps.db, id);
  const members = v.members ?? listed.map((m) => m.member_id);
  if (kind !== 'cooperative' && members.length) problems.push({ field: 'members', message: 'only a cooperative has members' });
  if (kind === 'cooperative' && row.kind !== 'cooperative') {
    const memberOf = await cooperativesOf(deps.db, id);
    if (memberOf.length) {
      const leave = memberOf.map((coop) => `DELETE /suppliers/${id}/memberships/${coop}`).join(', ');
      problems.push({ field: 'kind', message: `cannot become a cooperative while it is a member of one (${memberOf.join(', ')}); cooperatives are made of firms. Leave first: ${leave}` });
    }
  }
  if (kind !== 'cooperative' && (v.cpv ?? readList(row.cpv_codes)).length === 0) {
    problems.push({ field: 'cpv_codes', message: 'needs at least one CPV code saying what the supplier does' });
  }
  if (v.postcode === null) problems.push({ field: 'postcode', message: 'cannot be removed: it says where the supplier is based' });
  if (v.members) problems.push(...(await checkMembers(deps, v.members, id)));
  if (problems.length) throw invalid(problems);
  await checkCompanyNumber(deps, v.companyNumber, id);

  const patch = rowFields(v, deps.clock.now().getUTCFullYear());
  patch.updated_at = deps.clock.now().toISOString();
  if (patch.contact_email !== undefined && patch.contact_email !== row.contact_email) {
    // A new address is not confirmed: no alert goes to it until its owner clicks the link mailed to it.
    patch.contact_email_verified_at = null;
    patch.contact_email_confirmation_at = null;
  }
  await orConflict(saveSupplierChanges(deps.db, id, patch, v.members ? { before: listed, after: v.members } : undefined));
  const matched = await rematch(deps, id);
  const saved = (await getSupplierRow(deps.db, id))!;
  return c.json({ supplier: view(saved, await membersOf(deps.db, id), true, deps.clock.now().getUTCFullYear(), await membershipsOf(deps.db, id)), matches: matched?.written ?? 0 });
});

supplierRoutes.delete('/:id', async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  await requireSupplierOrAdmin(c, id);
  const coops = await cooperativesOf(deps.db, id);
  const deleted = await deleteSupplier(deps.db, id);
  if (!deleted) throw notFound(`supplier ${id}`);
  for (const coop of coops) await rematch(deps, coop);
  return c.json({ deleted: true, id });
});

supplierRoutes.get('/:id/matches', async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  const row = await getSupplierRow(deps.db, id);
  if (!row) throw notFound(`supplier ${id}`);
  const problems: FieldProblem[] = [];
  const q = c.req.query();
  const limit = pagingNumber(q, 'limit', 100, 1, 500, problems);
  const offset = pagingNumber(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER, problems);
  if (problems.length) throw badQuery(problems);
  const matches = await matchesForSupplier(deps.db, id, deps.clock.now().toISOString(), limit, offset);
  return c.json({ supplier_id: id, matches });
});
