import type { Db } from '../client.js';
import { bulkWriter, chunks } from '../bulk.js';
import { queueForMatching } from './match-queue.js';
import {
  exactPostcodePlaceTag,
  itlCodesOf,
  localAuthorityByCode,
  namedArea,
  normalisePostcode,
  placeOfPostcode,
  type NamedArea,
  type PostcodePlace,
} from '../../src/domain/geo/index.js';
import { placeOfLad } from '../../src/domain/geo/postcode-place.js';
import type { PlacesTable, TenderPlacesTable } from '../schema.tags.js';
import { readList } from '../json-columns.js';

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
  codes: readList(r.codes),
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

/** A place asked about, as the store knows it: an administrator's named place, or a built-in one. */
export interface StoredArea extends Omit<NamedArea, 'kind'> {
  kind: NamedArea['kind'] | 'named place';
}

/**
 * A place asked about (`region=`, `serves`): an administrator's named place (`Cotswolds patch`), an ITL or NUTS
 * code (`UKG31`, `TLG3`), a local authority (`E08000025`, `Birmingham`, `Wirral Borough Council`), a combined
 * authority (`WMCA`, `West Midlands Combined Authority`) or a region name (`Yorkshire and the Humber`, `England`,
 * `UK`). A code is read as a code first; then named places win over built-in names. Null when unknown.
 */
export async function areaFor(db: Db, input: string): Promise<StoredArea | null> {
  if (typeof input !== 'string' || !input.trim()) return null;
  const builtIn = namedArea(input);
  if (builtIn && (builtIn.kind === 'itl' || builtIn.kind === 'national') && builtIn.name === builtIn.codes[0]) return builtIn;
  if (builtIn && builtIn.kind === 'local authority' && localAuthorityByCode(input)) return builtIn;
  const named = await getPlace(db, input);
  if (named) return { kind: 'named place', name: named.name, codes: named.codes, lads: [] };
  return builtIn;
}

/**
 * ITL 2021 codes for a region filter: the place asked about (see areaFor) as ITL codes, a local authority as its
 * ITL3 area and a combined authority as its members' ITL3 areas. Null when unknown.
 */
export async function regionCodesFor(db: Db, input: string): Promise<string[] | null> {
  const area = await areaFor(db, input);
  return area ? itlCodesOf(area) : null;
}

// --- Postcodes known exactly (an imported list), else through their sector or district

/**
 * Where a postcode lies, exactly where the full postcode list is imported (`places import-postcodes`): the
 * imported postcode's LAD with confidence 1 (`via: 'postcode'`); otherwise, or for a sector or district, as
 * placeOfPostcode reads it from the shipped tables.
 */
export async function resolvePostcode(db: Db, postcode: string): Promise<PostcodePlace | null> {
  return (await resolvePostcodes(db, [postcode])).get(postcode) ?? null;
}

/** resolvePostcode for many at once (a spend file's payees, a batch of tenders), keyed by the text given. */
export async function resolvePostcodes(db: Db, postcodes: string[]): Promise<Map<string, PostcodePlace | null>> {
  const exact = await exactLads(db, postcodes.map((p) => normalisePostcode(p)).filter((p): p is string => !!p));
  const out = new Map<string, PostcodePlace | null>();
  for (const given of postcodes) {
    const norm = normalisePostcode(given);
    const lad = norm ? exact.get(norm) : undefined;
    const la = lad ? localAuthorityByCode(lad) : null;
    out.set(given, la ? placeOfLad(norm!, la, 1, 'postcode') : placeOfPostcode(given));
  }
  return out;
}

/** The imported LAD of each of these (normalised) postcodes that the list holds. */
export async function exactLads(db: Db, postcodes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(postcodes)];
  if (!unique.length || !(await hasPostcodeList(db))) return out;
  for (const part of chunks(unique, 90)) {
    const rows = await db.selectFrom('postcode_lads').select(['postcode', 'lad']).where('postcode', 'in', part).execute();
    for (const r of rows) out.set(r.postcode, r.lad);
  }
  return out;
}

/** Whether a postcode list was imported (most stores have none, and then no lookup is made). */
export async function hasPostcodeList(db: Db): Promise<boolean> {
  return !!(await db.selectFrom('postcode_lads').select('postcode').limit(1).executeTakeFirst());
}

