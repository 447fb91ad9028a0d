/**
 * Turns a normalised tender into the units suppliers bid for: each lot on its own CPV, place and value
 * when the tender is split into two or more lots, otherwise the whole tender. Each carries what the notice
 * reserves participation to (kinds of supplier, and places as ITL codes), for the scorer's gates.
 */
import { isKnownCpv, normaliseCpv } from '../cpv/index.js';
import { resolvePlace, toItl } from '../geo/index.js';
import type { Lot, TenderRecord } from '../ocds/types.js';
import type { Opportunity, OpportunityPlace } from './types.js';

/** Tags written by the tagging step (tender_places role 'delivery', tender_cpv); lotId '' = whole tender. */
export interface DeliveryTags {
  places?: Array<{ lotId: string; code: string; national?: boolean }>;
  cpv?: Array<{ lotId: string; code: string }>;
}

const cleanCodes = (codes: Array<string | null | undefined>) => {
  const out: string[] = [];
  for (const c of codes) {
    const code = c ? (isKnownCpv(c) ? c : normaliseCpv(c)) : null;
    if (code && !out.includes(code)) out.push(code);
  }
  return out;
};

function placesFromText(raws: string[]): OpportunityPlace[] {
  const out: OpportunityPlace[] = [];
  for (const raw of raws) {
    for (const tag of resolvePlace(raw)) {
      if (!out.some((p) => p.code === tag.code)) out.push({ code: tag.code, national: tag.national });
    }
  }
  return out;
}

function placesFromTags(tags: DeliveryTags, lotId: string): OpportunityPlace[] | null {
  if (!tags.places) return null;
  const own = tags.places.filter((p) => p.lotId === lotId);
  const list = own.length ? own : tags.places.filter((p) => p.lotId === '');
  const out: OpportunityPlace[] = [];
  for (const p of list) {
    const code = toItl(p.code) ?? p.code;
    if (!out.some((o) => o.code === code)) out.push({ code, national: p.national ?? code === 'TL' });
  }
  return out;
}

const amount = (m: { amount: number | null } | null | undefined) =>
  m && typeof m.amount === 'number' && Number.isFinite(m.amount) && m.amount >= 0 ? m.amount : null;

function joinText(parts: Array<string | null | undefined>): string {
  return parts.filter((p): p is string => !!p && p.trim().length > 0).join('\n');
}

type Reservations = Pick<Opportunity, 'reserved' | 'reservedPlaces' | 'reservedLocation'>;

/**
 * What the notice reserves for the whole tender: the tender's own reservations, and those that every lot makes
 * (a supplier that a reservation shuts out of every lot is shut out of the whole; with one lot, that lot's
 * reservations are the tender's). By location: the tender's own; else, when every lot reserves by location,
 * anywhere one of the lots allows. Lots that restrict different kinds of supplier are left to each lot.
 */
function wholeReservations(t: TenderRecord): Reservations {
  const lots = t.lots;
  const onEveryLot = lots.length ? (lots[0].reservedParticipation ?? []).filter((code) => lots.every((l) => l.reservedParticipation?.includes(code))) : [];
  const reserved = [...new Set([...t.reservedParticipation, ...onEveryLot])];
  if (t.reservedLocation) return { reserved, reservedPlaces: t.reservedPlaces ?? [], reservedLocation: t.reservedLocation };
  if (lots.length && lots.every((l) => l.reservedLocation)) {
    // A lot reserved to a place that could not be read may be anywhere: then the whole is not placed either.
    const placed = lots.every((l) => l.reservedPlaces?.length);
    return {
      reserved,
      reservedPlaces: placed ? [...new Set(lots.flatMap((l) => l.reservedPlaces!))] : [],
      reservedLocation: [...new Set(lots.map((l) => l.reservedLocation!))].join('; '),
    };
  }
  return { reserved, reservedPlaces: [], reservedLocation: null };
}

/**
 * What a lot reserves: the tender's reservations of kind and its own; by location, its own when it states one
 * (the narrower statement), else the tender's.
 */
function lotReservations(t: TenderRecord, lot: Lot): Reservations {
  const reserved = [...new Set([...t.reservedParticipation, ...(lot.reservedParticipation ?? [])])];
  if (lot.reservedLocation) return { reserved, reservedPlaces: lot.reservedPlaces ?? [], reservedLocation: lot.reservedLocation };
  return { reserved, reservedPlaces: t.reservedPlaces ?? [], reservedLocation: t.reservedLocation ?? null };
}

/** The whole tender as one opportunity (also what a consortium for a multi-lot tender must cover). */
export function wholeTenderOpportunity(t: TenderRecord, tags: DeliveryTags = {}): Opportunity {
  const tagCpv = tags.cpv?.map((c) => c.code) ?? [];
  const cpv = cleanCodes([...t.cpv, ...t.lots.flatMap((l) => l.cpv), ...tagCpv]);
  const places =
    placesFromTags(tags, '') ?? placesFromText(t.items.flatMap((i) => [...i.deliveryRegions, ...i.deliveryPostcodes]));
  const lotValues = t.lots.map((l) => amount(l.value));
  const lotSum = lotValues.length && lotValues.every((v) => v !== null) ? lotValues.reduce((a, b) => a! + b!, 0) : null;
  return {
    ocid: t.ocid,
    lotId: '',
    lotTitle: null,
    title: t.title,
    text: joinText([t.title, t.description, ...t.lots.flatMap((l) => [l.title, l.description]), ...t.items.map((i) => i.description)]),
    cpv,
    places,
    value: amount(t.value) ?? lotSum,
    status: t.status,
    deadline: t.deadline,
    suitableSme: t.suitableSme,
    suitableVcse: t.suitableVcse,
    ...wholeReservations(t),
    lotCount: Math.max(1, t.lots.length),
    buyer: t.buyer?.name ?? null,
  };
}

/** What suppliers can bid for: every lot of a tender with two or more lots, else the whole tender. */
export function opportunitiesOf(t: TenderRecord, tags: DeliveryTags = {}): Opportunity[] {
  const whole = wholeTenderOpportunity(t, tags);
  if (t.lots.length < 2) return [whole];
  return t.lots.map((lot) => {
    const lotItems = t.items.filter((i) => i.lotId === lot.id);
    const tagCpv = tags.cpv?.filter((c) => c.lotId === lot.id).map((c) => c.code) ?? [];
    let cpv = cleanCodes([...lot.cpv, ...tagCpv]);
    if (!cpv.length) cpv = whole.cpv;
    let places = placesFromTags(tags, lot.id) ?? placesFromText(lot.places);
    if (!places.length) places = whole.places;
    return {
      ...whole,
      lotId: lot.id,
      lotTitle: lot.title,
      text: joinText([t.title, lot.title, lot.description, ...lotItems.map((i) => i.description)]),
      cpv,
      places,
      value: amount(lot.value),
      status: lot.status && lot.status !== 'active' ? lot.status : t.status,
      suitableSme: lot.suitableSme ?? t.suitableSme,
      suitableVcse: lot.suitableVcse ?? t.suitableVcse,
      ...lotReservations(t, lot),
    };
  });
}
