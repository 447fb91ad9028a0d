import { createRoute } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.js';
import { AppError, badQuery, notFound } from '../errors.js';
import type { Opportunity } from '../domain/matching/types.js';
import { rankValue } from '../domain/matching/verdict.js';
import { proposeConsortia } from '../domain/matching/consortia.js';
import { opportunitiesOf, wholeTenderOpportunity } from '../domain/matching/opportunity.js';
import { loadTendersForMatching } from '../../db/queries/matches.js';
import { matchSettings } from '../config.js';
import { snakeKeys } from './snake-case.js';
import { errors, json, jsonRoutes, openapi, pathParam, record, z } from './contract.js';

/** For officers: who could bid for a tender, and which groups could bid together. Mounted at /tenders. */
export const tenderSupplierRoutes = jsonRoutes();

const LOCAL_NAMES = ['not local', 'same region', 'same sub-region', 'same area'];

async function loadTender(c: { get: (k: 'deps') => AppEnv['Variables']['deps'] }, ocid: string) {
  const { db } = c.get('deps');
  // A tender published again elsewhere is matched as the twin that stands for it: answer for that one.
  const twin = await db.selectFrom('tenders').select('twin_of').where('ocid', '=', ocid).executeTakeFirst();
  const [found] = await loadTendersForMatching(db, [twin?.twin_of ?? ocid]);
  if (!found) throw notFound(`tender ${ocid}`);
  return found;
}

function pickLot(opps: Opportunity[], lot: string | undefined, ocid: string): Opportunity[] {
  if (lot === undefined) return opps;
  const hit = opps.filter((o) => o.lotId === lot);
  if (!hit.length) throw new AppError('not_found', `tender ${ocid} has no lot "${lot}" to match (lots: ${opps.map((o) => o.lotId || "''").join(', ')})`);
  return hit;
}

/** Suppliers shown in all, across a tender and its lots, when no limit is asked for. */
const SHOWN_BY_DEFAULT = 100;
const MOST_PER_OPPORTUNITY = 100;

/** Where a lot's list stopped: the lot and the last supplier's place in the ranking (keyset). */
interface BidderCursor {
  lot: string;
  local: boolean;
  rank: number;
  id: string;
}

function bidderCursorFrom(text: string): BidderCursor | null {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as BidderCursor;
    return typeof c.lot === 'string' && typeof c.local === 'boolean' && Number.isFinite(c.rank) && typeof c.id === 'string' ? c : null;
  } catch {
    return null;
  }
}

/**
 * For officers: who could bid, local firms first, then by score, a page per tender and lot. Every supplier is ranked
 * (numbers only); reasons are written for the page shown. Without `limit`, a tender's lots share 100 places (at
 * least 5 each), so a tender of many lots answers in kilobytes, not megabytes; `lot=` with `cursor=` (from a lot's
 * `next_cursor`) pages through one lot.
 */
const ocidParam = z.object({ ocid: pathParam("the tender's OCDS id", 'ocds-h6vhtk-04a1b2') });
const lotParam = z.string().max(200).optional().openapi({ description: "one lot's id (`''` for a tender without lots)" });

const biddersRoute = createRoute({
  method: 'get',
  path: '/{ocid}/suppliers',
  tags: ['officers'],
  summary: 'Who could bid: local firms first, then by score, with reasons',
  request: {
    params: ocidParam,
    query: z.object({
      high_potential: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(MOST_PER_OPPORTUNITY).optional().openapi({ description: 'suppliers per lot; without it the lots share 100' }),
      cursor: z.string().max(1000).optional().openapi({ description: "a lot's next_cursor" }),
      lot: lotParam,
    }),
  },
  responses: {
    200: json(
      z.object({
        ocid: z.string(),
        title: z.string().nullable(),
        limit: z.number().int(),
        opportunities: z.array(
          record({
            lot_id: z.string(),
            closed: z.string().nullable(),
            total: z.number().int(),
            suppliers: z.array(record({ supplier_id: z.string(), name: z.string(), local: z.string(), high_potential: z.boolean(), score: z.number(), reasons: z.array(z.string()) })),
            next_cursor: z.string().nullable(),
          }),
        ),
      }),
      'a page of suppliers for the tender and each lot',
    ),
    ...errors(400, 404),
  },
});

