-- Council spend: the buyers that load spend, each file loaded and its reconciliation, every payment line kept
-- with its file, line and raw cells, lines that could not be read (quarantine, with the reason), rollups that
-- reports read, who each payee is (resolution) and an analyst's corrections, the council's own supplier
-- directory and expense-code categories, and uploads waiting for the import job.
-- Amounts are whole pence (BIGINT): stored + quarantined = a file's own total exactly.
-- buyer_id is the buyer's normalised name. Dates ISO-8601 TEXT; quarter is the UK financial quarter, `2014Q1`
-- = April to June 2014 (financial year 2014/15). JSON lists and raw cells are TEXT holding JSON.

CREATE TABLE spend_buyers (
  buyer_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  postcode TEXT,
  region_code TEXT,
  lad TEXT,
  lad_name TEXT,
  itl3 TEXT,
  itl1 TEXT,
  combined_authority TEXT,
  updated_at TEXT NOT NULL
);

-- One row per buyer and file content (file_id = digest of the bytes). status: importing | done.
-- date_missing_as: the date stated for its lines without a day, used again whenever the file is loaded again.
-- A file left 'importing' by a crash makes the next import rebuild that buyer's rollups.
CREATE TABLE spend_files (
  buyer_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  encoding TEXT,
  columns TEXT NOT NULL,
  mapping TEXT NOT NULL,
  status TEXT NOT NULL,
  rows_read INTEGER NOT NULL,
  imported INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  quarantined INTEGER NOT NULL,
  total_pence BIGINT NOT NULL,
  imported_pence BIGINT NOT NULL,
  duplicate_pence BIGINT NOT NULL,
  quarantined_pence BIGINT NOT NULL,
  first_paid_on TEXT,
  last_paid_on TEXT,
  date_missing_as TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  PRIMARY KEY (buyer_id, file_id)
);

-- payment_key: the payment's natural key (date, payee, amount, reference and its occurrence among equal lines
-- of its file), so that a file loaded again, or one overlapping it, adds nothing.
-- date_stated: 1 when the file gave no day and paid_on is the date the import was told to use (--date-missing-as).
-- exclusion: NULL = influenceable; 'payroll' | 'tax' | 'public_body' = outside it by default.
CREATE TABLE spend_payments (
  buyer_id TEXT NOT NULL,
  payment_key TEXT NOT NULL,
  file_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  paid_on TEXT NOT NULL,
  date_stated INTEGER NOT NULL,
  quarter TEXT NOT NULL,
  amount_pence BIGINT NOT NULL,
  payee_name TEXT NOT NULL,
  payee_key TEXT NOT NULL,
  reference TEXT,
  expense_code TEXT,
  expense_type TEXT,
  service_area TEXT,
  description TEXT,
  category TEXT,
  category_method TEXT NOT NULL,
  exclusion TEXT,
  raw TEXT NOT NULL,
  PRIMARY KEY (buyer_id, payment_key)
);

CREATE TABLE spend_quarantine (
  buyer_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL,
  amount_pence BIGINT NOT NULL,
  raw TEXT NOT NULL,
  quarantined_at TEXT NOT NULL,
  PRIMARY KEY (buyer_id, file_id, line)
);

-- Sums of spend_payments per buyer, quarter, payee, category ('' = none) and exclusion ('' = influenceable):
-- reports read these, never the payment lines. Keyed by payee, not by supplier, so that a resolution changed
-- later needs no rebuild.
CREATE TABLE spend_rollup (
  buyer_id TEXT NOT NULL,
  quarter TEXT NOT NULL,
  payee_key TEXT NOT NULL,
  category TEXT NOT NULL,
  exclusion TEXT NOT NULL,
  amount_pence BIGINT NOT NULL,
  payments INTEGER NOT NULL,
  PRIMARY KEY (buyer_id, quarter, payee_key, category, exclusion)
);
CREATE INDEX spend_rollup_payee ON spend_rollup (buyer_id, payee_key);

-- The same sums over the whole period, without quarters: a regional report's suppliers and leakage read these.
CREATE TABLE spend_rollup_payees (
  buyer_id TEXT NOT NULL,
  payee_key TEXT NOT NULL,
  category TEXT NOT NULL,
  exclusion TEXT NOT NULL,
  amount_pence BIGINT NOT NULL,
  payments INTEGER NOT NULL,
  PRIMARY KEY (buyer_id, payee_key, category, exclusion)
);

