/**
 * For officers' pages: who could bid for a tender (local firms first, then by score, with the officer's reasons)
 * and the consortia proposed for each lot, from the same store queries, supplier registry and matching kernel as
 * GET /tenders/:ocid/suppliers and /consortia, in the same order. The page shows the first few of each lot; the
 * JSON routes page further with their cursors.
 */
import { loadTendersForMatching } from '../db/queries/matches.js';
import { matchSettings } from './config.js';
import type { Deps } from './deps.js';
import { proposeConsortia, type ConsortiumProposal } from './domain/matching/consortia.js';
import { opportunitiesOf, wholeTenderOpportunity } from './domain/matching/opportunity.js';
import { rankValue } from './domain/matching/verdict.js';
import type { RegistryCache } from './registry-cache.js';

const LOCAL_NAMES = ['not local', 'same region', 'same sub-region', 'same area'];

export interface Bidder {
  supplierId: string;
  name: string;
  kind: string;
  local: string;
  highPotential: boolean;
  score: number;
  reasons: string[];
}

export interface LotBidders {
  lotId: string;
  lotTitle: string | null;
  closed: string | null;
  total: number;
  bidders: Bidder[];
}

export interface TenderBidders {
  title: string | null;
  /** The opportunities shown (the whole tender, or a window of its lots), and how many there are in all. */
  lots: LotBidders[];
  from: number;
  totalLots: number;
  consortia: ConsortiumProposal[];
}

/** Null when no such tender is stored. A tender published again elsewhere answers for the twin that stands for it. */
export async function whoCouldBid(
  deps: Deps,
  registryCache: RegistryCache,
  ocid: string,
  options: { highPotential?: boolean; perLot: number; from?: number; lotsShown?: number },
): Promise<TenderBidders | null> {
  const twin = await deps.db.selectFrom('tenders').select('twin_of').where('ocid', '=', ocid).executeTakeFirst();
  if (!twin) return null;
  const [found] = await loadTendersForMatching(deps.db, [twin.twin_of ?? ocid]);
  if (!found) return null;
  const { record, tags } = found;
  const { byId, index } = await registryCache.current(deps);
  const now = deps.clock.now();
  const settings = matchSettings(deps.config);
  const every = opportunitiesOf(record, tags);
  // A tender of many lots is shown a window of lots at a time: each lot's ranking and consortia cost a pass over the registry.
  const shown = options.lotsShown ?? every.length;
  const from = Math.max(0, Math.min(options.from ?? 0, Math.max(0, every.length - 1)));
  const window = every.slice(from, from + shown);
  const lots = window.map((opp): LotBidders => {
    const co = index.compile(opp, now);
    const base = { lotId: opp.lotId, lotTitle: opp.lotTitle ?? null };
    if (co.closed) return { ...base, closed: co.closed.reason, total: 0, bidders: [] };
    let results = index.match(co, now, settings, { explain: false });
    if (options.highPotential !== undefined) results = results.filter((r) => r.highPotential === options.highPotential);
    const ranked = results
      .map((r) => ({ r, local: r.localLevel > 0, rank: rankValue(r, settings) }))
      .sort((a, b) => Number(b.local) - Number(a.local) || b.rank - a.rank || (a.r.supplierId < b.r.supplierId ? -1 : a.r.supplierId > b.r.supplierId ? 1 : 0));
    return {
      ...base,
      closed: null,
      total: results.length,
      bidders: ranked.slice(0, options.perLot).map(({ r: ranked }) => {
        const r = index.explain(co, ranked.supplierId, settings, 'officer')!;
        const p = byId.get(r.supplierId)!;
        return { supplierId: r.supplierId, name: p.name, kind: p.kind, local: LOCAL_NAMES[r.localLevel], highPotential: r.highPotential, score: r.score, reasons: r.reasons };
      }),
    };
  });
  const lotOpps = record.lots.length >= 2 ? every : [];
  const targets = [wholeTenderOpportunity(record, tags), ...(lotOpps.length ? window : [])];
  // Firms that can take a lot on alone are named for people, not by their ids.
  const consortia = targets
    .map((opp) => proposeConsortia(opp, index, now, opp.lotId === '' ? lotOpps : []))
    .map((p) => ({ ...p, soloSuppliers: p.soloSuppliers.map((id) => byId.get(id)?.name ?? id) }));
  return { title: record.title, lots, from, totalLots: every.length, consortia };
}
