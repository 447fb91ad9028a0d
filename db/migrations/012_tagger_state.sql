-- The version of the CPV tagger (its model and rules) that every stored tender was last tagged with as a whole:
-- written by a complete retag, or on a store that had no tenders yet. Start-up and the ingest job compare it
-- with the running tagger's version; when they differ, tags are stale and a retag runs (or is asked for).

CREATE TABLE tagger_state (
  id INTEGER PRIMARY KEY,
  version TEXT NOT NULL,
  retagged_at TEXT NOT NULL
);
