/**
 * The normalised tender record: what the rest of tendermatch reads. It is compiled from every
 * OCDS release of one ocid (see compile.ts) and flattened by normalise.ts.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One OCDS release as published: only `ocid` is relied on before validation. */
export type Release = JsonObject;

export interface Money {
  amount: number | null;
  currency: string | null;
}

export interface Address {
  /** Street, locality, region and country joined as published. */
  text: string | null;
  /** A UK postcode as published or as found inside the address text, normalised to `AA9A 9AA`. */
  postcode: string | null;
  /** Region as published: a NUTS/ITL code or a region name, if any. */
  region: string | null;
  countryName: string | null;
}

export interface Buyer {
  id: string | null;
  name: string | null;
  /** scheme-id, such as `GB-GOR-OT1085`. */
  identifier: string | null;
  address: Address | null;
}

export interface Item {
  id: string;
  lotId: string | null;
  description: string | null;
  /** Main CPV code (8 digits, no check digit), if the item has a CPV classification. */
  cpv: string | null;
  additionalCpv: string[];
  /** Region codes or names from deliveryAddresses[].region and deliveryLocation. */
  deliveryRegions: string[];
  deliveryPostcodes: string[];
  deliveryDescription: string | null;
}

export interface Lot {
  id: string;
  title: string | null;
  description: string | null;
  status: string | null;
  value: Money;
  /** CPV codes of the lot: its items' codes (EU profile puts CPV on items with relatedLot). */
  cpv: string[];
  /** Region codes or names of its items' delivery addresses. */
  places: string[];
  suitableSme: boolean | null;
  suitableVcse: boolean | null;
  /** The lot's own otherRequirements.reservedParticipation codes (the tender's apply to every lot besides). */
  reservedParticipation?: string[];
  /** The lot's own location reservation as ITL codes (see TenderRecord.reservedPlaces); absent or [] = none of its own. */
  reservedPlaces?: string[];
  /** The lot's own location reservation as published; null or absent = none. */
  reservedLocation?: string | null;
}

export interface AwardSupplier {
  /**
   * The supplier's key within its award: the published id, unless that id is a placeholder (`0`, empty) or repeats
   * within the award (the old Contracts Finder API gave every supplier `"id": 0`); then `#` and its place in the
   * list (`#1`, `#2`, ...), so that no supplier is folded into another.
   */
  partyId: string;
  name: string | null;
  identifierScheme: string | null;
  identifier: string | null;
  address: Address | null;
  /** 'sme' | 'large' | … as published in parties[].details.scale (or, in the old Contracts Finder shape, `sme`). */
  scale: string | null;
  /** A VCSE (parties[].details.vcse, or `vco` in the old shape); null = not said. Optional for hand-built records. */
  vcse?: boolean | null;
}

export interface Award {
  id: string;
  date: string | null;
  datePublished: string | null;
  status: string | null;
  value: Money;
  lotIds: string[];
  suppliers: AwardSupplier[];
}

export interface TenderRecord {
  ocid: string;
  tenderId: string | null;
  title: string | null;
  description: string | null;
  buyer: Buyer | null;
  value: Money;
  /** OCDS tender status: planning, planned, active, cancelled, unsuccessful, complete, withdrawn. */
  status: string | null;
  procurementMethod: string | null;
  procurementMethodDetails: string | null;
  mainCategory: string | null;
  /** When the notice was first published (ISO-8601). */
  publishedAt: string | null;
  /** tender.tenderPeriod.endDate: when bids are due. */
  deadline: string | null;
  /**
   * The last due date of the planning milestones (`planning.milestones[].dueDate`, an early engagement's end): a
   * planning notice is open until then. Null or absent when none is published.
   */
  engagementEnds?: string | null;
  /** UK notice type (UK1–UK17) where the publisher gives one. */
  noticeType: string | null;
  suitableSme: boolean | null;
  suitableVcse: boolean | null;
  /** Codes from tender.reservedParticipation / otherRequirements.reservedParticipation, e.g. `smeVcse`. */
  reservedParticipation: string[];
  /**
   * ITL 2021 codes of the places participation is reserved to (`otherRequirements.reservedParticipationLocation`
   * of the UK extension, a Location: gazetteer identifiers such as NUTS `UKJ4`, else its description read as a
   * place name): only suppliers based there may bid. `TL` = UK-based suppliers; England is its nine regions.
   * Absent or [] = no reservation by location that could be placed (optional so that hand-built records stay valid).
   */
  reservedPlaces?: string[];
  /** That reservation as published (the Location's description, else its identifiers), placed or not; null or absent = none. */
  reservedLocation?: string | null;
  /** Every CPV code on the tender, its lots and items, main first, de-duplicated. */
  cpv: string[];
  /** The notice's public web page. */
  url: string | null;
  lots: Lot[];
  items: Item[];
  awards: Award[];
}

/** A release as received from a feed or file, before validation: its text, and its parsed value if it parsed. */
export interface IncomingRelease {
  raw: string;
  value?: unknown;
  parseError?: string;
}
