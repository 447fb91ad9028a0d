-- Consent between users.
--
-- A firm is a cooperative's member only once it has accepted. Every membership has a status: 'invited'
-- from the moment the cooperative names the firm, 'accepted' when the firm says yes (with its own key, or
-- from the signed link mailed to its confirmed address), 'declined' when it says no or leaves. Only
-- accepted memberships count (matching, consortia, officer listings). Memberships stored before this were
-- written by the cooperative alone, so none of them is consent: all start as invited, and each firm is
-- asked. invitation_mailed_at says when the invitation went into the outbox (null: not yet).
ALTER TABLE cooperative_members ADD COLUMN status TEXT NOT NULL DEFAULT 'invited';
ALTER TABLE cooperative_members ADD COLUMN invited_at TEXT;
ALTER TABLE cooperative_members ADD COLUMN answered_at TEXT;
ALTER TABLE cooperative_members ADD COLUMN invitation_mailed_at TEXT;
CREATE INDEX cooperative_members_waiting ON cooperative_members (status, invitation_mailed_at);

-- A contact address gets no alert until its owner has clicked the signed link mailed to it (double
-- opt-in). contact_email_verified_at says when; contact_email_confirmation_at when the last confirmation
-- message for the current address was queued. Both are cleared whenever the address changes. Addresses
-- stored before this were never confirmed: each is sent one confirmation message by the next alert run.
ALTER TABLE suppliers ADD COLUMN contact_email_verified_at TEXT;
ALTER TABLE suppliers ADD COLUMN contact_email_confirmation_at TEXT;

-- The outbox carries more than digests: 'digest', 'confirm' (confirm the address) and 'invitation'
-- (a cooperative asks a firm to be its member). Rows written before this are digests.
ALTER TABLE alert_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'digest';
CREATE INDEX alert_outbox_address ON alert_outbox (to_address, kind, created_at);
