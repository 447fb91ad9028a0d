import type { Db } from '../client.js';
import { regionFromName, toItl } from '../../src/domain/geo/index.js';
import type { PlacesTable } from '../schema.tags.js';

export interface NamedPlace {
  name: string;
  codes: string[];
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Names match whatever their case and spacing: `west midlands  CA` = `West Midlands CA`. */
export const placeNameKey = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

const toPlace = (r: PlacesTable): NamedPlace => ({
  name: r.name,
  codes: JSON.parse(r.codes) as string[],
  description: r.description,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function listPlaces(db: Db): Promise<NamedPlace[]> {
  const rows = await db.selectFrom('places').selectAll().orderBy('name_key').execute();
  return rows.map(toPlace);
}

export async function getPlace(db: Db, name: string): Promise<NamedPlace | null> {
  const row = await db.selectFrom('places').selectAll().where('name_key', '=', placeNameKey(name)).executeTakeFirst();
  return row ? toPlace(row) : null;
}

/** Creates or replaces a named place; `codes` must already be ITL 2021 codes. Returns whether it was new. */
export async function putPlace(
  db: Db,
  place: { name: string; codes: string[]; description: string | null },
  now: string,
): Promise<{ created: boolean; place: NamedPlace }> {
  const key = placeNameKey(place.name);
  const name = place.name.trim().replace(/\s+/g, ' ');
  const existing = await db.selectFrom('places').select(['created_at']).where('name_key', '=', key).executeTakeFirst();
  await db
    .insertInto('places')
    .values({ name, name_key: key, codes: JSON.stringify(place.codes), description: place.description, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc.column('name_key').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        codes: eb.ref('excluded.codes'),
        description: eb.ref('excluded.description'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  return { created: !existing, place: (await getPlace(db, name))! };
}

export async function deletePlace(db: Db, name: string): Promise<boolean> {
  const result = await db.deleteFrom('places').where('name_key', '=', placeNameKey(name)).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0) > 0;
}

/**
 * ITL 2021 codes for a region filter: a NUTS 2016/2021 or ITL code (`UKG31`, `TLG3`), an administrator's
 * named place (`West Midlands Combined Authority`), or a region name (`Yorkshire and the Humber`, `England`
 * → its nine ITL1 regions, `UK` → `TL`). Named places win over built-in region names. Null when unknown.
 */
export async function regionCodesFor(db: Db, input: string): Promise<string[] | null> {
  if (typeof input !== 'string' || !input.trim()) return null;
  const code = toItl(input.trim());
  if (code) return [code];
  const named = await getPlace(db, input);
  if (named) return named.codes;
  const region = regionFromName(input);
  return region ? region.codes : null;
}
