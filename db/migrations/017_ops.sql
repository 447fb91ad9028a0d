-- Which suppliers each move of the registry version (migration 008) touched, so that a process holding the
-- registry in memory applies those few changes in place instead of reloading every supplier. One row per
-- supplier and version; a write that changes a cooperative's capabilities (a member's profile, an answered
-- invitation) names the cooperative too. Old rows are trimmed by the writer; a reader that finds a gap in
-- the versions it needs reloads whole.

CREATE TABLE registry_changes (
  version BIGINT NOT NULL,
  supplier_id TEXT NOT NULL,
  PRIMARY KEY (version, supplier_id)
);
