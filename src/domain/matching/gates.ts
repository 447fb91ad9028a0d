/**
 * The gates: any one failing means the supplier cannot bid and gets no score. The scoring kernel (score.ts) runs
 * them on a row of a packed table, and consortia run the place and reservation gates on each member; the words
 * for a failed gate are in reasons.ts.
 *
 *  - closed: the tender or lot is closed, cancelled, or past its deadline, or has no CPV code to judge it by;
 *  - capability: no CPV code of the supplier is the notice's code, above or below it, or in the same CPV group
 *    (CPV_GATE; related codes always share a division, so most pairs stop at sharesDivision);
 *  - place: the supplier neither serves the delivery place nor is national (UK-wide work is open to all);
 *  - capacity: the value is above the largest contract the supplier says it can deliver (a consortium may);
 *    a supplier that has not said its capacity is not held back by it;
 *  - reserved participation (SME/VCSE, public-service mutuals, a location) that the supplier does not meet: for a
 *    location, a supplier based elsewhere or nowhere stated; one registered only at a wider level (its region) is
 *    kept and told to check (reservedPlaceFit).
 */
import { isClosedStatus } from '../ocds/status.js';
import { sharedItlChars } from './closeness.js';
import { FLAG_MUTUAL_KIND, FLAG_NATIONAL, FLAG_VCSE, type CompiledOpportunity, type SupplierTable } from './compiled.js';
import type { Exclusion, Opportunity } from './types.js';

const DAY_MS = 86_400_000;

/** A pair of CPV codes counts as related at or above this (same group, or one above the other). */
export const CPV_GATE = 0.2;

/** Why a tender or lot takes no bids from anyone, if it does not: what compileOpportunity records once per notice. */
export function closedGate(opportunity: Opportunity, now: Date, codeCount: number): { rule: Exclusion['rule'] | null; daysLeft: number | null } {
  let rule: Exclusion['rule'] | null = isClosedStatus(opportunity.status) ? 'closed' : null;
  let daysLeft: number | null = null;
  if (opportunity.deadline) {
    const due = Date.parse(opportunity.deadline);
    if (Number.isFinite(due)) {
      daysLeft = (due - now.getTime()) / DAY_MS;
      if (daysLeft <= 0 && !rule) rule = 'expired';
    }
  }
  if (!rule && codeCount === 0) rule = 'no-cpv';
  return { rule, daysLeft };
}

const SME_RESERVED = new Set(['smeVcse', 'sme', 'smes', 'smeOrVcse']);
const VCSE_RESERVED = new Set(['vcse']);
const MUTUAL_RESERVED = new Set(['publicServiceMissionOrganization', 'shelteredWorkshop']);

/** The reservation of participation by kind of supplier (CompiledOpportunity.reservedKind) from the notice's codes. */
export function reservedKindOf(reserved: string[]): number {
  let kind = 0;
  for (const code of reserved) {
    if (SME_RESERVED.has(code)) kind = Math.max(kind, 1);
    else if (VCSE_RESERVED.has(code)) kind = 2;
    else if (MUTUAL_RESERVED.has(code) && kind !== 2) kind = 3;
  }
  return kind;
}

/**
 * Whether a supplier based at `home` may bid where participation is reserved to `places` (ITL codes): 1 = it is
 * based inside one of them (`TL`: anywhere in the UK); 2 = it is registered only at a wider level that contains
 * one (a postcode gives only the ITL1 region), so it may be: it is kept, and told to check; 0 = it is based
 * elsewhere, or has not said where it is based.
 */
export function reservedPlaceFit(home: string | null, places: string[]): 0 | 1 | 2 {
  if (home === null) return 0;
  let fit: 0 | 2 = 0;
  for (const p of places) {
    if (p === 'TL' || home.startsWith(p)) return 1;
    if (p.startsWith(home)) fit = 2;
  }
  return fit;
}

/** The quick capability check: row `i` lists a code in a CPV division of the notice's. */
export function sharesDivision(co: CompiledOpportunity, t: SupplierTable, i: number): boolean {
  const od = co.divisions;
  const sd = t.divs;
  const d4 = 4 * i;
  return ((od[0] & sd[d4]) | (od[1] & sd[d4 + 1]) | (od[2] & sd[d4 + 2]) | (od[3] & sd[d4 + 3])) !== 0;
}

/** True when one of the places and one of the areas of row areas [from, to) lie one within the other. */
function overlapsRowAreas(pNum: Uint32Array, pLen: Uint8Array, t: SupplierTable, from: number, to: number): boolean {
  for (let i = 0; i < pNum.length; i++) {
    for (let j = from; j < to; j++) {
      if (sharedItlChars(pNum[i], t.areaNum[j]) >= Math.min(pLen[i], t.areaLen[j])) return true;
    }
  }
  return false;
}

/** The place gate: UK-wide or unplaced work is open to all; otherwise the supplier must serve the place. */
export function servesPlace(co: CompiledOpportunity, t: SupplierTable, i: number): boolean {
  if (co.openToAll || (t.flags[i] & FLAG_NATIONAL) !== 0) return true;
  const from = t.areaOff[i];
  const to = t.areaOff[i + 1];
  return overlapsRowAreas(co.placeNum, co.placeLen, t, from, to) || overlapsRowAreas(co.nationalNum, co.nationalLen, t, from, to);
}

/** The capacity gate: an unstated capacity (infinite in the table) never holds a supplier back. */
export function withinCapacity(co: CompiledOpportunity, t: SupplierTable, i: number): boolean {
  return !co.hasValue || co.value <= t.cap[i];
}

/**
 * The reservation gates: participation reserved to VCSEs, or to mutuals and social enterprises, that the supplier
 * is not; or reserved to suppliers based in places where it is not (see reservedPlaceFit). SME/VCSE reservations
 * let every registered kind through.
 */
export function meetsReservations(co: CompiledOpportunity, t: SupplierTable, i: number): boolean {
  const rk = co.reservedKind;
  if (rk === 2 && (t.flags[i] & FLAG_VCSE) === 0) return false;
  if (rk === 3 && (t.flags[i] & FLAG_MUTUAL_KIND) === 0) return false;
  return co.reservedPlaces.length === 0 || reservedPlaceFit(t.rows[i].homeRegion, co.reservedPlaces) !== 0;
}
