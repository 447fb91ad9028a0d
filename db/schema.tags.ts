/** Tables of the tagging migrations (002, 012). Owned by the tagging work; merged into Database in schema.ts. */
export interface TenderPlacesTable {
  ocid: string;
  /** '' = the whole tender. */
  lot_id: string;
  /** 'delivery' | 'buyer' | 'supplier' */
  role: string;
  /** The award supplier's party id for role 'supplier', else ''. */
  party_id: string;
  /** ITL 2021 code; 'TL' = UK-wide. */
  code: string;
  /** 0 = UK, 1..3 = ITL level. */
  level: number;
  /** 'code' | 'name' | 'postcode' */
  method: string;
  confidence: number;
  /** 1 for UK-wide and England-wide places. */
  national: number;
  raw: string;
  tagged_at: string;
}

export interface TenderCpvTable {
  ocid: string;
  lot_id: string;
  /** 8 digits, no check digit. */
  code: string;
  /** 'published' | 'inferred' */
  method: string;
  confidence: number;
  /** Why an inferred code was added: 'no_code' | 'division_only' | 'contradicts_text'; null when published. */
  reason: string | null;
  tagger_version: string;
  tagged_at: string;
}

export interface PlacesTable {
  name: string;
  /** Lower-cased, space-collapsed name: names are unique regardless of case. */
  name_key: string;
  /** JSON array of ITL 2021 codes. */
  codes: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** Migration 012: the tagger version the whole store was last tagged with (one row, id 1). */
export interface TaggerStateTable {
  id: number;
  version: string;
  retagged_at: string;
}

export interface TagTables {
  tender_places: TenderPlacesTable;
  tender_cpv: TenderCpvTable;
  places: PlacesTable;
  tagger_state: TaggerStateTable;
}
