import type { Insertable, Selectable } from 'kysely';
import type { TagTables } from './schema.tags.js';
import type { SupplierTables } from './schema.suppliers.js';
import type { AlertTables } from './schema.alerts.js';
import type { OperationsTables } from './schema.operations.js';
import type { SpendTables } from './schema.spend.js';
import type { EarlyTables } from './schema.early.js';
import type { PageTables } from './schema.pages.js';

/**
 * The Kysely view of the store. Every table is created by db/migrations; JSON columns are TEXT
 * holding JSON, booleans are 0/1 integers, dates ISO-8601 TEXT.
 */
export interface ReleasesTable {
  source: string;
  release_id: string;
  ocid: string;
  release_date: string | null;
  tags: string;
  content_hash: string;
  raw: string;
  stored_at: string;
}

export interface TendersTable {
  ocid: string;
  source: string;
  tender_id: string | null;
  title: string | null;
  description: string | null;
  buyer_id: string | null;
  buyer_name: string | null;
  buyer_identifier: string | null;
  buyer_address: string | null;
  buyer_postcode: string | null;
  value_amount: number | null;
  value_currency: string | null;
  status: string | null;
  procurement_method: string | null;
  procurement_method_details: string | null;
  main_category: string | null;
  published_at: string | null;
  deadline: string | null;
  notice_type: string | null;
  suitable_sme: number | null;
  suitable_vcse: number | null;
  reserved_participation: string;
  cpv_codes: string;
  url: string | null;
  last_release_id: string;
  last_release_date: string | null;
  release_count: number;
  content_hash: string;
  updated_at: string;
  /** The twin that stands for this tender (010): set, this one is not matched itself; null otherwise. */
  twin_of: string | null;
  /** A planning notice's last planning milestone due date: it is open until then (010). */
  engagement_ends: string | null;
  /** Normalised buyer name and title, what twins are looked for by (010). */
  buyer_key: string | null;
  title_key: string | null;
}

export interface LotsTable {
  ocid: string;
  lot_id: string;
  title: string | null;
  description: string | null;
  status: string | null;
  value_amount: number | null;
  value_currency: string | null;
  cpv_codes: string;
  places: string;
  suitable_sme: number | null;
  suitable_vcse: number | null;
}

export interface ItemsTable {
  ocid: string;
  item_id: string;
  lot_id: string | null;
  description: string | null;
  cpv_code: string | null;
  additional_cpv_codes: string;
  delivery_regions: string;
  delivery_postcodes: string;
  delivery_description: string | null;
}

export interface AwardsTable {
  ocid: string;
  award_id: string;
  award_date: string | null;
  date_published: string | null;
  status: string | null;
  value_amount: number | null;
  value_currency: string | null;
  lot_ids: string;
}

export interface AwardSuppliersTable {
  ocid: string;
  award_id: string;
  party_id: string;
  name: string | null;
  identifier_scheme: string | null;
  identifier: string | null;
  address: string | null;
  postcode: string | null;
  scale: string | null;
  /** 1 = a VCSE as published, 0 = not, null = not said (010). */
  vcse: number | null;
}

export interface QuarantineTable {
  source: string;
  content_hash: string;
  ocid: string | null;
  release_id: string | null;
  reason: string;
  raw: string;
  received_at: string;
}

export interface SourceStateTable {
  source: string;
  watermark: string | null;
  last_run_started_at: string | null;
  last_run_finished_at: string | null;
  last_status: string | null;
  last_error: string | null;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

/** A tender waiting for the match job (see db/queries/match-queue.ts). */
export interface MatchQueueTable {
  ocid: string;
  queued_at: string;
  /** The match run matching it now; null while it waits. */
  claimed_by: string | null;
}

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

export interface Database extends TagTables, SupplierTables, AlertTables, OperationsTables, SpendTables, EarlyTables, PageTables {
  releases: ReleasesTable;
  tenders: TendersTable;
  lots: LotsTable;
  items: ItemsTable;
  awards: AwardsTable;
  award_suppliers: AwardSuppliersTable;
  quarantine: QuarantineTable;
  source_state: SourceStateTable;
  leases: LeasesTable;
  match_queue: MatchQueueTable;
  schema_migrations: MigrationsTable;
}

export type TenderRow = Selectable<TendersTable>;
export type NewTenderRow = Insertable<TendersTable>;
export type LotRow = Selectable<LotsTable>;
export type ItemRow = Selectable<ItemsTable>;
export type AwardRow = Selectable<AwardsTable>;
export type AwardSupplierRow = Selectable<AwardSuppliersTable>;
