import type { Insertable, Selectable } from 'kysely';

/** A contract forecast to come up for renewal (migration 014; see src/domain/renewals/forecast.ts). */
export interface RenewalForecastsTable {
  ocid: string;
  award_id: string;
  buyer_name: string | null;
  title: string | null;
  /** JSON array of 8-digit CPV codes. */
  cpv_codes: string;
  value_amount: number | null;
  value_currency: string | null;
  start_date: string | null;
  end_date: string;
  max_extent_date: string | null;
  expected_at: string;
  /** JSON array of {name, scale}. */
  incumbents: string;
  framework: number;
  extension_option: number;
  terminated: number;
  /** 'high' | 'medium' | 'low' */
  certainty: string;
  /** JSON array of strings. */
  reasons: string;
  forecast_at: string;
}

export interface RenewalMatchesTable {
  supplier_id: string;
  ocid: string;
  award_id: string;
  score: number;
  /** JSON array of plain-English strings. */
  reasons: string;
  computed_at: string;
}

/** Tables of migration 014. Merged into Database in schema.ts. */
export interface EarlyTables {
  renewal_forecasts: RenewalForecastsTable;
  renewal_matches: RenewalMatchesTable;
}

export type RenewalForecastRow = Selectable<RenewalForecastsTable>;
export type NewRenewalForecastRow = Insertable<RenewalForecastsTable>;
export type NewRenewalMatchRow = Insertable<RenewalMatchesTable>;
