/**
 * Where a registered supplier is, for the officers' place filter, and a supplier body's `serves` with the
 * administrator's named places put as their region codes (the rest of `serves` is read by validateSupplier:
 * ITL/NUTS codes, local authorities, combined authorities, region names and postcodes).
 */
import type { Db } from '../../db/client.js';
import { getPlace } from '../../db/queries/places.js';
import { placeOfPostcode, type PlaceMatch, type TaggedPlace } from '../domain/geo/index.js';

/**
 * A supplier's places: where it is based (the local authority its postcode lies in, else its home region) and
 * the regions it serves; serving the whole UK is the UK, national.
 */
export function supplierPlaces(postcode: string | null, homeRegion: string | null, serves: string[], national: boolean): TaggedPlace[] {
  const out: TaggedPlace[] = [];
  const home = postcode ? placeOfPostcode(postcode) : null;
  if (home?.lad) out.push({ code: home.itl3 ?? home.itl1 ?? 'TL', lad: home.lad });
  else if (homeRegion) out.push({ code: homeRegion });
  for (const code of serves) out.push({ code });
  if (national) out.push({ code: 'TL', national: true });
  return out;
}

/** A supplier's view with how it stands to the place asked about, when one was. */
export function withMatch<T extends object>(view: T, match: PlaceMatch | undefined): T & { match?: PlaceMatch } {
  return match ? { ...view, match } : view;
}

/**
 * The body with each `serves` entry that names an administrator's place replaced by that place's region codes,
 * so that the profile stores ITL codes (what the matcher reads). Anything else is left for validation to read.
 */
export async function servesWithNamedPlaces(db: Db, body: unknown): Promise<unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const serves = (body as { serves?: unknown }).serves;
  if (!Array.isArray(serves)) return body;
  const expanded: unknown[] = [];
  for (const entry of serves) {
    const named = typeof entry === 'string' && entry.trim() ? await getPlace(db, entry) : null;
    if (named) expanded.push(...named.codes);
    else expanded.push(entry);
  }
  return { ...body, serves: expanded };
}
