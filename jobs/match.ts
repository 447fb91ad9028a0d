import { randomUUID } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import { SupplierIndex, matchSupplierAgainst } from '../src/domain/matching/supplier-index.js';
import type { MatchResult, MatchSettings, Opportunity } from '../src/domain/matching/types.js';
import { matchSettings } from '../src/config.js';
import { opportunitiesOf } from '../src/domain/matching/opportunity.js';
import type { NewMatchRow } from '../db/schema.suppliers.js';
import { cooperativesOf, loadProfiles, loadProfilesOf } from '../db/queries/suppliers.js';
import {
  dropExpiredMatches,
  loadTendersForMatching,
  openTenderOcidsAfter,
  removeSupplierMatchesExcept,
  replaceMatchesForTenders,
  upsertMatches,
} from '../db/queries/matches.js';
import {
  claimQueued,
  claimQueuedSuppliers,
  dequeueClaimed,
  dequeueClaimedSuppliers,
  queuedCount,
  queuedOcids,
  queuedSupplierCount,
  queuedSupplierIds,
} from '../db/queries/match-queue.js';
import { chunks } from '../db/bulk.js';


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
  const settings = matchSettings(deps.config);
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

/** Open tenders read at a time while suppliers are matched (a batch of big tenders with 80 lots each loads in about 30 ms). */
const OPEN_TENDERS_PER_BATCH = 10;
/** Longest run of matching between two yields: a request waits at most about this long behind the job. */
const SLICE_MS = 20;

interface SupplierMatchFigures {
  /** Suppliers found and matched (a queued id no longer registered has its matches removed). */
  suppliers: number;
  openTenders: number;
  opportunities: number;
  written: number;
  removed: number;
}

/**
 * Matches these suppliers against every open tender and lot and makes each one's stored matches exactly the new
 * result. The open tenders are read a batch at a time (keyset by ocid), so memory holds one batch and the matches'
 * keys, not every open tender; between batches the job yields (deps.sleep(0)) so that requests served by the same
 * process wait for one batch at most.
 */
async function matchSuppliersAgainstOpenTenders(deps: Deps, supplierIds: string[], now: Date): Promise<SupplierMatchFigures> {
  const nowIso = now.toISOString();
  const profiles = await loadProfilesOf(deps.db, supplierIds);
  const figures: SupplierMatchFigures = { suppliers: profiles.length, openTenders: 0, opportunities: 0, written: 0, removed: 0 };
  const kept = new Map<string, Set<string>>(supplierIds.map((id) => [id, new Set<string>()]));
  if (profiles.length) {
    const settings = matchSettings(deps.config);
    const index = new SupplierIndex(profiles);
    for (let after = ''; ; ) {
      const page = await openTenderOcidsAfter(deps.db, nowIso, after, OPEN_TENDERS_PER_BATCH);
      if (!page.length) break;
      after = page[page.length - 1];
      figures.openTenders += page.length;
      const rows: NewMatchRow[] = [];
      let slice = performance.now();
      for (const { record, tags } of await loadTendersForMatching(deps.db, page)) {
        // A tender of many lots takes a while: let waiting requests in between tenders.
        if (performance.now() - slice > SLICE_MS) {
          await deps.sleep(0);
          slice = performance.now();
        }
        for (const opp of opportunitiesOf(record, tags)) {
          figures.opportunities++;
          const co = index.compile(opp, now);
          if (co.closed) continue;
          for (const r of index.match(co, now, settings, { minScore: deps.config.MATCH_MIN_SCORE })) rows.push(rowOf(r, nowIso));
        }
      }
      await upsertMatches(deps.db, rows);
      for (const r of rows) kept.get(r.supplier_id)!.add(`${r.ocid}\u0000${r.lot_id}`);
      figures.written += rows.length;
      await deps.sleep(0);
    }
  }
  // Matches no longer made (a tender that closed, a profile that changed) go last, so a crash leaves no gap.
  for (const [supplierId, keep] of kept) figures.removed += await removeSupplierMatchesExcept(deps.db, supplierId, keep);
  return figures;
}

/**
 * Matches one supplier against every open tender and lot, replacing its stored matches; then the cooperatives it
 * belongs to, whose combined profile changed with it. (What `match --supplier` runs; registrations and profile
 * changes queue the supplier for drainSupplierMatchQueue instead.)
 */
export async function matchSupplier(deps: Deps, supplierId: string): Promise<MatchSupplierSummary> {
  const now = deps.clock.now();
  const found = !!(await loadProfilesOf(deps.db, [supplierId])).length;
  const kind = found ? (await deps.db.selectFrom('suppliers').select('kind').where('id', '=', supplierId).executeTakeFirst())?.kind : undefined;
  const cooperatives = found && kind !== 'cooperative' ? await cooperativesOf(deps.db, supplierId) : [];
  const own = await matchSuppliersAgainstOpenTenders(deps, [supplierId], now);
  if (cooperatives.length) await matchSuppliersAgainstOpenTenders(deps, cooperatives, now);
  deps.log.info('matched supplier', { supplierId, written: own.written, removed: own.removed });
  return { job: 'match-supplier', supplierId, found, openTenders: own.openTenders, written: own.written, removed: own.removed, cooperatives };
}

export interface SupplierQueueSummary extends SupplierMatchFigures {
  job: 'match-suppliers';
  /** Suppliers matched and taken off the supplier match queue. */
  matched: number;
  /** Suppliers still queued when the run ended: queued again while it ran (the next run matches them). */
  queued: number;
}

export interface SupplierQueueOptions {
  /** Suppliers matched together, against one read of the open tenders (default 500). */
  suppliersPerPass?: number;
}

/**
 * Matches every supplier in the supplier match queue (registered, changed, or a cooperative whose member changed)
 * against the open tenders, a pass of up to 500 suppliers at a time, and takes each supplier off the queue only once
 * its matches are written: a run stopped at any point leaves the rest queued, and a supplier matched twice gets the
 * same matches. A supplier queued again while it was being matched stays queued for the next run.
 */
export async function drainSupplierMatchQueue(deps: Deps, options: SupplierQueueOptions = {}): Promise<SupplierQueueSummary> {
  const now = deps.clock.now();
  const size = options.suppliersPerPass ?? 500;
  const run = `match-suppliers-${randomUUID()}`;
  const summary: SupplierQueueSummary = { job: 'match-suppliers', matched: 0, queued: 0, suppliers: 0, openTenders: 0, opportunities: 0, written: 0, removed: 0 };
  for (let after = ''; ; ) {
    const pass = await queuedSupplierIds(deps.db, after, size);
    if (!pass.length) break;
    after = pass[pass.length - 1];
    await claimQueuedSuppliers(deps.db, run, pass);
    const figures = await matchSuppliersAgainstOpenTenders(deps, pass, now);
    for (const key of ['suppliers', 'openTenders', 'opportunities', 'written', 'removed'] as const) summary[key] += figures[key];
    summary.matched += await dequeueClaimedSuppliers(deps.db, run, pass);
  }
  summary.queued = await queuedSupplierCount(deps.db);
  if (summary.matched || summary.queued) deps.log.info('matched queued suppliers', { ...summary });
  return summary;
}