const consortiaRoute = createRoute({
  method: 'get',
  path: '/{ocid}/consortia',
  tags: ['officers'],
  summary: 'Groups of registered firms that could bid together, for the tender and each lot',
  request: { params: ocidParam, query: z.object({ lot: lotParam }) },
  responses: { 200: json(z.object({ ocid: z.string(), title: z.string().nullable(), proposals: z.array(record({})) }), 'the proposals'), ...errors(400, 404) },
});

openapi(tenderSupplierRoutes, biddersRoute, async (c) => {
  const deps = c.get('deps');
  const ocid = c.req.param('ocid');
  const q = c.req.valid('query');
  const hp = q.high_potential;
  const asked = q.limit;
  const cursor = q.cursor === undefined ? undefined : bidderCursorFrom(q.cursor);
  if (cursor === null) throw badQuery([{ field: 'cursor', message: 'is not one this service issued; start again without it' }]);
  const lot = q.lot ?? cursor?.lot;
  if (cursor && lot !== cursor.lot) throw badQuery([{ field: 'cursor', message: `pages lot "${cursor.lot}", not lot "${lot}"` }]);
  const { record, tags } = await loadTender(c, ocid);
  const opps = pickLot(opportunitiesOf(record, tags), lot, ocid);
  const limit = asked ?? Math.max(5, Math.min(20, Math.floor(SHOWN_BY_DEFAULT / opps.length)));
  const { byId, index } = await c.get('registry').current(deps);
  const now = deps.clock.now();
  const settings = matchSettings(deps.config);
  const opportunities = opps.map((opp) => {
    const co = index.compile(opp, now);
    const base = { lot_id: opp.lotId, lot_title: opp.lotTitle, value: opp.value, deadline: opp.deadline, cpv: opp.cpv, places: opp.places.map((p) => p.code) };
    if (co.closed) return { ...base, closed: co.closed.reason, total: 0, suppliers: [], next_cursor: null };
    // Rank everyone without words, then write the reasons of the ones shown, for an officer to read.
    let results = index.match(co, now, settings, { explain: false });
    if (hp !== undefined) results = results.filter((r) => r.highPotential === (hp === 'true'));
    // Local firms first, then by score (raised for high-potential firms).
    const ranked = results.map((r) => ({ r, local: r.localLevel > 0, rank: rankValue(r, settings) }));
    const before = (a: { local: boolean; rank: number; id: string }, b: { local: boolean; rank: number; id: string }) =>
      Number(b.local) - Number(a.local) || b.rank - a.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    ranked.sort((a, b) => before({ ...a, id: a.r.supplierId }, { ...b, id: b.r.supplierId }));
    const from = cursor ? ranked.findIndex((x) => before(cursor, { local: x.local, rank: x.rank, id: x.r.supplierId }) < 0) : 0;
    const page = from < 0 ? [] : ranked.slice(from, from + limit);
    const last = page[page.length - 1];
    const more = from >= 0 && from + limit < ranked.length;
    return {
      ...base,
      closed: null,
      total: results.length,
      suppliers: page.map(({ r: ranked }) => {
        const r = index.explain(co, ranked.supplierId, settings, 'officer')!;
        const p = byId.get(r.supplierId)!;
        return {
          supplier_id: r.supplierId,
          name: p.name,
          kind: p.kind,
          home_region: p.homeRegion,
          local: LOCAL_NAMES[r.localLevel],
          high_potential: r.highPotential,
          score: r.score,
          rank_score: Math.round(rankValue(r, settings) * 10000) / 10000,
          reasons: r.reasons,
        };
      }),
      next_cursor:
        more && last ? Buffer.from(JSON.stringify({ lot: opp.lotId, local: last.local, rank: last.rank, id: last.r.supplierId } satisfies BidderCursor)).toString('base64url') : null,
    };
  });
  return c.json({ ocid, title: record.title, limit, opportunities });
});

openapi(tenderSupplierRoutes, consortiaRoute, async (c) => {
  const deps = c.get('deps');
  const ocid = c.req.param('ocid');
  const { record, tags } = await loadTender(c, ocid);
  const now = deps.clock.now();
  const { index } = await c.get('registry').current(deps);
  const lots = record.lots.length >= 2 ? opportunitiesOf(record, tags) : [];
  const lot = c.req.valid('query').lot;
  const targets = lot === undefined ? [wholeTenderOpportunity(record, tags), ...lots] : pickLot(lots.length ? lots : opportunitiesOf(record, tags), lot, ocid);
  const proposals = targets.map((opp) => proposeConsortia(opp, index, now, opp.lotId === '' ? lots : []));
  return c.json({ ocid, title: record.title, proposals: snakeKeys(proposals) });
});
