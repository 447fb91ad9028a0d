-- Supplier registry (SMEs, VCSEs, cooperatives), cooperative membership, and stored matches.
-- JSON lists are TEXT holding JSON arrays; booleans are 0/1; dates ISO-8601 TEXT.
-- key_hash holds the SHA-256 (hex) of the supplier's API key: the key itself is never stored.

CREATE TABLE suppliers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  company_number TEXT,
  postcode TEXT,
  home_region TEXT,
  serves TEXT NOT NULL,
  national INTEGER NOT NULL,
  cpv_codes TEXT NOT NULL,
  description TEXT,
  keywords TEXT NOT NULL,
  max_contract_value DOUBLE PRECISION,
  turnover_band TEXT,
  staff_band TEXT,
  certifications TEXT NOT NULL,
  contact_email TEXT,
  key_hash TEXT NOT NULL,
  growth TEXT,
  high_potential_derived INTEGER NOT NULL,
  high_potential_override INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX suppliers_home_region ON suppliers (home_region);
CREATE INDEX suppliers_kind ON suppliers (kind);
CREATE INDEX suppliers_updated ON suppliers (updated_at);

CREATE TABLE cooperative_members (
  cooperative_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY (cooperative_id, member_id)
);
CREATE INDEX cooperative_members_member ON cooperative_members (member_id);

-- One row per supplier and tender or lot (lot_id '' = the whole tender). reasons is a JSON array of
-- plain-English strings. deadline is copied from the tender or lot so alerts can sort without a join.
CREATE TABLE matches (
  supplier_id TEXT NOT NULL,
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  reasons TEXT NOT NULL,
  deadline TEXT,
  computed_at TEXT NOT NULL,
  PRIMARY KEY (supplier_id, ocid, lot_id)
);
CREATE INDEX matches_ocid ON matches (ocid);
CREATE INDEX matches_computed ON matches (computed_at);