/**
 * Place tag rows made exact where the imported postcode list knows their postcode: a row read from a postcode
 * whose sector straddles local authorities (LAD confidence below 1) takes the postcode's own LAD, its ITL3 area and
 * confidence 1. Without a list, or for rows it does not hold, the rows come back as they were.
 */
export async function exactPlaceRows(db: Db, rows: TenderPlacesTable[]): Promise<TenderPlacesTable[]> {
  const unsure = rows.filter((r) => r.postcode && (r.lad === '' || (r.lad_confidence ?? 0) < 1));
  if (!unsure.length) return rows;
  const exact = await exactLads(db, unsure.map((r) => r.postcode!));
  if (!exact.size) return rows;
  const out = new Map<string, TenderPlacesTable>();
  for (const row of rows) {
    const lad = row.postcode && (row.lad === '' || (row.lad_confidence ?? 0) < 1) ? exact.get(row.postcode) : undefined;
    const tag = lad ? exactPostcodePlaceTag(row.postcode!, lad, row.raw) : null;
    const made = tag ? { ...row, code: tag.code, level: tag.level, confidence: 1, lad: tag.lad!, lad_confidence: 1 } : row;
    const key = [made.ocid, made.lot_id, made.role, made.party_id, made.code, made.lad].join('\u0000');
    if (!out.has(key) || made.confidence > out.get(key)!.confidence) out.set(key, made);
  }
  return [...out.values()];
}

/** One postcode of an imported list and its LAD. */
export interface PostcodeLad {
  postcode: string;
  lad: string;
}

/** Upserts a batch of an imported postcode list: importing the same list again changes nothing. */
export async function upsertPostcodeLads(db: Db, rows: PostcodeLad[], source: string, now: string): Promise<void> {
  await bulkWriter(db).insert(
    'postcode_lads',
    rows.map((r) => ({ postcode: r.postcode, lad: r.lad, source, imported_at: now })),
    ['postcode'],
    ['lad', 'source'],
  );
}

/**
 * After a postcode list is imported: makes the stored place tags that it can make exact so (rows read from a
 * postcode whose sector straddles LADs), a page of tenders at a time, and queues those whose ITL codes moved for
 * matching. Returns how many tenders it changed.
 */
export async function exactenStoredPlaces(db: Db, now: string, onProgress?: (tenders: number) => void): Promise<{ tenders: number; rows: number }> {
  let after = '';
  let tenders = 0;
  let rowsChanged = 0;
  for (;;) {
    const page = await db
      .selectFrom('tender_places')
      .select('ocid')
      .distinct()
      .where('postcode', 'is not', null)
      .where((eb) => eb.or([eb('lad', '=', ''), eb('lad_confidence', '<', 1)]))
      .where('ocid', '>', after)
      .orderBy('ocid')
      .limit(200)
      .execute();
    if (!page.length) break;
    after = page[page.length - 1].ocid;
    const ocids = page.map((r) => r.ocid);
    const rows: TenderPlacesTable[] = [];
    for (const part of chunks(ocids, 90)) rows.push(...(await db.selectFrom('tender_places').selectAll().where('ocid', 'in', part).execute()));
    const exact = await exactPlaceRows(db, rows);
    const key = (r: TenderPlacesTable) => [r.ocid, r.lot_id, r.role, r.party_id, r.code, r.lad, r.confidence].join('\u0000');
    const before = new Set(rows.map(key));
    const changed = [...new Set(exact.filter((r) => !before.has(key(r))).map((r) => r.ocid))];
    if (!changed.length) continue;
    const codes = (list: TenderPlacesTable[], ocid: string) =>
      list.filter((r) => r.ocid === ocid && r.role === 'delivery').map((r) => `${r.lot_id}|${r.code}`).sort().join(',');
    const moved = changed.filter((ocid) => codes(rows, ocid) !== codes(exact, ocid));
    const writer = bulkWriter(db);
    await queueForMatching(writer, moved, now);
    await writer.deleteWhereIn('tender_places', 'ocid', changed);
    await writer.insert('tender_places', exact.filter((r) => changed.includes(r.ocid)), ['ocid', 'lot_id', 'role', 'party_id', 'code', 'lad'], []);
    tenders += changed.length;
    rowsChanged += exact.filter((r) => changed.includes(r.ocid)).length;
    onProgress?.(tenders);
  }
  return { tenders, rows: rowsChanged };
}
