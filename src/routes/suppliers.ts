import { newSupplierId, newSupplierRow } from './supplier-rows.js';
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import type { AppEnv } from '../app-env.js';
import type { Deps } from '../deps.js';
import { AppError, badQuery, invalidBody, notFound, type FieldProblem } from '../errors.js';
import { cpvLabel, cpvSignificant, normaliseCpv } from '../domain/cpv/index.js';
import { itlName } from '../domain/geo/index.js';
import { checkSupplier, deriveHighPotential, type SupplierFields, type SupplierInput } from '../domain/suppliers/index.js';
import { SupplierSearch, squashCertification, type SearchCursor } from '../domain/suppliers/search.js';
import type { MembershipRow, SupplierRow, SupplierUpdate } from '../../db/schema.suppliers.js';
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
import { earlyMatchView } from './suppliers.early.js';
import { areaFor } from '../../db/queries/places.js';
import { allCpvCodes } from '../domain/cpv/index.js';
import { isNowhere, itlCodesOf, placeMatch, type PlaceMatch } from '../domain/geo/index.js';
import { cpvPrefixOf } from './tenders.js';
import { servesWithNamedPlaces, supplierPlaces, withMatch } from './supplier-places.js';
import { queueSuppliersForMatching, supplierMatchingPending } from '../../db/queries/match-queue.js';
import { kickJob } from './kick.js';
import { bearerToken, hashKey, isAdmin, newSupplierKey, requireSupplierOrAdmin } from './auth.js';
import { suggestedCpvFor } from './classify.js';
import { signingSecret } from '../../db/queries/alerts.js';
import { feedbackUrls } from '../mail/feedback-links.js';
import { bearer, errors, fieldProblems, validationError, type ValidationHook, json, jsonBody, jsonRoutes, openapi, pathParam, record, supplierOrAdmin, z } from './contract.js';
import { matchesQuery, supplierBody, supplierPatch, supplierSearchQuery, supplierView } from './suppliers.schema.js';

export const supplierRoutes = jsonRoutes();

/** 422 naming every bad field; without CPV codes, codes read from the firm's own description and keywords are offered (not stored). */
function invalid(problems: FieldProblem[], body?: unknown): AppError {
  const suggested = body !== undefined && problems.some((p) => p.field === 'cpv_codes') ? suggestedCpvFor(body) : [];
  return invalidBody(problems, undefined, suggested.length ? { suggested_cpv: suggested } : {});
}

/**
 * A body that fails the schema: its shape problems, and what checkSupplier finds in the fields that did parse, so
 * that every bad field is named at once.
 */
async function everyProblem(c: Context<AppEnv>, raw: unknown, error: ZodError, patchOf: string | null): Promise<AppError> {
  const problems = fieldProblems(error, 'is not a field of a supplier profile');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid(problems);
  const failed = new Set(error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : i.path.length ? [String(i.path[0])] : [])));
  const rest = supplierPatch.safeParse(Object.fromEntries(Object.entries(raw).filter(([k]) => !failed.has(k))));
  if (rest.success) {
    const db = c.var.deps.db;
    const stored = patchOf ? await getSupplierRow(db, patchOf) : undefined;
    const fields = (await servesWithNamedPlaces(db, rest.data)) as SupplierFields;
    const checked = checkSupplier(fields, { partial: true, stored: stored ? { postcode: stored.postcode, homeRegion: stored.home_region } : undefined });
    if (!checked.ok) problems.push(...checked.problems);
  }
  return invalid(problems, raw);
}

