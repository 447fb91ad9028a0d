-- Tags: where each tender and lot is delivered, where its buyer and suppliers are, and what it buys (CPV).
-- lot_id '' = the whole tender. party_id '' except for supplier places (the award supplier's party id).
-- code: ITL 2021 (TL = UK-wide). national = 1 for UK-wide and England-wide places.

CREATE TABLE tender_places (
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  role TEXT NOT NULL,
  party_id TEXT NOT NULL,
  code TEXT NOT NULL,
  level INTEGER NOT NULL,
  method TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  national INTEGER NOT NULL,
  raw TEXT NOT NULL,
  tagged_at TEXT NOT NULL,
  PRIMARY KEY (ocid, lot_id, role, party_id, code)
);
CREATE INDEX tender_places_code ON tender_places (role, code);

-- method: 'published' (from the notice) or 'inferred' (from title and description by the classifier).
-- reason says why an inferred code was added: 'no_code', 'division_only', 'contradicts_text'.
CREATE TABLE tender_cpv (
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  code TEXT NOT NULL,
  method TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  reason TEXT,
  tagger_version TEXT NOT NULL,
  tagged_at TEXT NOT NULL,
  PRIMARY KEY (ocid, lot_id, code)
);
CREATE INDEX tender_cpv_code ON tender_cpv (code);

-- Named places an administrator defines: a name and the ITL codes it covers (JSON array).
CREATE TABLE places (
  name TEXT PRIMARY KEY,
  name_key TEXT NOT NULL,
  codes TEXT NOT NULL,
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX places_name_key ON places (name_key);
