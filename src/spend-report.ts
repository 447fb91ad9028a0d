/**
 * Builds spend reports for the routes and the command line: which buyers (named, or every buyer in a place),
 * which quarters, which exclusions; then reads rollups, payees and local suppliers from the store and hands
 * them to the pure report (src/domain/spend/report.ts). Reads only: nothing here writes or runs a job.
 */
import type { Db } from '../db/client.js';
import { getPlace } from '../db/queries/places.js';
import { buyerIdOf, buyersInPlace, getBuyer, listBuyers, loadClassCells, loadPeriodCells, loadSupplierCells, toBuyerArea } from '../db/queries/spend.js';
import { loadLocalSuppliers, loadPayeeFacts, payeeFactsOf } from '../db/queries/spend-payees.js';
import { loadAwardInputs, registryByCompanyNumber, tenderBuyers } from '../db/queries/spend-awards.js';
import { regionCodesFor } from '../db/queries/places.js';
import { awardsView } from './domain/spend/awards.js';
import { spendCsv } from './domain/spend/csv.js';
import { EXCLUSIONS, type Exclusion } from './domain/spend/payees.js';
import type { BuyerArea } from './domain/spend/places.js';
import { placeOfPostcode } from './domain/geo/index.js';
import { quarterOf } from './domain/spend/quarters.js';
import { bareBuyer, computeReport, listedPayees, planReportFromClasses, withListedFacts, type NamedPlace, type SpendReport } from './domain/spend/report.js';
import { leadingSuppliers } from '../db/queries/spend-lists.js';
import { engineOf } from '../db/client.js';
import { parseSpendDate } from './domain/spend/values.js';
import { AppError } from './errors.js';

export interface ReportQuery {
  /** Buyer names or ids, comma-separated in the query string. */
  buyers: string[];
  place: string | null;
  from: string | null;
  to: string | null;
  /** Exclusions to lift (`include=public_body`). */
  include: Exclusion[];
  view: 'spend' | 'awards';
  top: number;
}

export interface QueryProblem {
  field: string;
  message: string;
}

/** A period bound: `2014-04-01`, `01/04/2014` or a quarter key `2014Q1`; rounded to its financial quarter. */
function quarterBound(raw: string, field: string, problems: QueryProblem[]): string | null {
  if (/^\d{4}Q[1-4]$/.test(raw.trim())) return raw.trim();
  const d = parseSpendDate(raw);
  if (!d.ok) {
    problems.push({ field, message: `must be a date (2014-04-01) or a financial quarter (2014Q1), not "${raw}"` });
    return null;
  }
  return quarterOf(d.value);
}