/** 409: the Companies House number belongs to another registered supplier (whose id is not said). */
function companyNumberTaken(companyNumber: string): AppError {
  const problem: FieldProblem = {
    field: 'company_number',
    message: `${companyNumber} is already registered to another supplier; if it is yours, ask an administrator`,
  };
  return new AppError('conflict', `company_number ${problem.message}`, { fields: [problem] });
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
    exclude_words: readList(row.exclude_words),
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

/**
 * Queues suppliers for the match job, before their rows are written: a queued id whose write then fails is only
 * matched for nothing, while a write whose queue row was lost would never be matched. The caller kicks the job
 * once the write is done; the answer never waits for matching.
 */
export async function queueMatching(c: Context<AppEnv>, supplierIds: string[]): Promise<void> {
  const deps = c.get('deps');
  if (!supplierIds.length) return;
  await queueSuppliersForMatching(deps.db, supplierIds, deps.clock.now().toISOString());
}

type Matching = 'pending' | 'done';
const matchingOf = async (deps: Deps, supplierId: string): Promise<Matching> => ((await supplierMatchingPending(deps.db, supplierId)) ? 'pending' : 'done');

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
  if (v.excludeWords !== undefined) out.exclude_words = JSON.stringify(v.excludeWords);
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

/** A supplier body that fails its schema: every problem named, shape and meaning. */
const bodyHook: ValidationHook = async (result, c) => {
  if (!result.success && result.target === 'json') throw await everyProblem(c, result.data, result.error, c.req.param('id') ?? null);
  if (!result.success) throw validationError(result.target, result.error);
};

const idParam = z.object({ id: pathParam("the supplier's id", 'sup_x1y2z3') });
const supplierAnswer = z.object({ supplier: supplierView });

const registerRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['suppliers'],
  summary: 'Register a supplier (an SME, VCSE or cooperative)',
  description:
    'Answers the profile and its key, shown only once. A body without CPV codes gets 422 with `details.suggested_cpv`, read from its description and keywords. Rate limited per client (RATE_LIMIT_REGISTRATIONS).',
  request: { body: jsonBody(supplierBody) },
  responses: {
    201: json(z.object({ supplier: supplierView, key: z.string(), key_note: z.string() }).loose(), 'registered; matching is queued'),
    ...errors(400, 403, 409, 413, 415, 422, 429),
  },
});

openapi(
  supplierRoutes,
  registerRoute,
  async (c) => {
  const deps = c.get('deps');
  const body = await servesWithNamedPlaces(deps.db, c.req.valid('json'));
  const checked = checkSupplier(body as SupplierFields);
  if (!checked.ok) throw invalid(checked.problems, body);
  const v = checked.value;
  if (v.highPotentialOverride !== undefined && !isAdmin(c)) {
    throw new AppError('forbidden', 'only an administrator can set high_potential_override');
  }
  const memberIds = v.members ?? [];
  const memberProblems = await checkMembers(deps, memberIds, null);
  if (memberProblems.length) throw invalid(memberProblems);
  await checkCompanyNumber(deps, v.companyNumber, null);

  const id = newSupplierId();
  const key = newSupplierKey();
  const row = newSupplierRow(id, v, hashKey(key), deps.clock.now());

  await queueMatching(c, [id]);
  await orConflict(registerSupplier(deps.db, row, memberIds));
  kickJob(c, 'match-suppliers');
  const saved = (await getSupplierRow(deps.db, id))!;
  return c.json(
    {
      supplier: { ...view(saved, [], true, deps.clock.now().getUTCFullYear(), await membershipsOf(deps.db, id)), matching: 'pending' satisfies Matching },
      key,
      key_note: 'Keep this key: it is shown only now. Send it as "Authorization: Bearer <key>" to change or delete this profile.',
      ...(saved.contact_email ? { contact_email_note: `We will email ${saved.contact_email} a link to confirm it; alerts go to it only once the link is clicked.` } : {}),
      ...(memberIds.length ? { members_note: 'The firms you named are invited: each counts as a member once it accepts, with its own key or from the link we email it.' } : {}),
    },
    201,
  );
  },
  bodyHook,
);

const searchRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['suppliers'],
  summary: 'Search suppliers (for officers): words with typos tolerated, capability, place, kind, size, certification',
  request: { query: supplierSearchQuery },
  responses: {
    200: json(
      z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int().nullable(), next_cursor: z.string().nullable(), suppliers: z.array(supplierView) }),
      'a page of suppliers, most relevant first',
    ),
    ...errors(400),
  },
});

