import { parseUkDateTime } from '../time-zones.js';
import { findPostcodes, normalisePostcode, resolvePlace } from '../geo/index.js';
import { latestNoticeType } from './notice-types.js';
import type { Address, Award, AwardSupplier, Buyer, Item, Json, JsonObject, Lot, Money, TenderRecord } from './types.js';

/**
 * Flattens a compiled OCDS release into a TenderRecord. Reads the shapes UK publishers use:
 * Contracts Finder (CPV on tender.classification, region names on delivery addresses, supplier
 * postcodes inside streetAddress) and the EU profile of Find a Tender, Public Contracts Scotland and
 * Sell2Wales (lots, CPV on items with relatedLot, NUTS codes as regions). Wrong types read as absent.
 */
const obj = (v: Json | undefined): JsonObject | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null);
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const objs = (v: Json | undefined): JsonObject[] => arr(v).map(obj).filter((o): o is JsonObject => o !== null);
const str = (v: Json | undefined): string | null => {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
};
const num = (v: Json | undefined): number | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
};
const bool = (v: Json | undefined): boolean | null => (typeof v === 'boolean' ? v : null);
/**
 * Dates become UTC ISO-8601 so that they compare as text in SQL (a time without a zone is UK time);
 * unreadable dates are kept as published.
 */
