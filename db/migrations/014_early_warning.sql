-- Hearing of work before the tender (issue 17).
--
-- renewal_forecasts: contracts coming up for renewal, forecast from awarded contracts' periods (and contract
-- details, change and termination notices) by jobs/renewals.ts; one row per ocid and award, rewritten whole
-- for an ocid each time it is forecast again. incumbents is a JSON array of {name, scale}; reasons a JSON array
-- of strings (how sure, and why); certainty 'high' | 'medium' | 'low'; flags 0/1.
CREATE TABLE renewal_forecasts (
  ocid TEXT NOT NULL,
  award_id TEXT NOT NULL,
  buyer_name TEXT,
  title TEXT,
  cpv_codes TEXT NOT NULL,
  value_amount DOUBLE PRECISION,
  value_currency TEXT,
  start_date TEXT,
  end_date TEXT NOT NULL,
  max_extent_date TEXT,
  expected_at TEXT NOT NULL,
  incumbents TEXT NOT NULL,
  framework INTEGER NOT NULL,
  extension_option INTEGER NOT NULL,
  terminated INTEGER NOT NULL,
  certainty TEXT NOT NULL,
  reasons TEXT NOT NULL,
  forecast_at TEXT NOT NULL,
  PRIMARY KEY (ocid, award_id)
);
CREATE INDEX renewal_forecasts_expected ON renewal_forecasts (expected_at);

-- Which registered suppliers each forecast fits, scored by the same matcher as tenders.
CREATE TABLE renewal_matches (
  supplier_id TEXT NOT NULL,
  ocid TEXT NOT NULL,
  award_id TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  reasons TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  PRIMARY KEY (supplier_id, ocid, award_id)
);
CREATE INDEX renewal_matches_forecast ON renewal_matches (ocid, award_id);

-- The most alert emails a firm gets in a day (null = the default, see DEFAULT_PREFERENCES.daily_cap).
ALTER TABLE alert_preferences ADD COLUMN daily_cap INTEGER;
