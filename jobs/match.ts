import { randomUUID } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import { SupplierIndex, matchSupplierAgainst } from '../src/domain/matching/supplier-index.js';
import type { MatchResult, MatchSettings, Opportunity } from '../src/domain/matching/types.js';
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
import { claimQueued, dequeueClaimed, queuedCount, queuedOcids } from '../db/queries/match-queue.js';
import { chunks } from '../db/bulk.js';

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

type MatchFigures = Omit<MatchTendersSummary, 'job'>;

const noFigures = (): MatchFigures => ({ tenders: 0, opportunities: 0, closed: 0, suppliers: 0, written: 0, removed: 0, expiredDropped: 0 });

/** Matches batches of tenders against the suppliers registered when it was made (their index is built once). */
interface TenderMatcher {
  suppliers: number;
  /** Makes the stored matches of these tenders (at most TENDERS_PER_BATCH) exactly the new result, adding to `figures`. */
  match(ocids: string[], figures: MatchFigures): Promise<void>;
}

/**
 * With `readWithoutSuppliers` false and no supplier registered, the tenders are not read at all (nothing can
 * match them): their stored matches are only cleared, and tenders, opportunities and closed stay uncounted.
 */
async function tenderMatcher(deps: Deps, now: Date, readWithoutSuppliers = true): Promise<TenderMatcher> {
  const nowIso = now.toISOString();
  const settings = matchSettings(deps);
  const index = new SupplierIndex(await loadProfiles(deps.db));
  return {
    suppliers: index.size,
    async match(batch, figures) {
      const tenders = index.size > 0 || readWithoutSuppliers ? await loadTendersForMatching(deps.db, batch) : [];
      const rows: NewMatchRow[] = [];
      for (const { record, tags } of tenders) {
        figures.tenders++;
        for (const opp of opportunitiesOf(record, tags)) {
          figures.opportunities++;
          const co = index.compile(opp, now);
          if (co.closed) {
            figures.closed++;
            continue;
          }
          for (const r of index.match(co, now, settings, { minScore: deps.config.MATCH_MIN_SCORE })) rows.push(rowOf(r, nowIso));
        }
      }
      // Tenders no longer in the store (or closed) keep no matches either: replace over the whole batch.
      const res = await replaceMatchesForTenders(deps.db, batch, rows);
      figures.written += res.written;
      figures.removed += res.removed;
    },
  };
}

/**
 * Matches these (new or changed) tenders against every registered supplier and makes their stored
 * matches exactly the new result: a changed tender's old matches are replaced, a closed one's dropped.
 * Also drops stored matches whose deadline has passed. Running it twice changes nothing.
 */
export async function matchTenders(deps: Deps, options: { ocids: string[] }): Promise<MatchTendersSummary> {
  const now = deps.clock.now();
  const summary: MatchTendersSummary = { job: 'match-tenders', ...noFigures() };
  summary.expiredDropped = await dropExpiredMatches(deps.db, now.toISOString());
  const ocids = [...new Set(options.ocids)];
  if (!ocids.length) return summary;
  const matcher = await tenderMatcher(deps, now);
  summary.suppliers = matcher.suppliers;
  for (const batch of chunks(ocids, TENDERS_PER_BATCH)) await matcher.match(batch, summary);
  deps.log.info('matched tenders', { ...summary });
  return summary;
}

export interface MatchQueueSummary extends MatchFigures {
  job: 'match-queue';
  /** Tenders matched and taken off the match queue. */
  matched: number;
  /** Tenders still in the queue when the run ended: queued again while it ran (the next run matches them). */
  queued: number;
  // tenders, opportunities and closed count what was read: nothing when no supplier is registered.
}

export interface MatchQueueOptions {
  /** Tenders matched, and then taken off the queue, at a time (default 200). */
  tendersPerBatch?: number;
  /** Called after each batch with the number of tenders taken off the queue so far. */
  onProgress?: (matched: number) => void;
}

/**
 * Matches every tender in the match queue (db/queries/match-queue.ts), a batch at a time, as matchTenders
 * does, and takes each batch off the queue only once its matches are written: a run stopped at any point
 * leaves the rest queued, and a tender matched twice gets the same matches. A tender queued again while it
 * was being matched stays queued. Also drops stored matches whose deadline has passed.
 */
export async function drainMatchQueue(deps: Deps, options: MatchQueueOptions = {}): Promise<MatchQueueSummary> {
  const now = deps.clock.now();
  const size = options.tendersPerBatch ?? TENDERS_PER_BATCH;
  const run = `match-${randomUUID()}`;
  const summary: MatchQueueSummary = { job: 'match-queue', matched: 0, queued: 0, ...noFigures() };
  summary.expiredDropped = await dropExpiredMatches(deps.db, now.toISOString());
  let matcher: TenderMatcher | undefined;
  // Pages in ocid order from where the last one ended, so that tenders queued again behind it wait for the next run.
  for (let after = ''; ; ) {
    const page = await queuedOcids(deps.db, after, size * 5);
    if (!page.length) break;
    after = page[page.length - 1];
    // A store without suppliers (just filled from a file) only has its queue emptied, without reading every tender.
    matcher ??= await tenderMatcher(deps, now, false);
    summary.suppliers = matcher.suppliers;
    for (const batch of chunks(page, size)) {
      await claimQueued(deps.db, run, batch);
      await matcher.match(batch, summary);
      summary.matched += await dequeueClaimed(deps.db, run, batch);
      options.onProgress?.(summary.matched);
    }
  }
  summary.queued = await queuedCount(deps.db);
  deps.log.info('matched queued tenders', { ...summary });
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
