/**
 * A UK postcode → its local authority district (LAD), ITL3 area and combined authority, through its sector
 * (`B1 1`) or, failing that, its district (`B1`), with the share of the sector's or district's postcodes in
 * that LAD as the confidence; an unknown district falls back to its area's ITL1 region. Pure: the shares ship
 * as postcode-lads.generated.ts. An exact postcode is only known once the full postcode list is imported into
 * the store (db/queries/places.ts resolves through it first).
 */
import { POSTCODE_LADS } from './postcode-lads.generated.js';
import { combinedAuthorityOf, localAuthorityAt, type LocalAuthority } from './local-authorities.js';
import { itlAncestors, itlLevel } from './itl.js';
import type { PostcodePlace } from './types.js';

/** A LAD and the share of the sector's or district's postcodes in it. */
export interface LadShare {
  lad: LocalAuthority;
  share: number;
}

interface DistrictEntry {
  shares: LadShare[];
  sectors: Map<string, LadShare[]>;
}

let districts: Map<string, DistrictEntry> | null = null;

function parseShares(text: string): LadShare[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const [index, share] = part.split(':');
    const lad = localAuthorityAt(Number(index));
    if (!lad) throw new Error(`postcode table names LAD index ${index}, which is not in the LAD table`);
    return { lad, share: share === undefined ? 1 : Number(share) };
  });
}

function table(): Map<string, DistrictEntry> {
  if (districts) return districts;
  districts = new Map();
  for (const line of POSTCODE_LADS.split('\n')) {
    const [district, shares, sectors] = line.split('\t');
    const entry: DistrictEntry = { shares: parseShares(shares), sectors: new Map() };
    for (const s of sectors ? sectors.split(' ') : []) {
      const [digit, list] = s.split('=');
      entry.sectors.set(digit, parseShares(list));
    }
    districts.set(district, entry);
  }
  return districts;
}

const FULL = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9])([A-Z]{2})$/;
const SECTOR = /^([A-Z]{1,2}[0-9][0-9A-Z]?) ([0-9])$/;
const DISTRICT = /^[A-Z]{1,2}[0-9][0-9A-Z]?$/;

/** What the text names: a full postcode, a sector (`B1 1`, with its space) or a district (`B1`), normalised. */
export function postcodeUnit(text: string): { kind: 'postcode' | 'sector' | 'district'; district: string; sectorDigit: string | null; normalised: string } | null {
  if (typeof text !== 'string') return null;
  const t = text.trim().toUpperCase().replace(/\s+/g, ' ');
  const full = FULL.exec(t.replace(/ /g, ''));
  if (full) return { kind: 'postcode', district: full[1], sectorDigit: full[2], normalised: `${full[1]} ${full[2]}${full[3]}` };
  const sector = SECTOR.exec(t);
  if (sector) return { kind: 'sector', district: sector[1], sectorDigit: sector[2], normalised: `${sector[1]} ${sector[2]}` };
  if (DISTRICT.test(t)) return { kind: 'district', district: t, sectorDigit: null, normalised: t };
  return null;
}

/**
 * The LAD shares of a postcode, sector or district, largest first, and which table gave them; null when
 * neither the sector nor the district is known (Channel Islands, Isle of Man, non-geographic or mistyped).
 */
export function ladSharesOf(text: string): { shares: LadShare[]; via: 'sector' | 'district'; normalised: string } | null {
  const unit = postcodeUnit(text);
  if (!unit) return null;
  const entry = table().get(unit.district);
  if (!entry) return null;
  const bySector = unit.sectorDigit !== null ? entry.sectors.get(unit.sectorDigit) : undefined;
  if (bySector?.length) return { shares: bySector, via: 'sector', normalised: unit.normalised };
  if (entry.shares.length) return { shares: entry.shares, via: 'district', normalised: unit.normalised };
  return null;
}

/** The share of the postcodes in `shares` whose LAD lies within the ITL area `code`. */
export function shareWithin(shares: LadShare[], code: string): number {
  let total = 0;
  for (const s of shares) if (s.lad.itl === code || s.lad.itl.startsWith(code) || code === 'TL') total += s.share;
  return Math.min(1, Math.round(total * 1000) / 1000);
}

/** The ITL1 region of a LAD. */
export function itl1Of(lad: LocalAuthority): string | null {
  if (itlLevel(lad.itl) === 1) return lad.itl;
  return itlAncestors(lad.itl).find((a) => itlLevel(a) === 1) ?? null;
}

/** A LAD as a PostcodePlace, with the confidence given. */
export function placeOfLad(postcode: string, lad: LocalAuthority, confidence: number, via: PostcodePlace['via']): PostcodePlace {
  return {
    postcode,
    lad: lad.code,
    ladName: lad.name,
    itl3: lad.itl3.length === 1 ? lad.itl3[0] : null,
    itl1: itl1Of(lad),
    combinedAuthority: combinedAuthorityOf(lad.code)?.name ?? null,
    confidence,
    via,
  };
}

/**
 * Where a UK postcode lies: `B1 1BB` (or `b11bb`), a sector `B1 1` or a district `B1`. Through the sector's
 * LAD shares, else the district's; the LAD is the one holding most of its postcodes and `confidence` is that
 * share. Null when it is not a postcode or sector or district the tables know (the area fallback to an ITL1
 * region lives in `placeOfPostcode` in index.ts, which knows the area table).
 */
export function placeOfPostcodeByLad(postcode: string): PostcodePlace | null {
  const found = ladSharesOf(postcode);
  if (!found) return null;
  const top = found.shares[0];
  return placeOfLad(found.normalised, top.lad, top.share, found.via);
}
