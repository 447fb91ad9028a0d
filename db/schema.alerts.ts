import type { Generated, Insertable, Selectable } from 'kysely';

/** Per-supplier alert preferences and delivery state. No row = the defaults. */
export interface AlertPreferencesTable {
  supplier_id: string;
  /** 'immediate' | 'daily' | 'weekly' */
  frequency: string;
  /** 0–23 in `timezone`. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday, for weekly alerts. */
  weekday: number;
  timezone: string;
  min_score: number;
  max_items: number;
  /** JSON arrays of strings. */
  include_words: string;
  exclude_words: string;
  places: string;
  paused: number;
  paused_reason: string | null;
  paused_at: string | null;
  unsubscribed_at: string | null;
  /** Consecutive refused deliveries to the supplier's address. */
  failures: number;
  last_failure: string | null;
  last_checked_at: string | null;
  last_sent_at: string | null;
  created_at: string;
  updated_at: string;
  /** Most alert emails in a day; null = the default (014). */
  daily_cap: Generated<number | null>;
}

export interface AlertOutboxTable {
  message_id: string;
  /** 'digest' | 'confirm' | 'invitation' (migration 013). */
  kind: Generated<string>;
  supplier_id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  /**
   * What the message says, as JSON (StoredDigest in jobs/alerts.ts), rendered when sent. Null for
   * rows written before migration 005, whose text_body and html_body hold the rendered email.
   */
  content: string | null;
  /** JSON object of extra headers (List-Unsubscribe...). */
  headers: string;
  /** JSON array of the alert_items keys this message claims. */
  item_keys: string;
  item_count: number;
  /** 'building' | 'pending' | 'sent' | 'failed' | 'cancelled' | 'void' */
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_code: number | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface AlertItemsTable {
  supplier_id: string;
  ocid: string;
  lot_id: string;
  /** 'new' | 'cancelled' | 'deadline:<ISO instant>' */
  kind: string;
  message_id: string;
  score: number | null;
  deadline: string | null;
  created_at: string;
}

export interface AlertSecretsTable {
  name: string;
  secret: string;
  created_at: string;
}

/** Tables of the alerts migration (004). Merged into Database in schema.ts. */
export interface AlertTables {
  alert_preferences: AlertPreferencesTable;
  alert_outbox: AlertOutboxTable;
  alert_items: AlertItemsTable;
  alert_secrets: AlertSecretsTable;
}

export type AlertPreferencesRow = Selectable<AlertPreferencesTable>;
export type NewAlertPreferencesRow = Insertable<AlertPreferencesTable>;
export type AlertOutboxRow = Selectable<AlertOutboxTable>;
export type NewAlertOutboxRow = Insertable<AlertOutboxTable>;
export type NewAlertItemRow = Insertable<AlertItemsTable>;
