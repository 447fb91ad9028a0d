/** Tables of migration 009: the supplier match queue and the request counters of the rate limits. */

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

export interface OperationsTables {
  supplier_match_queue: SupplierMatchQueueTable;
  rate_limits: RateLimitsTable;
}
