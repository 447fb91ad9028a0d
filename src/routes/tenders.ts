import { createRoute } from '@hono/zod-openapi';
import { areaFor } from '../../db/queries/places.js';
import { deliveryPlacesOf, findTenders, getTender, type TenderCursor } from '../../db/queries/tenders.js';
import { buyerHistory } from '../../db/queries/buyer-history.js';
import { noticeTypeName, opportunityKindOf } from '../domain/ocds/notice-types.js';
import { alsoPublishedOn } from '../../db/queries/twins.js';
import { isNowhere, itlName, localAuthorityByCode, placeMatch, placeQuery } from '../domain/geo/index.js';
import { readList } from '../../db/json-columns.js';
import type { AppEnv } from '../app-env.js';
import { TENDER_STATUSES } from '../domain/ocds/status.js';
import { badQuery, notFound } from '../errors.js';
import { isoInstantParam } from './params.js';
import { errors, json, jsonRoutes, openapi, pathParam, record, z } from './contract.js';

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

const encodeCursor = (c: TenderCursor) => Buffer.from(JSON.stringify(c.doc === undefined ? [c.publishedAt, c.ocid] : [c.publishedAt, c.ocid, c.doc])).toString('base64url');
function decodeCursor(text: string): TenderCursor {
  try {
    const [publishedAt, ocid, doc] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof publishedAt === 'string' && typeof ocid === 'string' && (doc === undefined || Number.isSafeInteger(doc))) return { publishedAt, ocid, doc };
  } catch {
    // fall through
  }
  throw badQuery([{ field: 'cursor', message: 'is not one this service issued; start again without it' }]);
}

/** The significant digits of a CPV code: `72000000-5` is division 72, so its prefix is `72`. */
export function cpvPrefixOf(code: string): string {
  const digits = code.slice(0, 8);
  const significant = digits.replace(/0+$/, '');
  return significant.length >= 2 ? significant : digits.slice(0, 2);
}

const asBool = (v: number | null) => (v === null ? null : v === 1);

const tenderSummary = record({
  ocid: z.string(),
  title: z.string().nullable(),
  cpv_codes: z.array(z.string()),
  suitable_sme: z.boolean().nullable(),
  suitable_vcse: z.boolean().nullable(),
  match: z.enum(['inside', 'wider area', 'outside']).optional().openapi({ description: 'with region: how the tender stands to it' }),
  also_published_on: z.array(record({})),
}).openapi('TenderSummary');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: ['tenders'],
  summary: 'Search tenders',
  description: 'Newest first, paged by `next_cursor`. `region` takes ITL/NUTS codes, local and combined authorities, region names and named places.',
  request: { query: listQuery },
  responses: {
    200: json(z.object({ region: record({ name: z.string(), kind: z.string() }).optional(), tenders: z.array(tenderSummary), next_cursor: z.string().nullable() }), 'a page of tenders'),
    ...errors(400),
  },
});

const tenderRoute = createRoute({
  method: 'get',
  path: '/{ocid}',
  tags: ['tenders'],
  summary: 'One tender with its lots, items, awards, places and capabilities',
  request: { params: z.object({ ocid: pathParam('the tender\'s OCDS id', 'ocds-h6vhtk-04a1b2') }) },
  responses: {
    200: json(record({ ocid: z.string(), title: z.string().nullable(), lots: z.array(record({})), items: z.array(record({})), awards: z.array(record({})), places: z.array(record({})), capabilities: z.array(record({})) }).openapi('Tender'), 'the tender'),
    ...errors(400, 404),
  },
});

export const tenderRoutes = jsonRoutes();

openapi(tenderRoutes, listRoute, async (c) => {
    const { db, clock } = c.var.deps;
    const p = c.req.valid('query');
    const area = p.region ? await areaFor(db, p.region) : null;
    if (p.region && (!area || isNowhere(area))) {
      throw badQuery(
        [{ field: 'region', message: `"${p.region}" is not a region code, local authority, combined authority, region name or named place` }],
        `unknown region "${p.region}": give an ITL or NUTS code (TLG31, UKG3), a local authority (Birmingham, E08000025), a combined authority (WMCA) or a named place`,
      );
    }
    if (p.region_match && !area) throw badQuery([{ field: 'region_match', message: 'needs a region' }]);
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
});

openapi(tenderRoutes, tenderRoute, async (c) => {
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
