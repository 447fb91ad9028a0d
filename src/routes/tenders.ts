import { Hono } from 'hono';
import { z } from 'zod';
import { regionCodesFor } from '../../db/queries/places.js';
import { findTenders, getTender, type TenderCursor } from '../../db/queries/tenders.js';
import type { AppEnv } from '../app-env.js';
import { badRequest, notFound } from '../errors.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date such as 2026-01-31');
const yesNo = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const listQuery = z
  .object({
    q: z.string().max(200).optional(),
    cpv: z.string().regex(/^\d{2,8}(-\d)?$/, 'must be 2 to 8 digits of a CPV code, such as 72 or 72212000').optional(),
    region: z.string().min(2).max(100).optional(),
    status: z.enum(['planning', 'planned', 'active', 'cancelled', 'unsuccessful', 'complete', 'withdrawn']).optional(),
    open: yesNo.optional(),
    value_min: z.coerce.number().nonnegative().optional(),
    value_max: z.coerce.number().nonnegative().optional(),
    sme: yesNo.optional(),
    published_since: isoDate.optional(),
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

const parse = (text: string | null) => (text ? JSON.parse(text) : []);
const asBool = (v: number | null) => (v === null ? null : v === 1);

export const tenderRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { db, clock } = c.var.deps;
    const parsed = listQuery.safeParse(c.req.query());
    if (!parsed.success) throw badRequest('some query parameters are not valid', fieldErrors(parsed.error));
    const p = parsed.data;
    let regionCodes: string[] | undefined;
    if (p.region) {
      const codes = await regionCodesFor(db, p.region);
      if (!codes) throw badRequest(`unknown region "${p.region}": give a NUTS or ITL code (UKG3, TLG3) or a named place`, { region: 'unknown' });
      regionCodes = codes;
    }
    const { tenders, next } = await findTenders(db, {
      text: p.q,
      cpvPrefix: p.cpv ? cpvPrefixOf(p.cpv) : undefined,
      regionCodes,
      status: p.status,
      openAt: p.open ? clock.now().toISOString() : undefined,
      valueMin: p.value_min,
      valueMax: p.value_max,
      smeSuitable: p.sme,
      publishedSince: p.published_since ? new Date(p.published_since).toISOString() : undefined,
      limit: p.limit,
      cursor: p.cursor ? decodeCursor(p.cursor) : undefined,
    });
    return c.json({
      tenders: tenders.map((t) => ({
        ...t,
        cpv_codes: parse(t.cpv_codes),
        suitable_sme: asBool(t.suitable_sme),
        suitable_vcse: asBool(t.suitable_vcse),
      })),
      next_cursor: next ? encodeCursor(next) : null,
    });
  })
  .get('/:ocid', async (c) => {
    const found = await getTender(c.var.deps.db, c.req.param('ocid'));
    if (!found) throw notFound(`tender ${c.req.param('ocid')}`);
    const { tender, lots, items, awards, suppliers, places, cpv } = found;
    const { content_hash: _hash, ...fields } = tender;
    return c.json({
      ...fields,
      cpv_codes: parse(tender.cpv_codes),
      reserved_participation: parse(tender.reserved_participation),
      suitable_sme: asBool(tender.suitable_sme),
      suitable_vcse: asBool(tender.suitable_vcse),
      lots: lots.map((l) => ({ ...l, cpv_codes: parse(l.cpv_codes), places: parse(l.places), suitable_sme: asBool(l.suitable_sme), suitable_vcse: asBool(l.suitable_vcse) })),
      items: items.map((i) => ({
        ...i,
        additional_cpv_codes: parse(i.additional_cpv_codes),
        delivery_regions: parse(i.delivery_regions),
        delivery_postcodes: parse(i.delivery_postcodes),
      })),
      awards: awards.map((a) => ({
        ...a,
        lot_ids: parse(a.lot_ids),
        suppliers: suppliers.filter((s) => s.award_id === a.award_id).map(({ ocid: _o, award_id: _a, ...s }) => s),
      })),
      places,
      capabilities: cpv,
    });
  });