const isoDate = (v: Json | undefined): string | null => {
  const s = str(v);
  if (!s) return null;
  const ms = parseUkDateTime(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString();
};
/** The latest of some ISO dates (those that read as dates), or null. */
const latestDate = (dates: Array<string | null>): string | null =>
  dates.reduce<string | null>((best, d) => (d && !Number.isNaN(Date.parse(d)) && (!best || Date.parse(d) > Date.parse(best)) ? d : best), null);
const unique = (values: Array<string | null>): string[] => [...new Set(values.filter((v): v is string => !!v))];

function money(v: Json | undefined): Money {
  const m = obj(v);
  const currency = typeof m?.currency === 'string' ? m.currency.trim().toUpperCase() : null;
  return { amount: num(m?.amount), currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : null };
}

/** An 8-digit CPV code from a classification, when its scheme is CPV (or unstated but code-shaped). */
function cpvOf(classification: Json | undefined): string | null {
  const c = obj(classification);
  if (!c) return null;
  const scheme = str(c.scheme)?.toUpperCase() ?? 'CPV';
  if (scheme !== 'CPV') return null;
  const digits = /^(\d{8})(?:-\d)?$/.exec(str(c.id) ?? '');
  return digits ? digits[1] : null;
}

function address(v: Json | undefined): Address | null {
  const a = obj(v);
  if (!a) return null;
  const parts = unique([str(a.streetAddress), str(a.locality), str(a.region), str(a.postalCode), str(a.countryName)]);
  const text = parts.length ? parts.join(', ') : null;
  const postcode =
    normalisePostcode(str(a.postalCode) ?? '') ?? (findPostcodes(str(a.streetAddress) ?? '')[0] ?? null) ?? (text ? findPostcodes(text)[0] ?? null : null);
  return { text, postcode, region: str(a.region), countryName: str(a.countryName) };
}

function partyIdentifier(party: JsonObject | null): { scheme: string | null; id: string | null } {
  const identifier = obj(party?.identifier);
  return { scheme: str(identifier?.scheme), id: str(identifier?.id) };
}

function item(v: JsonObject, index: number): Item {
  const regions: string[] = [];
  const postcodes: string[] = [];
  const addresses = [...objs(v.deliveryAddresses), ...(obj(v.deliveryAddress) ? [obj(v.deliveryAddress)!] : [])];
  for (const a of addresses) {
    const region = str(a.region);
    if (region) regions.push(region);
    const postcode = normalisePostcode(str(a.postalCode) ?? '') ?? findPostcodes(str(a.streetAddress) ?? '')[0];
    if (postcode) postcodes.push(postcode);
    // Contracts Finder often gives only the country ("United Kingdom"): a place all the same, a national one.
    const country = str(a.countryName);
    if (!region && !postcode && country) regions.push(country);
  }
  const location = obj(v.deliveryLocation);
  return {
    id: str(v.id) ?? String(index + 1),
    lotId: str(v.relatedLot),
    description: str(v.description),
    cpv: cpvOf(v.classification),
    additionalCpv: unique(arr(v.additionalClassifications).map(cpvOf)),
    deliveryRegions: unique(regions),
    deliveryPostcodes: unique(postcodes),
    deliveryDescription: str(location?.description),
  };
}

function suitability(v: Json | undefined): { sme: boolean | null; vcse: boolean | null } {
  const s = obj(v);
  return { sme: bool(s?.sme), vcse: bool(s?.vcse) };
}

/** Reserved participation codes of a tender or lot: its own field or its otherRequirements' (the extension's place). */
function reserved(tenderOrLot: JsonObject): string[] {
  const sources = [tenderOrLot.reservedParticipation, obj(tenderOrLot.otherRequirements)?.reservedParticipation];
  return unique(sources.flatMap((s) => (typeof s === 'string' ? [s] : arr(s).map(str))));
}

// "London Borough of Camden", "Royal Borough of Greenwich", "Kent County Council": the place is the rest.
const ADMINISTRATIVE_WORDS = /\b(?:the\s+)?(?:(?:royal|london|metropolitan)\s+)?borough\s+of\b|\b(?:county\s+)?council\b/gi;

/**
 * The location a tender or lot reserves participation to (UK extension: otherRequirements.reservedParticipationLocation,
 * a Location). Its gazetteer identifiers are read as NUTS/ITL codes, region names or postcodes whatever the scheme
 * (a GeoNames or OSM number places nothing); when none of them places, its description is read as a place name.
 * England comes back as its nine regions, the UK as `TL`. A location that places nowhere is kept as published,
 * so that a match can still warn that the buyer restricts where bidders are based.
 */
function reservedLocation(tenderOrLot: JsonObject): { places: string[]; published: string | null } {
  const v = obj(tenderOrLot.otherRequirements)?.reservedParticipationLocation;
  const locations = Array.isArray(v) ? objs(v) : obj(v) ? [obj(v)!] : [];
  const places: string[] = [];
  const published: string[] = [];
  for (const location of locations) {
    const identifiers = unique(arr(obj(location.gazetteer)?.identifiers).map(str));
    const description = str(location.description);
    let found = identifiers.flatMap((id) => resolvePlace(id).map((t) => t.code));
    if (!found.length && description) found = resolvePlace(description.replace(ADMINISTRATIVE_WORDS, ' ').replace(/\s+/g, ' ')).map((t) => t.code);
    for (const code of found) if (!places.includes(code)) places.push(code);
    const text = description ?? (identifiers.length ? identifiers.join(', ') : null);
    if (text) published.push(text);
  }
  return { places, published: published.length ? published.join('; ') : null };
}

/** Supplier ids that name nobody: the old Contracts Finder API gave every supplier `"id": 0`. */
const PLACEHOLDER_IDS = new Set(['0', '-1', 'null', 'undefined']);

const NOTICE_URL_TYPES = new Set(['tenderNotice', 'contractNotice', 'awardNotice', 'plannedProcurementNotice', 'pipelineNotice', 'marketEngagementNotice', 'biddingDocuments']);

function noticeUrl(release: JsonObject, tender: JsonObject): string | null {
  const documents = [...objs(tender.documents), ...objs(release.awards).flatMap((a) => objs(a.documents)), ...objs(obj(release.planning)?.documents)];
  const html = documents.find((d) => NOTICE_URL_TYPES.has(str(d.documentType) ?? '') && str(d.url));
  const any = documents.find((d) => str(d.format) === 'text/html' && str(d.url));
  const link = obj(release.links);
  return str(html?.url) ?? str(any?.url) ?? str(link?.self) ?? null;
}


export interface NormaliseContext {
  /** Date of the first release of this ocid, used when the tender gives no datePublished. */
  firstReleaseDate?: string | null;
}

/** Flattens one compiled release. Throws only when there is no ocid (the store quarantines those). */
export function normalise(compiled: JsonObject, context: NormaliseContext = {}): TenderRecord {
  const ocid = str(compiled.ocid);
  if (!ocid) throw new Error('release has no ocid');
  const tender = obj(compiled.tender) ?? {};
  const parties = objs(compiled.parties);
  const partyById = new Map(parties.filter((p) => str(p.id)).map((p) => [str(p.id)!, p]));

  const buyerRef = obj(compiled.buyer);
  const buyerParty =
    (buyerRef && str(buyerRef.id) ? partyById.get(str(buyerRef.id)!) : undefined) ??
    parties.find((p) => arr(p.roles).includes('buyer')) ??
    null;
  let buyer: Buyer | null = null;
  if (buyerRef || buyerParty) {
    // Without a party (the old Contracts Finder shape), the buyer is described inline, address and all.
    const ident = partyIdentifier(buyerParty ?? buyerRef);
    buyer = {
      id: str(buyerRef?.id) ?? str(buyerParty?.id),
      name: str(buyerRef?.name) ?? str(buyerParty?.name),
      identifier: ident.scheme && ident.id ? `${ident.scheme}-${ident.id}` : ident.id,
      address: address(buyerParty?.address ?? buyerRef?.address),
    };
  }

  const items = objs(tender.items).map(item);
  const itemsByLot = new Map<string, Item[]>();
  for (const i of items) if (i.lotId) itemsByLot.set(i.lotId, [...(itemsByLot.get(i.lotId) ?? []), i]);
  const tenderSuitability = suitability(tender.suitability);
  const lots: Lot[] = objs(tender.lots).map((l, index) => {
    const id = str(l.id) ?? String(index + 1);
    const lotItems = itemsByLot.get(id) ?? [];
    const s = suitability(l.suitability);
    const location = reservedLocation(l);
    return {
      id,
      title: str(l.title),
      description: str(l.description),
      status: str(l.status),
      value: money(l.value),
      cpv: unique(lotItems.flatMap((i) => [i.cpv, ...i.additionalCpv])),
      places: unique(lotItems.flatMap((i) => [...i.deliveryRegions, ...i.deliveryPostcodes])),
      suitableSme: s.sme ?? tenderSuitability.sme,
      suitableVcse: s.vcse ?? tenderSuitability.vcse,
      reservedParticipation: reserved(l),
      reservedPlaces: location.places,
      reservedLocation: location.published,
    };
  });
  const location = reservedLocation(tender);

  const awards: Award[] = objs(compiled.awards).map((a, index) => {
    const refs = objs(a.suppliers);
    const idCounts = new Map<string, number>();
    for (const ref of refs) {
      const id = str(ref.id);
      if (id) idCounts.set(id, (idCounts.get(id) ?? 0) + 1);
    }
    const suppliers: AwardSupplier[] = refs.map((ref, i) => {
      const id = str(ref.id);
      const party = (id ? partyById.get(id) : undefined) ?? null;
      // Without a party (the old Contracts Finder shape), the supplier is described inline.
      const described = party ?? ref;
      const ident = partyIdentifier(described);
      const details = obj(described.details);
      const usable = id !== null && !PLACEHOLDER_IDS.has(id) && idCounts.get(id) === 1;
      return {
        partyId: usable ? id : id === null && !refs.some((r) => str(r.id)) ? `${index + 1}-${i + 1}` : `#${i + 1}`,
        name: str(ref.name) ?? str(party?.name),
        identifierScheme: ident.scheme,
        identifier: ident.id,
        address: address(described.address),
        scale: str(details?.scale) ?? (typeof described.sme === 'boolean' ? (described.sme ? 'sme' : 'large') : null),
        vcse: bool(details?.vcse) ?? bool(described.vco) ?? bool(described.vcse),
      };
    });
    return {
      id: str(a.id) ?? String(index + 1),
      date: isoDate(a.date),
      datePublished: isoDate(a.datePublished),
      status: str(a.status),
      value: money(a.value),
      lotIds: unique(arr(a.relatedLots).map(str)),
      suppliers,
    };
  });

  const tenderCpv = [cpvOf(tender.classification), ...arr(tender.additionalClassifications).map(cpvOf)];
  const itemCpv = items.flatMap((i) => [i.cpv, ...i.additionalCpv]);

  return {
    ocid,
    tenderId: str(tender.id),
    title: str(tender.title),
    description: str(tender.description) ?? str(compiled.description),
    buyer,
    value: money(tender.value),
    status: str(tender.status),
    procurementMethod: str(tender.procurementMethod),
    procurementMethodDetails: str(tender.procurementMethodDetails),
    mainCategory: str(tender.mainProcurementCategory),
    publishedAt: isoDate(tender.datePublished) ?? isoDate(context.firstReleaseDate ?? undefined) ?? isoDate(compiled.date),
    deadline: isoDate(obj(tender.tenderPeriod)?.endDate),
    engagementEnds: latestDate(objs(obj(compiled.planning)?.milestones).map((m) => isoDate(m.dueDate))),
    // Every section's documents (planning, tender, awards, contracts): the latest notice published names the stage.
    noticeType: latestNoticeType(compiled),
    suitableSme: tenderSuitability.sme,
    suitableVcse: tenderSuitability.vcse,
    reservedParticipation: reserved(tender),
    reservedPlaces: location.places,
    reservedLocation: location.published,
    cpv: unique([...tenderCpv, ...itemCpv]),
    url: noticeUrl(compiled, tender),
    lots,
    items,
    awards,
  };
}
