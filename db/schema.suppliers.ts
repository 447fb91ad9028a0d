import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A registered supplier: an SME, a VCSE or a cooperative of registered suppliers. */
export interface SuppliersTable {
  id: string;
  name: string;
  /** 'micro' | 'small' | 'medium' | 'vcse' | 'cooperative' */
  kind: string;
  /** Normalised Companies House number (`SC123456`); at most one supplier holds each (unique index, migration 006). */
  company_number: string | null;
  /** Normalised `AA9A 9AA`. */
  postcode: string | null;
  /** ITL 2021 code of the place the postcode resolves to (as deep as known). */
  home_region: string | null;
  /** JSON array of ITL codes the supplier serves (beyond its home region). */
  serves: string;
  /** 1 = serves the whole UK. */
  national: number;
  /** JSON array of 8-digit CPV codes. */
  cpv_codes: string;
  description: string | null;
  /** JSON array of strings. */
  keywords: string;
  /** JSON array of words and phrases the firm wants left out of its matches (migration 016). */
  exclude_words: Generated<string>;
  max_contract_value: number | null;
  turnover_band: string | null;
  staff_band: string | null;
  /** JSON array of strings. */
  certifications: string;
  contact_email: string | null;
  /** When the owner of contact_email clicked the confirmation link (migration 013); null: no alert goes to it. Cleared when the address changes. */
  contact_email_verified_at: string | null;
  /** When the last confirmation message for the current address was queued; null: none yet. */
  contact_email_confirmation_at: string | null;
  /** SHA-256 hex of the supplier's key. */
  key_hash: string;
  /** JSON: [{ year, turnover, employees }] or null. */
  growth: string | null;
  high_potential_derived: number;
  /** Set by an administrator: 1 / 0, or null to follow the derived flag. */
  high_potential_override: number | null;
  created_at: string;
  updated_at: string;
}

/** Membership status (migration 013): only 'accepted' members count. */
export type MembershipStatus = 'invited' | 'accepted' | 'declined';

export interface CooperativeMembersTable {
  cooperative_id: string;
  member_id: string;
  /** MembershipStatus; 'invited' until the firm answers. */
  status: Generated<string>;
  invited_at: string | null;
  answered_at: string | null;
  /** When the invitation went into the outbox; null: not yet (it waits for a confirmed address). */
  invitation_mailed_at: string | null;
}

export interface MatchesTable {
  supplier_id: string;
  ocid: string;
  /** '' = the whole tender. */
  lot_id: string;
  score: number;
  /** JSON array of plain-English strings. */
  reasons: string;
  deadline: string | null;
  computed_at: string;
}

/** A firm's "not for us" / "good match" on a tender or lot (migration 016). */
export interface MatchFeedbackTable {
  supplier_id: string;
  ocid: string;
  /** '' = the whole tender. */
  lot_id: string;
  /** 'not_for_us' | 'good_match'. */
  verdict: string;
  /** JSON array of the notice's three-digit CPV groups. */
  cpv_groups: string;
  /** JSON array of the meaningful words of its title. */
  words: string;
  /** The buyer's name, folded; null when not published. */
  buyer: string | null;
  created_at: string;
}

/** One row (id 1): moved by every write to suppliers or cooperative members (migration 008). */
export interface RegistryVersionTable {
  id: number;
  version: number;
}

/** One supplier touched by one move of the registry version (migration 017). */
export interface RegistryChangesTable {
  version: number;
  supplier_id: string;
}

/** Tables of the supplier and matching migrations (003, 008, 017). Merged into Database in schema.ts. */
export interface SupplierTables {
  suppliers: SuppliersTable;
  cooperative_members: CooperativeMembersTable;
  matches: MatchesTable;
  match_feedback: MatchFeedbackTable;
  registry_version: RegistryVersionTable;
  registry_changes: RegistryChangesTable;
}

export type SupplierRow = Selectable<SuppliersTable>;
export type NewSupplierRow = Insertable<SuppliersTable>;
export type SupplierUpdate = Updateable<SuppliersTable>;
export type MembershipRow = Selectable<CooperativeMembersTable>;
export type MatchRow = Selectable<MatchesTable>;
export type NewMatchRow = Insertable<MatchesTable>;
