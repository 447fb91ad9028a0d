/** Tables of migration 015: sign-in links and the page sessions they open (db/queries/page-sessions.ts). */

export interface SignInLinksTable {
  nonce: string;
  supplier_id: string;
  address: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface PageSessionsTable {
  id_hash: string;
  /** 'supplier' | 'operator' */
  role: string;
  supplier_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface PageTables {
  sign_in_links: SignInLinksTable;
  page_sessions: PageSessionsTable;
}
