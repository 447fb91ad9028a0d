import { Hono } from 'hono';
import { z } from 'zod';
import { areaFor } from '../../db/queries/places.js';
import { deliveryPlacesOf, findTenders, getTender, type TenderCursor } from '../../db/queries/tenders.js';
import { buyerHistory } from '../../db/queries/buyer-history.js';
import { noticeTypeName, opportunityKindOf } from '../domain/ocds/notice-types.js';
import { alsoPublishedOn } from '../../db/queries/twins.js';
import { isNowhere, itlName, localAuthorityByCode, placeMatch, placeQuery } from '../domain/geo/index.js';
import { readList } from '../../db/json-columns.js';
import type { AppEnv } from '../app-env.js';
import { TENDER_STATUSES } from '../domain/ocds/status.js';
import { badRequest, notFound } from '../errors.js';
import { isoInstantParam } from './params.js';

const yesNo = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const listQuery = z
  .object({
    // A NUL or other control character would cut the words short in the store: refused, never half-searched.
    q: z.string().max(200).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'must not hold control characters (such as a NUL byte)').optional(),
    cpv: z.string().regex(/^\d{2,8}(-\d)?$/, 'must be 2 to 8 digits of a CPV code, such as 72 or 72212000').optional(),
    region: z.string().min(2).max(100).optional(),
    region_match: z.enum(['inside', 'any']).optional(),
    status: z.enum(TENDER_STATUSES).optional(),
    open: yesNo.optional(),
    value_min: z.coerce.number().nonnegative().optional(),
    value_max: z.coerce.number().nonnegative().optional(),
    sme: yesNo.optional(),
    published_since: isoInstantParam.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict()
  .refine((v) => v.value_min === undefined || v.value_max === undefined || v.value_min <= v.value_max, {
    message: 'value_min must not exceed value_max',
    path: ['value_min'],
  });

/** Turns zod's issues into `{ field: message }` a person can act on. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'query');
    out[field] = issue.code === 'unrecognized_keys' ? `unknown parameter` : issue.message;
  }
  return out;
}

const encodeCursor = (c: TenderCursor) => Buffer.from(JSON.stringify(c.doc === undefined ? [c.publishedAt, c.ocid] : [c.publishedAt, c.ocid, c.doc])).toString('base64url');
function decodeCursor(text: string): TenderCursor {
  try {
    const [publishedAt, ocid, doc] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof publishedAt === 'string' && typeof ocid === 'string' && (doc === undefined || Number.isSafeInteger(doc))) return { publishedAt, ocid, doc };
  } catch {
    // fall through
  }
  throw badRequest('cursor is not one this service issued; start again without it', { cursor: 'invalid' });
}

/** The significant digits of a CPV code: `72000000-5` is division 72, so its prefix is `72`. */
export function cpvPrefixOf(code: string): string {
  const digits = code.slice(0, 8);
  const significant = digits.replace(/0+$/, '');
  return significant.length >= 2 ? significant : digits.slice(0, 2);
}

const asBool = (v: number | null) => (v === null ? null : v === 1);

export const tenderRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { db, clock } = c.var.deps;
    const parsed = listQuery.safeParse(c.req.query());
    if (!parsed.success) throw badRequest('some query parameters are not valid', fieldErrors(parsed.error));
    const p = parsed.data;
    const area = p.region ? await areaFor(db, p.region) : null;
    if (p.region && (!area || isNowhere(area))) {
      throw badRequest(`unknown region "${p.region}": give an ITL or NUTS code (TLG31, UKG3), a local authority (Birmingham, E08000025), a combined authority (WMCA) or a named place`, { region: 'unknown' });
    }
    if (p.region_match && !area) throw badRequest('region_match needs a region', { region_match: 'needs region' });
    const { tenders, next } = await findTenders(db, {
      text: p.q,
      cpvPrefix: p.cpv ? cpvPrefixOf(p.cpv) : undefined,
      place: area ? placeQuery(area) : undefined,
      placeInside: p.region_match === 'inside',
      status: p.status,
      openAt: p.open ? clock.now().toISOString() : undefined,
      valueMin: p.value_min,
      valueMax: p.value_max,
      smeSuitable: p.sme,
      publishedSince: p.published_since,
      limit: p.limit,
      cursor: p.cursor ? decodeCursor(p.cursor) : undefined,
    });
    // How each tender stands to the place asked about: inside it, or for a wider area that overlaps it.
    const delivery = area ? await deliveryPlacesOf(db, tenders.map((t) => t.ocid)) : null;
    const twins = await alsoPublishedOn(db, tenders.map((t) => t.ocid));
    return c.json({
      ...(area ? { region: { name: area.name, kind: area.kind } } : {}),
      tenders: tenders.map((t) => ({
        ...t,
        cpv_codes: readList(t.cpv_codes),
        suitable_sme: asBool(t.suitable_sme),
        suitable_vcse: asBool(t.suitable_vcse),
        ...(area ? { match: placeMatch(delivery!.get(t.ocid) ?? [], area) } : {}),
        also_published_on: (twins.get(t.ocid) ?? []).map(({ reasons: _r, ...o }) => o),
      })),
      next_cursor: next ? encodeCursor(next) : null,
    });
  })
  .get('/:ocid', async (c) => {
    const found = await getTender(c.var.deps.db, c.req.param('ocid'));
    if (!found) throw notFound(`tender ${c.req.param('ocid')}`);
    const { tender, lots, items, awards, suppliers, places, cpv } = found;
    const { content_hash: _hash, buyer_key: _b, title_key: _t, ...fields } = tender;
    const twins = (await alsoPublishedOn(c.var.deps.db, [tender.ocid])).get(tender.ocid) ?? [];
    const history = await buyerHistory(c.var.deps.db, { buyerName: tender.buyer_name, cpv: readList(tender.cpv_codes), ocid: tender.ocid });
    return c.json({
      ...fields,
      // The latest Procurement Act notice type by name, and what the notice is for a supplier (issue 17).
      notice_type_name: noticeTypeName(tender.notice_type),
      opportunity_kind: opportunityKindOf(tender.notice_type, tender.status),
      buyer_history: history,
      // The same procurement published elsewhere, and why it is taken to be the same.
      also_published_on: twins,
      cpv_codes: readList(tender.cpv_codes),
      reserved_participation: readList(tender.reserved_participation),
      suitable_sme: asBool(tender.suitable_sme),
      suitable_vcse: asBool(tender.suitable_vcse),
      lots: lots.map((l) => ({ ...l, cpv_codes: readList(l.cpv_codes), places: readList(l.places), suitable_sme: asBool(l.suitable_sme), suitable_vcse: asBool(l.suitable_vcse) })),
      items: items.map((i) => ({
        ...i,
        additional_cpv_codes: readList(i.additional_cpv_codes),
        delivery_regions: readList(i.delivery_regions),
        delivery_postcodes: readList(i.delivery_postcodes),
      })),
      awards: awards.map((a) => ({
        ...a,
        lot_ids: readList(a.lot_ids),
        suppliers: suppliers.filter((s) => s.award_id === a.award_id).map(({ ocid: _o, award_id: _a, ...s }) => ({ ...s, vcse: asBool(s.vcse) })),
      })),
      places: places.map((p) => ({ ...p, lad: p.lad || null, lad_name: p.lad ? (localAuthorityByCode(p.lad)?.name ?? null) : null, name: itlName(p.code) })),
      capabilities: cpv,
    });
  });
