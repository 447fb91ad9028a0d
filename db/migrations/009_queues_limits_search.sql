-- Suppliers whose matches are to be written again: a row is written with every registration, profile change
-- or membership change (for the supplier and the cooperatives it belongs to), before the supplier row, and
-- deleted by the match job (jobs/match.ts) only once the supplier's matches are written, so a request never
-- waits for matching and a crash in between leaves the supplier queued. claimed_by: the run matching it now
-- (NULL = waiting); queuing it again sets it back to NULL, as in match_queue (007).

CREATE TABLE supplier_match_queue (
  supplier_id TEXT PRIMARY KEY,
  queued_at TEXT NOT NULL,
  claimed_by TEXT
);

-- Requests counted per client and limit in fixed windows (src/rate-limits.ts), in the store so that every
-- instance (and every Worker isolate) counts against the same window. bucket: limit name and client.
-- window_ends_at: ISO time at which the count starts again. Rows of windows long over are deleted as they go.

CREATE TABLE rate_limits (
  bucket TEXT PRIMARY KEY,
  window_ends_at TEXT NOT NULL,
  hits INTEGER NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_ends_at);

-- The newest-first list of tenders (GET /tenders) reads this index in its order, from the cursor on, and stops
-- after one page: no request sorts the table.

CREATE INDEX tenders_newest ON tenders ((coalesce(published_at, '')), ocid);
