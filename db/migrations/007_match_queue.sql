-- Tenders waiting to be matched. A row is written with the tender rows whenever a tender's compiled
-- record changes (and by retag when its tags change), and deleted by the match job only once the
-- tender's matches are written, so a crash between ingest and matching leaves the tender queued.
-- claimed_by: the match run matching it now (NULL = waiting). Queuing a tender again sets it back to
-- NULL, so a run that read the tender before it changed again does not take it off the queue.

CREATE TABLE match_queue (
  ocid TEXT PRIMARY KEY,
  queued_at TEXT NOT NULL,
  claimed_by TEXT
);
