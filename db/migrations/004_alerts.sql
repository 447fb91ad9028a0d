-- Email alerts: per-supplier preferences and delivery state, the outbox of messages, and the
-- ledger of what each supplier has been told (one row per supplier, tender, lot and kind of news,
-- so nothing is said twice). lot_id '' = the whole tender. kind is 'new', 'cancelled' or
-- 'deadline:<ISO instant>'. weekday 0 = Sunday. Lists are JSON arrays in TEXT.

CREATE TABLE alert_preferences (
  supplier_id TEXT PRIMARY KEY,
  frequency TEXT NOT NULL,
  hour INTEGER NOT NULL,
  weekday INTEGER NOT NULL,
  timezone TEXT NOT NULL,
  min_score DOUBLE PRECISION NOT NULL,
  max_items INTEGER NOT NULL,
  include_words TEXT NOT NULL,
  exclude_words TEXT NOT NULL,
  places TEXT NOT NULL,
  paused INTEGER NOT NULL,
  paused_reason TEXT,
  paused_at TEXT,
  unsubscribed_at TEXT,
  failures INTEGER NOT NULL,
  last_failure TEXT,
  last_checked_at TEXT,
  last_sent_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- status: building (written, its items being claimed), pending (to send), sent, failed (refused
-- for good), cancelled (supplier paused or unsubscribed before it went), void (lost its items).
CREATE TABLE alert_outbox (
  message_id TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  to_address TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  headers TEXT NOT NULL,
  item_keys TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  last_attempt_at TEXT,
  last_code INTEGER,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
CREATE INDEX alert_outbox_supplier ON alert_outbox (supplier_id, created_at);

CREATE TABLE alert_items (
  supplier_id TEXT NOT NULL,
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  message_id TEXT NOT NULL,
  score DOUBLE PRECISION,
  deadline TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (supplier_id, ocid, lot_id, kind)
);
CREATE INDEX alert_items_message ON alert_items (message_id);

-- Holds a generated signing secret for unsubscribe links when UNSUBSCRIBE_SECRET is not set.
CREATE TABLE alert_secrets (
  name TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL
);
