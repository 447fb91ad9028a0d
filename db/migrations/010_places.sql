-- Places down to the local authority, and nothing lost.
--
-- tender_places: each place tag keeps its ITL code (what the matcher reads) and gains the local authority
-- district it names, where known: lad (LAD GSS code, '' = not known), lad_confidence (the share of the postcode
-- sector's or district's postcodes in that LAD; 1 for a name or an exact postcode) and postcode (the postcode it was
-- read from, so that an imported postcode list can make it exact). Two LADs can share an ITL3 area (Doncaster and
-- Rotherham), so lad joins the key: the table is made again with it, its rows kept.
CREATE TABLE tender_places_010 (
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  role TEXT NOT NULL,
  party_id TEXT NOT NULL,
  code TEXT NOT NULL,
  lad TEXT NOT NULL DEFAULT '',
  level INTEGER NOT NULL,
  method TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  lad_confidence DOUBLE PRECISION,
  national INTEGER NOT NULL,
  postcode TEXT,
  raw TEXT NOT NULL,
  tagged_at TEXT NOT NULL,
  PRIMARY KEY (ocid, lot_id, role, party_id, code, lad)
);
INSERT INTO tender_places_010 (ocid, lot_id, role, party_id, code, lad, level, method, confidence, lad_confidence, national, postcode, raw, tagged_at)
  SELECT ocid, lot_id, role, party_id, code, '', level, method, confidence, NULL, national, NULL, raw, tagged_at FROM tender_places;
DROP TABLE tender_places;
ALTER TABLE tender_places_010 RENAME TO tender_places;
CREATE INDEX tender_places_code ON tender_places (role, code);
CREATE INDEX tender_places_lad ON tender_places (role, lad);

-- Every live postcode with its LAD, when an administrator imports the list (`places import-postcodes`): then a
-- full postcode is placed exactly rather than through its sector. Optional; empty by default.
CREATE TABLE postcode_lads (
  postcode TEXT PRIMARY KEY,
  lad TEXT NOT NULL,
  source TEXT NOT NULL,
  imported_at TEXT NOT NULL
);

-- Award suppliers: the VCSE flag as published (parties[].details.vcse, or `vco` in the old Contracts Finder shape).
ALTER TABLE award_suppliers ADD COLUMN vcse INTEGER;

-- A planning notice (early engagement, prior information) is open only until its engagement ends: the last
-- due date of its planning milestones, as published (null = none given).
ALTER TABLE tenders ADD COLUMN engagement_ends TEXT;

-- The same procurement published twice (on two portals, or again under a new ocid): both tenders stay, linked.
-- twin_of names the tender that stands for the pair (matched and alerted); the other is not matched itself.
-- buyer_key and title_key are what twins are looked for by (normalised buyer name and title).
ALTER TABLE tenders ADD COLUMN twin_of TEXT;
ALTER TABLE tenders ADD COLUMN buyer_key TEXT;
ALTER TABLE tenders ADD COLUMN title_key TEXT;
CREATE INDEX tenders_buyer_key ON tenders (buyer_key, published_at);
CREATE INDEX tenders_title_key ON tenders (title_key, published_at);
CREATE INDEX tenders_buyer_postcode ON tenders (buyer_postcode, published_at);

CREATE TABLE tender_twins (
  ocid TEXT NOT NULL,
  twin_ocid TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  reasons TEXT NOT NULL,
  found_at TEXT NOT NULL,
  PRIMARY KEY (ocid, twin_ocid)
);
CREATE INDEX tender_twins_twin ON tender_twins (twin_ocid);
