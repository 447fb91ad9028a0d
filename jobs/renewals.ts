import type { Deps } from '../src/deps.js';
import { matchSettings } from '../src/config.js';
import { SupplierIndex } from '../src/domain/matching/supplier-index.js';
import { wholeTenderOpportunity } from '../src/domain/matching/opportunity.js';
import { forecastAsTender, forecastRenewals, type RenewalForecast } from '../src/domain/renewals/forecast.js';
import type { SupplierProfile } from '../src/domain/matching/types.js';
import type { TenderRecord } from '../src/domain/ocds/types.js';
import { chunks } from '../db/bulk.js';
import { loadProfiles } from '../db/queries/suppliers.js';
import { loadCompiledTenders } from '../db/queries/releases.js';
import { awardedOcids, forecastRow, replaceForecasts } from '../db/queries/renewals.js';
import type { NewRenewalForecastRow, NewRenewalMatchRow } from '../db/schema.early.js';

/**
 * Contracts up for renewal: every awarded procurement in the store is read again (its award, contract details,
 * changes and terminations compiled together), the contracts ending 6–18 months from now (or just terminated)
 * are forecast, and each forecast is matched to the registered suppliers by the same matcher as tenders, with
 * the incumbent left out of its own contract. Stored forecasts and their matches are replaced per ocid, so a run
 * twice changes nothing and a crash part-way leaves the ocids done so far complete. Run by the alert run before
 * it queues digests, and by `npm run cli -- forecast-renewals`.
 */

export interface RenewalRunSummary {
  job: 'forecast-renewals';
  awarded: number;
  forecasts: number;
  matches: number;
  suppliers: number;
}

const OCIDS_PER_BATCH = 200;

const plain = (s: string | null | undefined) => (s ?? '').toLowerCase().replace(/\b(?:ltd|limited|plc|llp|the)\b/g, '').replace(/[^a-z0-9]+/g, ' ').trim();

/** The forecast matched to suppliers: the matcher's result for the forecast read as a planned tender. */
export function matchForecast(
  index: SupplierIndex,
  f: RenewalForecast,
  record: TenderRecord,
  now: Date,
  settings: ReturnType<typeof matchSettings>,
  minScore: number,
  profiles: Map<string, SupplierProfile>,
): NewRenewalMatchRow[] {
  const opp = wholeTenderOpportunity(forecastAsTender(f, record));
  const co = index.compile(opp, now);
  if (co.closed) return [];
  const incumbents = new Set(f.incumbents.map((i) => plain(i.name)).filter(Boolean));
  const nowIso = now.toISOString();
  return index
    .match(co, now, settings, { minScore })
    .filter((r) => !incumbents.has(plain(profiles.get(r.supplierId)?.name)))
    .map((r) => ({
      supplier_id: r.supplierId,
      ocid: f.ocid,
      award_id: f.awardId,
      score: r.score,
      reasons: JSON.stringify(r.reasons),
      computed_at: nowIso,
    }));
}

export async function forecastAndMatchRenewals(deps: Deps, options: { ocids?: string[] } = {}): Promise<RenewalRunSummary> {
  const { db, clock, config } = deps;
  const now = clock.now();
  const nowIso = now.toISOString();
  const list = await loadProfiles(db);
  const profiles = new Map(list.map((p) => [p.id, p]));
  const index = new SupplierIndex(list);
  const settings = matchSettings(config);
  const ocids = options.ocids ?? (await awardedOcids(db));
  const summary: RenewalRunSummary = { job: 'forecast-renewals', awarded: ocids.length, forecasts: 0, matches: 0, suppliers: index.size };
  for (const part of chunks(ocids, OCIDS_PER_BATCH)) {
    const forecasts: NewRenewalForecastRow[] = [];
    const matches: NewRenewalMatchRow[] = [];
    for (const { compiled, record } of await loadCompiledTenders(db, part)) {
      for (const f of forecastRenewals(compiled, record, now)) {
        forecasts.push(forecastRow(f, nowIso));
        if (index.size > 0) matches.push(...matchForecast(index, f, record, now, settings, config.MATCH_MIN_SCORE, profiles));
      }
    }
    await replaceForecasts(db, part, forecasts, matches);
    summary.forecasts += forecasts.length;
    summary.matches += matches.length;
  }
  return summary;
}
