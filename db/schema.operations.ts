/** Tables of migration 009 (the supplier match queue, the request counters of the rate limits) and of the text index. */

/** A supplier waiting for the match job (see db/queries/match-queue.ts). */
export interface SupplierMatchQueueTable {
  supplier_id: string;
  queued_at: string;
  /** The match run matching it now; null while it waits. */
  claimed_by: string | null;
}

/** Requests of one client under one limit in the current window (src/rate-limits.ts). */
export interface RateLimitsTable {
  bucket: string;
  window_ends_at: string;
  hits: number;
}

/** SQLite and D1 only (db/tender-search.sqlite.ts): each tender's row id in the text index, ordered as the list is. */
export interface TenderSearchDocsTable {
  doc: number;
  ocid: string;
}

export interface OperationsTables {
  supplier_match_queue: SupplierMatchQueueTable;
  rate_limits: RateLimitsTable;
  tender_search_docs: TenderSearchDocsTable;
}
