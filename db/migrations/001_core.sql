-- Core store: raw releases, tenders compiled per ocid, their lots, items and awards,
-- quarantined input, per-source ingest state and leases.
-- Portable SQL: runs unchanged on SQLite, Cloudflare D1 and PostgreSQL.

CREATE TABLE releases (
  source TEXT NOT NULL,
  release_id TEXT NOT NULL,
  ocid TEXT NOT NULL,
  release_date TEXT,
  tags TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  raw TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  PRIMARY KEY (source, release_id)
);
CREATE INDEX releases_ocid ON releases (ocid);

CREATE TABLE tenders (
  ocid TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  tender_id TEXT,
  title TEXT,
  description TEXT,
  buyer_id TEXT,
  buyer_name TEXT,
  buyer_identifier TEXT,
  buyer_address TEXT,
  buyer_postcode TEXT,
  value_amount DOUBLE PRECISION,
  value_currency TEXT,
  status TEXT,
  procurement_method TEXT,
  procurement_method_details TEXT,
  main_category TEXT,
  published_at TEXT,
  deadline TEXT,
  notice_type TEXT,
  suitable_sme INTEGER,
  suitable_vcse INTEGER,
  reserved_participation TEXT NOT NULL,
  cpv_codes TEXT NOT NULL,
  url TEXT,
  last_release_id TEXT NOT NULL,
  last_release_date TEXT,
  release_count INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX tenders_published ON tenders (published_at);
CREATE INDEX tenders_deadline ON tenders (deadline);
CREATE INDEX tenders_updated ON tenders (updated_at);

CREATE TABLE lots (
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  title TEXT,
  description TEXT,
  status TEXT,
  value_amount DOUBLE PRECISION,
  value_currency TEXT,
  cpv_codes TEXT NOT NULL,
  places TEXT NOT NULL,
  suitable_sme INTEGER,
  suitable_vcse INTEGER,
  PRIMARY KEY (ocid, lot_id)
);

CREATE TABLE items (
  ocid TEXT NOT NULL,
  item_id TEXT NOT NULL,
  lot_id TEXT,
  description TEXT,
  cpv_code TEXT,
  additional_cpv_codes TEXT NOT NULL,
  delivery_regions TEXT NOT NULL,
  delivery_postcodes TEXT NOT NULL,
  delivery_description TEXT,
  PRIMARY KEY (ocid, item_id)
);

CREATE TABLE awards (
  ocid TEXT NOT NULL,
  award_id TEXT NOT NULL,
  award_date TEXT,
  date_published TEXT,
  status TEXT,
  value_amount DOUBLE PRECISION,
  value_currency TEXT,
  lot_ids TEXT NOT NULL,
  PRIMARY KEY (ocid, award_id)
);

CREATE TABLE award_suppliers (
  ocid TEXT NOT NULL,
  award_id TEXT NOT NULL,
  party_id TEXT NOT NULL,
  name TEXT,
  identifier_scheme TEXT,
  identifier TEXT,
  address TEXT,
  postcode TEXT,
  scale TEXT,
  PRIMARY KEY (ocid, award_id, party_id)
);
CREATE INDEX award_suppliers_identifier ON award_suppliers (identifier_scheme, identifier);

CREATE TABLE quarantine (
  source TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  ocid TEXT,
  release_id TEXT,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (source, content_hash)
);

CREATE TABLE source_state (
  source TEXT PRIMARY KEY,
  watermark TEXT,
  last_run_started_at TEXT,
  last_run_finished_at TEXT,
  last_status TEXT,
  last_error TEXT,
  fetched INTEGER NOT NULL,
  inserted INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  quarantined INTEGER NOT NULL
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
