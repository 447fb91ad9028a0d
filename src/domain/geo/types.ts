/** What geo reads a place as. */
export type PlaceMethod = 'code' | 'name' | 'postcode';

export interface PlaceTag {
  /**
   * ITL 2021 code, `TL` = UK-wide. For a local authority, its ITL3 area (or, for the few that span several,
   * the smallest ITL area holding them all).
   */
  code: string;
  /** 0 = UK, 1..3 = ITL level. */
  level: number;
  method: PlaceMethod;
  /** 1 = certain; below 1 where a postcode sector straddles a border or a name is loose. */
  confidence: number;
  /** The text the place was read from. */
  raw: string;
  /** True for UK-wide and England-wide places: open to everyone, local to nobody. */
  national: boolean;
  /** The local authority district (LAD GSS code) where the place says which; absent or null = not known. */
  lad?: string | null;
  /** The share of the postcode sector's or district's postcodes in that LAD (1 for a name or an exact postcode). */
  ladConfidence?: number | null;
  /** The postcode the place was read from, if any (normalised). */
  postcode?: string | null;
}

/** Where a UK postcode (or the sector or district given) lies: its local authority district, ITL3 and combined authority. */
export interface PostcodePlace {
  /** Normalised, e.g. "B1 1BB" (or the sector "B1 1" or district "B1" given). */
  postcode: string;
  /** LAD GSS code, e.g. "E08000025". */
  lad: string | null;
  /** "Birmingham". */
  ladName: string | null;
  /** "TLG31"; null where the LAD spans several ITL3 areas (Highland, Cumberland, ...) or only the area is known. */
  itl3: string | null;
  /** "TLG". */
  itl1: string | null;
  /** Its name, e.g. "West Midlands Combined Authority". */
  combinedAuthority: string | null;
  /** 0..1: the share of postcodes of the sector/district in that LAD, 1 for an exact postcode. */
  confidence: number;
  via: 'postcode' | 'sector' | 'district' | 'area';
}
