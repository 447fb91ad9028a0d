/** Tables of the tagging migrations (002, 012). Owned by the tagging work; merged into Database in schema.ts. */
export interface TenderPlacesTable {
  ocid: string;
  /** '' = the whole tender. */
  lot_id: string;
  /** 'delivery' | 'buyer' | 'supplier' */
  role: string;
  /** The award supplier's party id for role 'supplier', else ''. */
  party_id: string;
  /** ITL 2021 code; 'TL' = UK-wide. For a local authority, its ITL3 area. */
  code: string;
  /** The local authority district (LAD GSS code) the place names; '' = not known (010). */
  lad: string;
  /** 0 = UK, 1..3 = ITL level. */
  level: number;
  /** 'code' | 'name' | 'postcode' */
  method: string;
  /** How sure the ITL code is. */
  confidence: number;
  /** How sure the LAD is: the share of the postcode sector's postcodes in it, 1 for a name or an exact postcode; null without a LAD. */
  lad_confidence: number | null;
  /** 1 for UK-wide and England-wide places. */
  national: number;
  /** The postcode the place was read from, if any. */
  postcode: string | null;
  raw: string;
  tagged_at: string;
}

/** Every live postcode with its LAD, once imported (010; `places import-postcodes`). */
export interface PostcodeLadsTable {
  postcode: string;
  lad: string;
  source: string;
  imported_at: string;
}

/** Two tenders that are the same procurement (010), one row each way. */
export interface TenderTwinsTable {
  ocid: string;
  twin_ocid: string;
  score: number;
  /** JSON array of what made them twins. */
  reasons: string;
  found_at: string;
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
  postcode_lads: PostcodeLadsTable;
  tender_twins: TenderTwinsTable;
  tender_cpv: TenderCpvTable;
  places: PlacesTable;
  tagger_state: TaggerStateTable;
}