/** Reads and checks report parameters from a plain record (the query string, or CLI options). */
export function readReportQuery(q: Record<string, string | undefined>): { query: ReportQuery; problems: QueryProblem[] } {
  const problems: QueryProblem[] = [];
  const buyers = (q.buyer ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const include: Exclusion[] = [];
  for (const raw of (q.include ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if ((EXCLUSIONS as readonly string[]).includes(raw)) include.push(raw as Exclusion);
    else problems.push({ field: 'include', message: `"${raw}" is not one of ${EXCLUSIONS.join(', ')}` });
  }
  const view = (q.view ?? 'spend') as 'spend' | 'awards';
  if (view !== 'spend' && view !== 'awards') problems.push({ field: 'view', message: 'must be spend or awards' });
  const top = q.top === undefined ? 20 : Number(q.top);
  if (!Number.isInteger(top) || top < 1 || top > 200) problems.push({ field: 'top', message: 'must be a whole number from 1 to 200' });
  const place = q.place?.trim() || null;
  if (!buyers.length && !place) problems.push({ field: 'buyer', message: 'give a buyer (or several, comma-separated) or a place' });
  const from = q.from ? quarterBound(q.from, 'from', problems) : null;
  const to = q.to ? quarterBound(q.to, 'to', problems) : null;
  if (from && to && from > to) problems.push({ field: 'to', message: 'must not be before from' });
  return { query: { buyers, place, from, to, include, view, top }, problems };
}

/** A named place (an administrator's, a combined authority as geo names them, or a region code or name). */
async function namedPlace(db: Db, input: string): Promise<NamedPlace | null> {
  const stored = await getPlace(db, input);
  if (stored) return { name: stored.name, codes: stored.codes, combinedAuthority: null };
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const ca = (await listBuyers(db)).find((b) => b.combined_authority && squash(b.combined_authority) === squash(input));
  if (ca) return { name: ca.combined_authority!, codes: [], combinedAuthority: ca.combined_authority };
  const codes = await regionCodesFor(db, input);
  return codes ? { name: input, codes, combinedAuthority: null } : null;
}

async function buyersOf(db: Db, query: ReportQuery, place: NamedPlace | null, view: 'spend' | 'awards'): Promise<BuyerArea[]> {
  if (query.buyers.length) {
    const out: BuyerArea[] = [];
    const tender = view === 'awards' ? await tenderBuyers(db) : null;
    const missing: string[] = [];
    for (const name of query.buyers) {
      const id = buyerIdOf(name);
      const row = await getBuyer(db, id);
      if (row) out.push(toBuyerArea(row));
      else if (tender?.has(id)) out.push(buyerFromTenders(id, tender.get(id)!));
      else missing.push(name);
    }
    if (missing.length) {
      throw new AppError(
        'not_found',
        view === 'spend'
          ? `no spend has been loaded for ${missing.map((m) => `"${m}"`).join(', ')}; load a file with POST /spend/files or npm run cli -- spend import`
          : `no stored tender names ${missing.map((m) => `"${m}"`).join(', ')} as its buyer`,
        { buyers: missing },
      );
    }
    return out;
  }
  const rows = await buyersInPlace(db, place!.codes, place!.combinedAuthority);
  return rows.map(toBuyerArea);
}

function buyerFromTenders(id: string, b: { names: string[]; postcode: string | null }): BuyerArea {
  const p = b.postcode ? placeOfPostcode(b.postcode) : null;
  if (!p) return bareBuyer(id, b.names[0]);
  return { buyerId: id, name: b.names[0], regionCode: null, lad: p.lad, ladName: p.ladName, itl3: p.itl3, itl1: p.itl1, combinedAuthority: p.combinedAuthority };
}

export interface BuiltReport {
  report: SpendReport & { awards_skipped?: Record<string, number> };
  csv: () => Promise<string>;
}

export async function buildReport(db: Db, query: ReportQuery, searchPath = '/suppliers'): Promise<BuiltReport> {
  const place = query.place ? await namedPlace(db, query.place) : null;
  if (query.place && !place) {
    throw new AppError('bad_query', `"${query.place}" is not a named place, a combined authority of a loaded buyer, a region code or a region name`, {
      fields: [{ field: 'place', message: 'unknown place' }],
    });
  }
  const buyers = await buyersOf(db, query, place, query.view);
  const exclude = EXCLUSIONS.filter((e) => !query.include.includes(e));
  const localSuppliers = await loadLocalSuppliers(db);
  const options = { exclude, place, topSuppliers: query.top, topLeaks: query.top, searchPath, localSuppliers, view: query.view };
  if (query.view === 'awards') {
    const view = awardsView(await loadAwardInputs(db, buyers.map((b) => b.buyerId)), await registryByCompanyNumber(db));
    const cells = view.cells.filter((c) => (!query.from || c.quarter >= query.from) && (!query.to || c.quarter <= query.to));
    return {
      report: { ...computeReport(cells, view.payees, buyers, options), awards_skipped: view.skipped },
      csv: async () => spendCsv(cells, view.payees, buyers, { exclude, place }),
    };
  }
  const ids = buyers.map((b) => b.buyerId);
  // Shares from the class rollup, suppliers from the period rollup of resolved payees: never the payment lines.
  const classCells = await loadClassCells(db, ids, query.from, query.to);
  const plan = planReportFromClasses(classCells.quarters, buyers, options, classCells.categories);
  let report: SpendReport;
  if (engineOf(db) === 'd1') {
    // D1 binds at most 100 values a statement: the lists are ranked in memory instead.
    const suppliers = await loadSupplierCells(db, ids, query.from, query.to, exclude.includes('payroll') && exclude.includes('tax'));
    const ranked = plan.finish(suppliers.cells, suppliers.facts);
    report = withListedFacts(ranked, await payeeFactsOf(db, listedPayees(ranked)));
  } else {
    const lists = await leadingSuppliers(db, { buyerIds: ids, fromQuarter: query.from, toQuarter: query.to, exclude, top: query.top }, plan);
    report = plan.finish(lists.cells, lists.facts, lists.leakingSuppliers);
  }
  return {
    report,
    csv: async () => spendCsv(await loadPeriodCells(db, ids, query.from, query.to), await loadPayeeFacts(db, ids), buyers, { exclude, place }),
  };
}
