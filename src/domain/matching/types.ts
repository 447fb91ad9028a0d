/** What the matcher reads and writes. Everything here is plain data: no database rows, no clock. */

export type SupplierKind = 'micro' | 'small' | 'medium' | 'vcse' | 'cooperative';
export const SUPPLIER_KINDS: readonly SupplierKind[] = ['micro', 'small', 'medium', 'vcse', 'cooperative'];

/** A supplier as the matcher sees it; a cooperative arrives with its members' capabilities already combined. */
export interface SupplierProfile {
  id: string;
  name: string;
  kind: SupplierKind;
  /** ITL 2021 code of where the supplier is based (any level), if known. */
  homeRegion: string | null;
  /** ITL codes it serves besides its home region. */
  serves: string[];
  /** Serves the whole UK. */
  national: boolean;
  /** 8-digit CPV codes. */
  cpv: string[];
  description: string | null;
  keywords: string[];
  /**
   * Words and phrases the firm wants left out ("drainage" for a cleaning firm): a notice whose text has one is
   * ranked lower, and told so in the reasons. Absent = none.
   */
  excludeWords?: string[];
  /** The firm's "not for us" / "good match" marks on earlier notices (feedback.ts). Absent = none. */
  feedback?: FeedbackMark[];
  /** Largest contract value it can deliver, GBP; null = not stated. */
  maxContractValue: number | null;
  highPotential: boolean;
  /** CPV codes of each public contract it has won (from published awards), if known: its track record. */
  pastWins?: string[][];
  /** For a cooperative: which member brings which codes and capacity (used to say who covers what). */
  members?: SupplierProfile[];
}

/** A delivery place of a tender or lot. */
export interface OpportunityPlace {
  /** ITL 2021 code; `TL` = the whole UK. */
  code: string;
  /** UK-wide or England-wide: open to everyone it covers, local to nobody. */
  national: boolean;
}

/** A tender or one of its lots: the unit a supplier bids for. */
export interface Opportunity {
  ocid: string;
  /** '' = the whole tender. */
  lotId: string;
  lotTitle: string | null;
  title: string | null;
  /** Title, description, lot and item text together: what the supplier's words are compared with. */
  text: string;
  cpv: string[];
  places: OpportunityPlace[];
  /** GBP value of this tender or lot; null = not published. */
  value: number | null;
  status: string | null;
  /** ISO-8601 bid deadline. */
  deadline: string | null;
  suitableSme: boolean | null;
  suitableVcse: boolean | null;
  /** Reserved participation codes: `smeVcse`, `sme`, `vcse`, `publicServiceMissionOrganization`, ... */
  reserved: string[];
  /**
   * Places participation is reserved to (ITL codes), if the notice reserves by location: only suppliers based
   * there may bid (`TL` = based in the UK). [] = no reservation by location that could be placed.
   */
  reservedPlaces: string[];
  /** The location reservation as published, placed or not; null = none. A match quotes it when it could not be placed. */
  reservedLocation: string | null;
  /** Number of lots of the tender this opportunity belongs to (1 when it has none). */
  lotCount: number;
  /** The buyer's name as published, for feedback on "the same buyer"; absent or null = not known. */
  buyer?: string | null;
}

export interface MatchSettings {
  /** Weight of place in the score, 0..1 (LOCAL_WEIGHT). */
  localWeight: number;
  /** Added to a high-potential firm's rank in officer lists (HIGH_POTENTIAL_BOOST); never removes anyone. */
  highPotentialBoost: number;
}

export const DEFAULT_SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };

/** The parts of a score, each in [0,1]. */
export interface ScoreParts {
  capability: number;
  cpv: number;
  text: number;
  track: number;
  place: number;
  size: number;
  suitability: number;
  time: number;
  /**
   * How well the notice's own words bear the match out, times the firm's exclusions and feedback (fitFactor in
   * score.ts), at most 1: the rest of the score is multiplied by it.
   */
  fit: number;
}

export interface MatchResult {
  supplierId: string;
  ocid: string;
  lotId: string;
  /** In [0,1]. */
  score: number;
  reasons: string[];
  parts: ScoreParts;
  /** 3 = same ITL3 area as the delivery place, 2 = ITL2, 1 = ITL1 region, 0 = not local. */
  localLevel: number;
  highPotential: boolean;
  deadline: string | null;
}

/** Why a supplier cannot bid, in plain words; `rule` names the gate for tests and logs. */
export interface Exclusion {
  rule: 'closed' | 'expired' | 'capability' | 'place' | 'capacity' | 'reserved' | 'no-cpv';
  reason: string;
}

export type Verdict = ({ eligible: true } & MatchResult) | ({ eligible: false; supplierId: string } & Exclusion);

export type FeedbackVerdict = 'not_for_us' | 'good_match';

/** What is kept of a marked notice: enough to know its like again, not the notice itself. */
export interface FeedbackMark {
  verdict: FeedbackVerdict;
  /** CPV groups (first three digits) of the notice's codes. */
  groups: string[];
  /** Meaningful words of its title (matching/text.ts words), at most MARK_WORDS. */
  words: string[];
  /** The buyer's name, folded; null when not published. */
  buyer: string | null;
}

/** A mark as the kernel reads it: words as vocabulary ids. */
export interface CompiledMark {
  /** +1 good match, -1 not for us. */
  sign: number;
  groups: string[];
  wordIds: number[];
  buyer: string | null;
}
