/**
 * Is a supplier inside an area? Three answers: yes, no, or not known at that level (a supplier placed only in
 * its ITL1 region cannot be said to be in or out of Oxford, though it is surely outside Oxford when its region
 * is not the South East). Not-known spend is left out of a share's denominator and reported beside it.
 */

export interface SupplierPlace {
  lad: string | null;
  itl3: string | null;
  itl1: string | null;
  combinedAuthority: string | null;
  /** true = in the UK, false = abroad, null = not known. */
  uk: boolean | null;
}

/** A buyer's own area, wider area, region or a named place, as reports test suppliers against it. */
export type Area =
  | { kind: 'lad'; lad: string; ladName: string | null; itl3: string | null; itl1: string | null }
  | { kind: 'itl'; code: string }
  | { kind: 'place'; name: string; codes: string[]; combinedAuthority: string | null; region?: string | null }
  | { kind: 'uk' };

export interface BuyerArea {
  buyerId: string;
  name: string;
  /** An ITL code given as the buyer's own area (wins over its local authority). */
  regionCode: string | null;
  lad: string | null;
  ladName: string | null;
  itl3: string | null;
  itl1: string | null;
  combinedAuthority: string | null;
}

const sameName = (a: string, b: string) => a.toLowerCase().replace(/[^a-z0-9]+/g, '') === b.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** The buyer's own area: the ITL code given for it, else its local authority; null when neither is known. */
export function ownAreaOf(buyer: BuyerArea): Area | null {
  if (buyer.regionCode) return { kind: 'itl', code: buyer.regionCode };
  if (buyer.lad) return { kind: 'lad', lad: buyer.lad, ladName: buyer.ladName, itl3: buyer.itl3, itl1: buyer.itl1 };
  return null;
}

/** The buyer's combined authority as a wider area, when it is in one. */
export function widerAreaOf(buyer: BuyerArea): Area | null {
  // A combined authority lies inside one ITL1 region: a supplier placed only in another region is outside it.
  return buyer.combinedAuthority ? { kind: 'place', name: buyer.combinedAuthority, codes: [], combinedAuthority: buyer.combinedAuthority, region: buyer.itl1 } : null;
}

/** The buyer's ITL1 region: its own region code's first three letters, else its postcode's region. */
export function regionOf(buyer: BuyerArea): Area | null {
  const code = buyer.itl1 ?? (buyer.regionCode && buyer.regionCode.length >= 3 ? buyer.regionCode.slice(0, 3) : null);
  return code ? { kind: 'itl', code } : null;
}

/** Within an ITL code: yes when the supplier's deepest code lies inside, unknown when it is coarser and contains it. */
function withinItl(place: SupplierPlace, codes: string[]): boolean | null {
  const deepest = place.itl3 ?? place.itl1;
  if (!deepest) return null;
  if (codes.some((k) => deepest.startsWith(k))) return true;
  if (codes.some((k) => k.startsWith(deepest))) return null;
  return false;
}

export function within(place: SupplierPlace | null, area: Area): boolean | null {
  if (!place) return null;
  switch (area.kind) {
    case 'uk':
      return place.uk;
    case 'itl':
      return place.uk === false ? false : withinItl(place, [area.code]);
    case 'lad':
      if (place.uk === false) return false;
      if (place.lad) return place.lad === area.lad;
      if (place.itl3 && area.itl3 && place.itl3 !== area.itl3) return false;
      if (place.itl1 && area.itl1 && place.itl1 !== area.itl1) return false;
      return null;
    case 'place':
      if (place.uk === false) return false;
      if (area.combinedAuthority && place.lad) return place.combinedAuthority !== null && sameName(place.combinedAuthority, area.combinedAuthority);
      if (area.codes.length) return withinItl(place, area.codes);
      if (area.region && place.itl1 && place.itl1 !== area.region) return false;
      return null;
  }
}

/** What the supplier search can filter on for an area: an ITL code or a named place's name. */
export function searchRegionOf(area: Area): string | null {
  switch (area.kind) {
    case 'itl':
      return area.code;
    case 'lad':
      return area.itl3 ?? area.itl1;
    case 'place':
      return area.codes.length ? area.name : null;
    case 'uk':
      return 'TL';
  }
}

export function describeArea(area: Area | null): string | null {
  if (!area) return null;
  switch (area.kind) {
    case 'itl':
      return area.code;
    case 'lad':
      return area.ladName ? `${area.ladName} (${area.lad})` : area.lad;
    case 'place':
      return area.name;
    case 'uk':
      return 'United Kingdom';
  }
}
