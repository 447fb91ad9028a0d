import type { Db } from '../client.js';
import { rowsPerInsert } from '../client.js';
import { chunks } from '../bulk.js';
import { readList } from '../json-columns.js';
import type { NewRenewalForecastRow, NewRenewalMatchRow } from '../schema.early.js';
import type { RenewalForecast, RenewalIncumbent } from '../../src/domain/renewals/forecast.js';

/** Ocids that hold an award (what renewal forecasts are made from), not twins of another notice. */
export async function awardedOcids(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('awards as a')
    .innerJoin('tenders as t', 't.ocid', 'a.ocid')
    .select('a.ocid')
    .distinct()
    .where('t.twin_of', 'is', null)
    .orderBy('a.ocid')
    .execute();
  return rows.map((r) => r.ocid);
}

export function forecastRow(f: RenewalForecast, nowIso: string): NewRenewalForecastRow {
  return {
    ocid: f.ocid,
    award_id: f.awardId,
    buyer_name: f.buyerName,
    title: f.title,
    cpv_codes: JSON.stringify(f.cpv),
    value_amount: f.valueAmount,
    value_currency: f.valueCurrency,
    start_date: f.startDate,
    end_date: f.endDate,
    max_extent_date: f.maxExtentDate,
    expected_at: f.expectedAt,
    incumbents: JSON.stringify(f.incumbents),
    framework: f.framework ? 1 : 0,
    extension_option: f.extensionOption ? 1 : 0,
    terminated: f.terminated ? 1 : 0,
    certainty: f.certainty,
    reasons: JSON.stringify(f.reasons),
    forecast_at: nowIso,
  };
}

/**
 * Makes the stored forecasts and forecast matches of these ocids exactly these rows (idempotent): an ocid whose
 * contract no longer falls in the window loses its forecasts and their matches.
 */
export async function replaceForecasts(db: Db, ocids: string[], forecasts: NewRenewalForecastRow[], matches: NewRenewalMatchRow[]): Promise<void> {
  for (const part of chunks([...new Set(ocids)], 400)) {
    await db.deleteFrom('renewal_matches').where('ocid', 'in', part).execute();
    await db.deleteFrom('renewal_forecasts').where('ocid', 'in', part).execute();
  }
  for (const part of chunks(forecasts, rowsPerInsert(db, 18))) if (part.length) await db.insertInto('renewal_forecasts').values(part).execute();
  for (const part of chunks(matches, rowsPerInsert(db, 6))) if (part.length) await db.insertInto('renewal_matches').values(part).execute();
}

export interface StoredRenewal {
  ocid: string;
  award_id: string;
  title: string | null;
  buyer_name: string | null;
  cpv_codes: string[];
  value_amount: number | null;
  value_currency: string | null;
  end_date: string;
  max_extent_date: string | null;
  expected_at: string;
  incumbents: RenewalIncumbent[];
  framework: boolean;
  extension_option: boolean;
  terminated: boolean;
  certainty: string;
  certainty_reasons: string[];
  score: number;
  reasons: string[];
  url: string | null;
}

function readIncumbents(s: string): RenewalIncumbent[] {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? (v as RenewalIncumbent[]) : [];
  } catch {
    return [];
  }
}

/**
 * Contracts up for renewal that fit these suppliers, best first within each: the forecast's expected date not
 * yet passed (`afterIso`). With `untoldOnly`, those not yet in an alert (alert_items kind 'renewal').
 */
export async function renewalsForSuppliers(
  db: Db,
  supplierIds: string[],
  afterIso: string,
  options: { untoldOnly?: boolean; limit?: number } = {},
): Promise<Array<StoredRenewal & { supplier_id: string }>> {
  const out: Array<StoredRenewal & { supplier_id: string }> = [];
  for (const part of chunks(supplierIds, 400)) {
    if (!part.length) continue;
    let q = db
      .selectFrom('renewal_matches as m')
      .innerJoin('renewal_forecasts as f', (j) => j.onRef('f.ocid', '=', 'm.ocid').onRef('f.award_id', '=', 'm.award_id'))
      .leftJoin('tenders as t', 't.ocid', 'm.ocid')
      .select([
        'm.supplier_id',
        'm.score',
        'm.reasons',
        'f.ocid',
        'f.award_id',
        'f.title',
        'f.buyer_name',
        'f.cpv_codes',
        'f.value_amount',
        'f.value_currency',
        'f.end_date',
        'f.max_extent_date',
        'f.expected_at',
        'f.incumbents',
        'f.framework',
        'f.extension_option',
        'f.terminated',
        'f.certainty',
        'f.reasons as certainty_reasons',
        't.url',
      ])
      .where('m.supplier_id', 'in', part)
      .where((eb) => eb.or([eb('f.expected_at', '>', afterIso), eb('f.terminated', '=', 1)]));
    if (options.untoldOnly) {
      q = q.where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('alert_items as a')
              .select('a.ocid')
              .whereRef('a.supplier_id', '=', 'm.supplier_id')
              .whereRef('a.ocid', '=', 'm.ocid')
              .whereRef('a.lot_id', '=', 'm.award_id')
              .where('a.kind', '=', 'renewal'),
          ),
        ),
      );
    }
    const rows = await q.orderBy('m.supplier_id').orderBy('m.score', 'desc').orderBy('f.expected_at').orderBy('m.ocid').execute();
    const perSupplier = new Map<string, number>();
    for (const r of rows) {
      const n = perSupplier.get(r.supplier_id) ?? 0;
      if (options.limit !== undefined && n >= options.limit) continue;
      perSupplier.set(r.supplier_id, n + 1);
      out.push({
        supplier_id: r.supplier_id,
        ocid: r.ocid,
        award_id: r.award_id,
        title: r.title,
        buyer_name: r.buyer_name,
        cpv_codes: readList(r.cpv_codes),
        value_amount: r.value_amount,
        value_currency: r.value_currency,
        end_date: r.end_date,
        max_extent_date: r.max_extent_date,
        expected_at: r.expected_at,
        incumbents: readIncumbents(r.incumbents),
        framework: r.framework === 1,
        extension_option: r.extension_option === 1,
        terminated: r.terminated === 1,
        certainty: r.certainty,
        certainty_reasons: readList(r.certainty_reasons),
        score: r.score,
        reasons: readList(r.reasons),
        url: r.url ?? null,
      });
    }
  }
  return out;
}
