-- A firm's feedback on a tender or lot it was sent: 'not_for_us' or 'good_match', from the signed one-click
-- links in its alerts and in the matches API. One row per firm and notice (a second click changes the
-- verdict). What the matcher needs to know a like notice again is kept with it, so that feedback still works
-- once the notice itself has left the store: its CPV groups (JSON array of three-digit groups), the
-- meaningful words of its title (JSON array) and its buyer's name, folded.
CREATE TABLE match_feedback (
  supplier_id TEXT NOT NULL,
  ocid TEXT NOT NULL,
  lot_id TEXT NOT NULL DEFAULT '',
  verdict TEXT NOT NULL,
  cpv_groups TEXT NOT NULL DEFAULT '[]',
  words TEXT NOT NULL DEFAULT '[]',
  buyer TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (supplier_id, ocid, lot_id)
);

-- Words and phrases a firm wants left out of its matches ("drainage" for a cleaning firm): JSON array.
ALTER TABLE suppliers ADD COLUMN exclude_words TEXT NOT NULL DEFAULT '[]';
