import type { Insertable, Selectable } from 'kysely';

/** Tables of the spend migration (011). Amounts are whole pence; see the migration for each column. */
export interface SpendBuyersTable {
  buyer_id: string;
  name: string;
  postcode: string | null;
  /** An ITL code given for the buyer's own area instead of (or beside) its postcode's local authority. */
  region_code: string | null;
  lad: string | null;
  lad_name: string | null;
  itl3: string | null;
  itl1: string | null;
  combined_authority: string | null;
  updated_at: string;
}

export interface SpendFilesTable {
  buyer_id: string;
  file_id: string;
  name: string;
  /** 'csv' | 'xlsx' | 'ods' | 'xls' */
  format: string;
  encoding: string | null;
  /** JSON array: the header row as read. */
  columns: string;
  /** JSON object: field -> column header. */
  mapping: string;
  /** 'importing' | 'done' */
  status: string;
  rows_read: number;
  imported: number;
  duplicates: number;
  quarantined: number;
  total_pence: number;
  imported_pence: number;
  duplicate_pence: number;
  quarantined_pence: number;
  first_paid_on: string | null;
  last_paid_on: string | null;
  /** The date stated for lines without a day (`--date-missing-as`), kept for every later load of the file. */
  date_missing_as: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface SpendPaymentsTable {
  buyer_id: string;
  payment_key: string;
  file_id: string;
  line: number;
  paid_on: string;
  /** 1 when the file gave no day and paid_on is the date the import was told to use. */
  date_stated: number;
  /** `2014Q1` = April–June 2014. */
  quarter: string;
  amount_pence: number;
  payee_name: string;
  payee_key: string;
  reference: string | null;
  expense_code: string | null;
  expense_type: string | null;
  service_area: string | null;
  description: string | null;
  /** CPV division (`72000000`), or null when none could be given. */
  category: string | null;
  /** 'mapping' | 'classifier' | 'none' */
  category_method: string;
  /** null = influenceable; 'payroll' | 'tax' | 'public_body'. */
  exclusion: string | null;
  /** JSON array of the row's cells as read. */
  raw: string;
}

export interface SpendQuarantineTable {
  buyer_id: string;
  file_id: string;
  line: number;
  reason: string;
  amount_pence: number;
  raw: string;
  quarantined_at: string;
}

export interface SpendRollupTable {
  buyer_id: string;
  quarter: string;
  payee_key: string;
  /** '' = no category. */
  category: string;
  /** '' = influenceable. */
  exclusion: string;
  amount_pence: number;
  payments: number;
}

export interface SpendRollupPayeesTable {
  buyer_id: string;
  payee_key: string;
  category: string;
  exclusion: string;
  amount_pence: number;
  payments: number;
}

export interface SpendRollupClassesTable {
  buyer_id: string;
  quarter: string;
  exclusion: string;
  /** `kind|resolved|lad|itl3|itl1|combined_authority|uk|sme|vcse`, '' for null. */
  payee_class: string;
  amount_pence: number;
  payments: number;
}

export interface SpendRollupClassCategoriesTable {
  buyer_id: string;
  category: string;
  exclusion: string;
  payee_class: string;
  amount_pence: number;
  payments: number;
}

export interface SpendPayeesTable {
  buyer_id: string;
  payee_key: string;
  name: string;
  kind: string;
  source: string | null;
  supplier_ref: string | null;
  supplier_name: string | null;
  company_number: string | null;
  postcode: string | null;
  lad: string | null;
  itl3: string | null;
  itl1: string | null;
  combined_authority: string | null;
  uk: number | null;
  sme: number | null;
  vcse: number | null;
  method: string;
  confidence: number;
  /** payeeClassOf(its facts): see src/domain/spend/report.ts. */
  payee_class: string;
  resolved_at: string;
}

export interface SpendCorrectionsTable {
  buyer_id: string;
  payee_key: string;
  /** 'confirm' | 'correct' | 'unresolve' */
  action: string;
  source: string | null;
  supplier_ref: string | null;
  supplier_name: string | null;
  postcode: string | null;
  sme: number | null;
  vcse: number | null;
  note: string | null;
  corrected_at: string;
}

export interface SpendDirectoryTable {
  buyer_id: string;
  entry_key: string;
  name: string;
  vendor_id: string | null;
  company_number: string | null;
  postcode: string | null;
  sme: number | null;
  vcse: number | null;
  imported_at: string;
}

export interface SpendCategoriesTable {
  buyer_id: string;
  code_key: string;
  code: string;
  category: string;
  imported_at: string;
}

export interface SpendUploadsTable {
  upload_id: string;
  /** 'spend' | 'directory' | 'categories' */
  kind: string;
  buyer_name: string;
  buyer_postcode: string | null;
  buyer_region: string | null;
  date_missing_as: string | null;
  file_name: string;
  bytes: number;
  parts: number;
  /** 'queued' | 'importing' | 'done' | 'failed' */
  status: string;
  /** JSON: the import's figures once done. */
  summary: string | null;
  error: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface SpendUploadPartsTable {
  upload_id: string;
  part: number;
  /** base64 */
  data: string;
}

export interface SpendTables {
  spend_buyers: SpendBuyersTable;
  spend_files: SpendFilesTable;
  spend_payments: SpendPaymentsTable;
  spend_quarantine: SpendQuarantineTable;
  spend_rollup: SpendRollupTable;
  spend_rollup_payees: SpendRollupPayeesTable;
  spend_rollup_classes: SpendRollupClassesTable;
  spend_rollup_class_categories: SpendRollupClassCategoriesTable;
  spend_payees: SpendPayeesTable;
  spend_corrections: SpendCorrectionsTable;
  spend_directory: SpendDirectoryTable;
  spend_categories: SpendCategoriesTable;
  spend_uploads: SpendUploadsTable;
  spend_upload_parts: SpendUploadPartsTable;
}

export type SpendBuyerRow = Selectable<SpendBuyersTable>;
export type SpendFileRow = Selectable<SpendFilesTable>;
export type NewSpendPayment = Insertable<SpendPaymentsTable>;
export type SpendPayeeRow = Selectable<SpendPayeesTable>;
export type SpendCorrectionRow = Selectable<SpendCorrectionsTable>;
export type SpendUploadRow = Selectable<SpendUploadsTable>;