-- The sums again by what is known of the payee rather than by payee (payee_class, see spend_payees), by quarter
-- and, over the whole period, by category: a report's shares, quarters and categories are read from these. Rebuilt
-- for a buyer after every import and resolution, moved with every correction.
CREATE TABLE spend_rollup_classes (
  buyer_id TEXT NOT NULL,
  quarter TEXT NOT NULL,
  exclusion TEXT NOT NULL,
  payee_class TEXT NOT NULL,
  amount_pence BIGINT NOT NULL,
  payments INTEGER NOT NULL,
  PRIMARY KEY (buyer_id, quarter, exclusion, payee_class)
);

CREATE TABLE spend_rollup_class_categories (
  buyer_id TEXT NOT NULL,
  category TEXT NOT NULL,
  exclusion TEXT NOT NULL,
  payee_class TEXT NOT NULL,
  amount_pence BIGINT NOT NULL,
  payments INTEGER NOT NULL,
  PRIMARY KEY (buyer_id, category, exclusion, payee_class)
);

-- Who a payee is. kind: company | public_body | vcse | individual | unknown (read from the name).
-- source: registry | award | directory | analyst, NULL = unresolved. method: exact | company_number | fuzzy |
-- analyst | none | individual. uk: 1 = based in the UK, 0 = abroad, NULL = not known. payee_class: what the shares
-- need of it as one key (kind|resolved|lad|itl3|itl1|combined authority|uk|sme|vcse, '' for null).
CREATE TABLE spend_payees (
  buyer_id TEXT NOT NULL,
  payee_key TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT,
  supplier_ref TEXT,
  supplier_name TEXT,
  company_number TEXT,
  postcode TEXT,
  lad TEXT,
  itl3 TEXT,
  itl1 TEXT,
  combined_authority TEXT,
  uk INTEGER,
  sme INTEGER,
  vcse INTEGER,
  method TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  payee_class TEXT NOT NULL,
  resolved_at TEXT NOT NULL,
  PRIMARY KEY (buyer_id, payee_key)
);
CREATE INDEX spend_payees_source ON spend_payees (source, supplier_ref);

-- An analyst's word on a payee, applied before any automatic match and kept across imports.
-- action: confirm (the match stands) | correct (this supplier, or these facts) | unresolve (no supplier).
CREATE TABLE spend_corrections (
  buyer_id TEXT NOT NULL,
  payee_key TEXT NOT NULL,
  action TEXT NOT NULL,
  source TEXT,
  supplier_ref TEXT,
  supplier_name TEXT,
  postcode TEXT,
  sme INTEGER,
  vcse INTEGER,
  note TEXT,
  corrected_at TEXT NOT NULL,
  PRIMARY KEY (buyer_id, payee_key)
);

-- The council's own vendor file. entry_key: the normalised name.
CREATE TABLE spend_directory (
  buyer_id TEXT NOT NULL,
  entry_key TEXT NOT NULL,
  name TEXT NOT NULL,
  vendor_id TEXT,
  company_number TEXT,
  postcode TEXT,
  sme INTEGER,
  vcse INTEGER,
  imported_at TEXT NOT NULL,
  PRIMARY KEY (buyer_id, entry_key)
);

-- The council's expense codes (or expense type names) mapped to CPV divisions; wins over the classifier.
CREATE TABLE spend_categories (
  buyer_id TEXT NOT NULL,
  code_key TEXT NOT NULL,
  code TEXT NOT NULL,
  category TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  PRIMARY KEY (buyer_id, code_key)
);

-- Files sent over HTTP, held until the spend job imports them. kind: spend | directory | categories.
-- status: queued | importing | done | failed. The bytes wait in parts (base64) small enough for any engine.
CREATE TABLE spend_uploads (
  upload_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  buyer_name TEXT NOT NULL,
  buyer_postcode TEXT,
  buyer_region TEXT,
  date_missing_as TEXT,
  file_name TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  parts INTEGER NOT NULL,
  status TEXT NOT NULL,
  summary TEXT,
  error TEXT,
  queued_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX spend_uploads_status ON spend_uploads (status, queued_at);

CREATE TABLE spend_upload_parts (
  upload_id TEXT NOT NULL,
  part INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (upload_id, part)
);
