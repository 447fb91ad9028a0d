import type { Deps } from '../src/deps.js';
import { SupplierIndex, matchSupplierAgainst, type MatchResult, type MatchSettings, type Opportunity } from '../src/domain/matching/index.js';
import { opportunitiesOf } from '../src/domain/matching/opportunity.js';
import type { NewMatchRow } from '../db/schema.suppliers.js';
import { cooperativesOf, loadProfile, loadProfiles } from '../db/queries/suppliers.js';
import {
  dropExpiredMatches,
  loadTendersForMatching,
  openTenderOcids,
  replaceMatchesForSupplier,
  replaceMatchesForTenders,
} from '../db/queries/matches.js';

export function matchSettings(deps: Pick<Deps, 'config'>): MatchSettings {
  return { localWeight: deps.config.LOCAL_WEIGHT, highPotentialBoost: deps.config.HIGH_POTENTIAL_BOOST };
}

const TENDERS_PER_BATCH = 200;

function rowOf(r: MatchResult, computedAt: string): NewMatchRow {
  return {
    supplier_id: r.supplierId,
    ocid: r.ocid,
    lot_id: r.lotId,
    score: r.score,
    reasons: JSON.stringify(r.reasons),
    deadline: r.deadline,
    computed_at: computedAt,
  };
}

export interface MatchTendersSummary {
  job: 'match-tenders';
  tenders: number;
  opportunities: number;
  closed: number;
  suppliers: number;
  written: number;
  removed: number;
  expiredDropped: number;
}

/**
 * Matches these (new or changed) tenders against every registered supplier and makes their stored
 * matches exactly the new result: a changed tender's old matches are replaced, a closed one's dropped.
 * Also drops stored matches whose deadline has passed. Running it twice changes nothing.
 */
export async function matchTenders(deps: Deps, options: { ocids: string[] }): Promise<MatchTendersSummary> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const settings = matchSettings(deps);
  const summary: MatchTendersSummary = {
    job: 'match-tenders',
    tenders: 0,
    opportunities: 0,
    closed: 0,
    suppliers: 0,
    written: 0,
    removed: 0,
    expiredDropped: 0,
  };
  summary.expiredDropped = await dropExpiredMatches(deps.db, nowIso);
  const ocids = [...new Set(options.ocids)];
  if (!ocids.length) return summary;
  const index = new SupplierIndex(await loadProfiles(deps.db));
  summary.suppliers = index.size;
  for (let i = 0; i < ocids.length; i += TENDERS_PER_BATCH) {
    const batch = ocids.slice(i, i + TENDERS_PER_BATCH);
    const tenders = await loadTendersForMatching(deps.db, batch);
    const rows: NewMatchRow[] = [];
    for (const { record, tags } of tenders) {
      summary.tenders++;
      for (const opp of opportunitiesOf(record, tags)) {
        summary.opportunities++;
        const co = index.compile(opp, now);
        if (co.closed) {
          summary.closed++;
          continue;
        }
        for (const r of index.match(co, now, settings, { minScore: deps.config.MATCH_MIN_SCORE })) rows.push(rowOf(r, nowIso));
      }
    }
    // Tenders no longer in the store (or closed) keep no matches either: replace over the whole batch.
    const res = await replaceMatchesForTenders(deps.db, batch, rows);
    summary.written += res.written;
    summary.removed += res.removed;
  }
  deps.log.info('matched tenders', { ...summary });
  return summary;
}

export interface MatchSupplierSummary {
  job: 'match-supplier';
  supplierId: string;
  found: boolean;
  openTenders: number;
  written: number;
  removed: number;
  cooperatives: string[];
}

async function openOpportunities(deps: Deps): Promise<Opportunity[]> {
  const ocids = await openTenderOcids(deps.db, deps.clock.now().toISOString());
  const tenders = await loadTendersForMatching(deps.db, ocids);
  return tenders.flatMap(({ record, tags }) => opportunitiesOf(record, tags));
}

/**
 * Matches one supplier (just registered or changed) against every open tender and lot, replacing its
 * stored matches; then the cooperatives it belongs to, whose combined profile changed with it.
 */
export async function matchSupplier(deps: Deps, supplierId: string, opportunities?: Opportunity[]): Promise<MatchSupplierSummary> {
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  const profile = await loadProfile(deps.db, supplierId);
  const summary: MatchSupplierSummary = { job: 'match-supplier', supplierId, found: !!profile, openTenders: 0, written: 0, removed: 0, cooperatives: [] };
  const opps = opportunities ?? (await openOpportunities(deps));
  summary.openTenders = new Set(opps.map((o) => o.ocid)).size;
  const results = profile ? matchSupplierAgainst(profile, opps, now, matchSettings(deps), deps.config.MATCH_MIN_SCORE) : [];
  const res = await replaceMatchesForSupplier(deps.db, supplierId, results.map((r) => rowOf(r, nowIso)));
  summary.written = res.written;
  summary.removed = res.removed;
  if (profile && profile.kind !== 'cooperative') {
    for (const coop of await cooperativesOf(deps.db, supplierId)) {
      await matchSupplier(deps, coop, opps);
      summary.cooperatives.push(coop);
    }
  }
  deps.log.info('matched supplier', { supplierId, written: summary.written, removed: summary.removed });
  return summary;
}