openapi(supplierRoutes, searchRoute, async (c) => {
  const deps = c.get('deps');
  const q = c.req.valid('query');
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
  if (q.region_match !== undefined && !q.region) {
    problems.push({ field: 'region_match', message: 'needs a region' });
  }
  const placeOf = new Map<number, PlaceMatch>();
  const text = q.q?.trim() ?? '';
  if (q.q !== undefined && (text.length > 200 || !SupplierSearch.queryWords(text).length)) {
    problems.push({ field: 'q', message: 'must hold a word to search for (up to 200 characters; words such as "services" or "the" are not searched)' });
  }
  // Read here rather than by the schema, so that it is named together with the other problems of the query.
  const minValue = q.min_value === undefined ? null : Number(q.min_value);
  if (minValue !== null && (!Number.isFinite(minValue) || minValue < 0 || q.min_value!.trim() === '')) {
    problems.push({ field: 'min_value', message: 'must be an amount in pounds, 0 or more' });
  }
  const certification = squashCertification(q.certification ?? '');
  if (q.certification !== undefined && !certification) problems.push({ field: 'certification', message: 'must name a certification, e.g. ISO 9001 or Cyber Essentials' });
  const { limit, offset } = q;
  const after = q.cursor === undefined || q.cursor.length > 1000 ? undefined : (searchCursorFrom(q.cursor) ?? undefined);
  if (q.cursor !== undefined && !after) problems.push({ field: 'cursor', message: 'is not one this service issued; start again without it' });
  if (problems.length) throw badQuery(problems);

  const registry = await c.get('registry').current(deps);
  // Where a supplier stands to the place asked about (its base and what it serves): found through the ITL areas
  // that hold the place, then told inside, wider area or outside; outside is never listed.
  const records = area ? registry.records() : [];
  const placed = area
    ? (doc: number) => {
        const r = records[doc];
        const match = placeMatch(supplierPlaces(registry.rows[doc].postcode, r.homeRegion, r.serves, r.national), area);
        if (match === 'outside' || (q.region_match === 'inside' && match !== 'inside')) return false;
        placeOf.set(doc, match);
        return true;
      }
    : undefined;
  // High-potential firms first when the boost is on: raised, never hiding anyone.
  const found = registry.search().find(
    {
      text: text || undefined,
      kind: q.kind,
      highPotential: q.high_potential ? q.high_potential === 'true' : undefined,
      cpv: cpvSig.length ? cpvSig : undefined,
      regions: area ? itlCodesOf(area) : undefined,
      where: placed,
      minValue: minValue ?? undefined,
      certification: certification || undefined,
      boostHighPotential: deps.config.HIGH_POTENTIAL_BOOST > 0,
    },
    { limit, offset, after },
  );
  const year = deps.clock.now().getUTCFullYear();
  return c.json({
    total: found.total,
    limit,
    offset: after ? null : offset,
    next_cursor: found.next ? Buffer.from(JSON.stringify(found.next)).toString('base64url') : null,
    // Free text: every word of the query, or a word like it, in what a supplier says of itself; most relevant first.
    suppliers: found.hits.map(({ doc, relevance }) => ({ ...withMatch(view(registry.rows[doc], [], false, year), placeOf.get(doc)), ...(text ? { relevance } : {}) })),
  });
});

/** A cursor from next_cursor, or null when it is not one. */
function searchCursorFrom(text: string): SearchCursor | null {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as SearchCursor;
    const ok =
      (c.relevance === null || (typeof c.relevance === 'number' && Number.isFinite(c.relevance))) &&
      typeof c.highPotential === 'boolean' &&
      typeof c.name === 'string' &&
      typeof c.id === 'string';
    return ok ? { relevance: c.relevance, highPotential: c.highPotential, name: c.name, id: c.id } : null;
  } catch {
    return null;
  }
}

const profileRoute = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['suppliers'],
  summary: 'A supplier profile; with its own key or the admin key, the private view',
  security: [{}, ...bearer],
  request: { params: idParam },
  responses: { 200: json(supplierAnswer, 'the profile'), ...errors(400, 404) },
});

openapi(supplierRoutes, profileRoute, async (c) => {
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
  return c.json({ supplier: { ...view(row, await membersOf(deps.db, id), isPrivate, deps.clock.now().getUTCFullYear(), isPrivate ? await membershipsOf(deps.db, id) : []), matching: await matchingOf(deps, id) } });
});

const changeRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['suppliers'],
  summary: 'Change a profile (only the fields sent)',
  security: bearer,
  middleware: [supplierOrAdmin('id')],
  request: { params: idParam, body: jsonBody(supplierPatch) },
  responses: { 200: json(supplierAnswer, 'the changed profile; matching is queued'), ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429) },
});

openapi(
  supplierRoutes,
  changeRoute,
  async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  const row = await getSupplierRow(deps.db, id);
  if (!row) throw notFound(`supplier ${id}`);
  const checked = checkSupplier((await servesWithNamedPlaces(deps.db, c.req.valid('json'))) as SupplierFields, { partial: true, stored: { postcode: row.postcode, homeRegion: row.home_region } });
  if (!checked.ok) throw invalid(checked.problems);
  const v = checked.value;
  if (v.highPotentialOverride !== undefined && !isAdmin(c)) {
    throw new AppError('forbidden', 'only an administrator can set high_potential_override');
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
  // The cooperatives it belongs to are matched again too: their combined profile changes with it.
  await queueMatching(c, [id, ...(await cooperativesOf(deps.db, id))]);
  await orConflict(saveSupplierChanges(deps.db, id, patch, v.members ? { before: listed, after: v.members } : undefined));
  kickJob(c, 'match-suppliers');
  const saved = (await getSupplierRow(deps.db, id))!;
  return c.json({ supplier: { ...view(saved, await membersOf(deps.db, id), true, deps.clock.now().getUTCFullYear(), await membershipsOf(deps.db, id)), matching: 'pending' satisfies Matching } });
  },
  bodyHook,
);

const deleteRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['suppliers'],
  summary: 'Delete a supplier',
  security: bearer,
  middleware: [supplierOrAdmin('id')],
  request: { params: idParam },
  responses: { 200: json(z.object({ deleted: z.literal(true), id: z.string() }), 'deleted'), ...errors(400, 401, 403, 404, 429) },
});

openapi(supplierRoutes, deleteRoute, async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  // Its cooperatives lose a member: they are matched again without it.
  const coops = await cooperativesOf(deps.db, id);
  await queueMatching(c, coops);
  const deleted = await deleteSupplier(deps.db, id);
  if (!deleted) throw notFound(`supplier ${id}`);
  if (coops.length) kickJob(c, 'match-suppliers');
  return c.json({ deleted: true, id });
});

/**
 * Each match with its signed "not for us" / "good match" links, for the firm itself (its key) or an administrator:
 * the links act for the firm, so a reader without its key gets the matches without them.
 */
async function withFeedbackLinks<M extends { ocid: string; lot_id: string }>(c: Context<AppEnv>, supplierId: string, matches: M[]): Promise<Array<M & { feedback?: { not_for_us: string; good_match: string } }>> {
  if (!bearerToken(c)) return matches;
  try {
    await requireSupplierOrAdmin(c, supplierId);
  } catch {
    return matches;
  }
  const { db, config, clock } = c.get('deps');
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  const base = config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  return matches.map((m) => {
    const urls = feedbackUrls(base, secret, supplierId, m.ocid, m.lot_id);
    return { ...m, feedback: { not_for_us: urls.notForUs, good_match: urls.goodMatch } };
  });
}

const matchesRoute = createRoute({
  method: 'get',
  path: '/{id}/matches',
  tags: ['suppliers'],
  summary: "A supplier's matches with their reasons, best first",
  request: { params: idParam, query: matchesQuery },
  responses: {
    200: json(z.object({ supplier_id: z.string(), matching: z.enum(['pending', 'done']), matches: z.array(record({ ocid: z.string(), score: z.number() })) }), 'the matches'),
    ...errors(400, 404),
  },
});

openapi(supplierRoutes, matchesRoute, async (c) => {
  const deps = c.get('deps');
  const id = c.req.param('id');
  const row = await getSupplierRow(deps.db, id);
  if (!row) throw notFound(`supplier ${id}`);
  const { limit, offset } = c.req.valid('query');
  const matches = await matchesForSupplier(deps.db, id, deps.clock.now().toISOString(), limit, offset);
  // Pending: the match job has not yet written this supplier's matches since it registered or last changed.
  return c.json({ supplier_id: id, matching: await matchingOf(deps, id), ...(await earlyMatchView(deps, id, await withFeedbackLinks(c, id, matches))) });
});
