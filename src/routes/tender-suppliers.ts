import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AppError, notFound } from '../errors.js';
import { rankValue, type Opportunity } from '../domain/matching/index.js';
import { proposeConsortia } from '../domain/matching/consortia.js';
import { opportunitiesOf, wholeTenderOpportunity } from '../domain/matching/opportunity.js';
import { loadTendersForMatching } from '../../db/queries/matches.js';
import { matchSettings } from '../config.js';

/** For officers: who could bid for a tender, and which groups could bid together. Mounted at /tenders. */
export const tenderSupplierRoutes = new Hono<AppEnv>();

const LOCAL_NAMES = ['not local', 'same region', 'same sub-region', 'same area'];

async function loadTender(c: { get: (k: 'deps') => AppEnv['Variables']['deps'] }, ocid: string) {
  const [found] = await loadTendersForMatching(c.get('deps').db, [ocid]);
  if (!found) throw notFound(`tender ${ocid}`);
  return found;
}

function pickLot(opps: Opportunity[], lot: string | undefined, ocid: string): Opportunity[] {
  if (lot === undefined) return opps;
  const hit = opps.filter((o) => o.lotId === lot);
  if (!hit.length) throw new AppError(404, 'not_found', `tender ${ocid} has no lot "${lot}" to match (lots: ${opps.map((o) => o.lotId || "''").join(', ')})`);
  return hit;
}

tenderSupplierRoutes.get('/:ocid/suppliers', async (c) => {
  const deps = c.get('deps');
  const ocid = c.req.param('ocid');
  const hp = c.req.query('high_potential');
  if (hp !== undefined && hp !== 'true' && hp !== 'false') throw new AppError(400, 'bad_query', 'high_potential must be true or false');
  const limitRaw = c.req.query('limit');
  const limit = limitRaw === undefined ? 50 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError(400, 'bad_query', 'limit must be a whole number from 1 to 500');
  const { record, tags } = await loadTender(c, ocid);
  const opps = pickLot(opportunitiesOf(record, tags), c.req.query('lot'), ocid);
  const { byId, index } = await c.get('registry').current(deps);
  const now = deps.clock.now();
  const settings = matchSettings(deps.config);
  const opportunities = opps.map((opp) => {
    const co = index.compile(opp, now);
    const base = { lot_id: opp.lotId, lot_title: opp.lotTitle, value: opp.value, deadline: opp.deadline, cpv: opp.cpv, places: opp.places.map((p) => p.code) };
    if (co.closed) return { ...base, closed: co.closed.reason, total: 0, suppliers: [] };
    // Rank everyone without words, then write the reasons of the ones shown, for an officer to read.
    let results = index.match(co, now, settings, { explain: false });
    if (hp !== undefined) results = results.filter((r) => r.highPotential === (hp === 'true'));
    // Local firms first, then by score (raised for high-potential firms).
    results.sort(
      (a, b) =>
        Number(b.localLevel > 0) - Number(a.localLevel > 0) ||
        rankValue(b, settings) - rankValue(a, settings) ||
        (a.supplierId < b.supplierId ? -1 : 1),
    );
    return {
      ...base,
      closed: null,
      total: results.length,
      suppliers: results.slice(0, limit).map((ranked) => {
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
    };
  });
  return c.json({ ocid, title: record.title, opportunities });
});

tenderSupplierRoutes.get('/:ocid/consortia', async (c) => {
  const deps = c.get('deps');
  const ocid = c.req.param('ocid');
  const { record, tags } = await loadTender(c, ocid);
  const now = deps.clock.now();
  const { index } = await c.get('registry').current(deps);
  const lots = record.lots.length >= 2 ? opportunitiesOf(record, tags) : [];
  const lot = c.req.query('lot');
  const targets = lot === undefined ? [wholeTenderOpportunity(record, tags), ...lots] : pickLot(lots.length ? lots : opportunitiesOf(record, tags), lot, ocid);
  const proposals = targets.map((opp) => proposeConsortia(opp, index, now, opp.lotId === '' ? lots : []));
  return c.json({ ocid, title: record.title, proposals });
});
