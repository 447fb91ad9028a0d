import { parseUkDateTime } from '../time-zones.js';
import type { Json, JsonObject, Release } from './types.js';

/**
 * OCDS merge (the "compiled release"): later releases overwrite earlier values field by field;
 * a field a later release omits keeps its earlier value; `null` removes a field; arrays of objects
 * that carry `id` merge element by element on that id; any other array is replaced whole.
 * https://standard.open-contracting.org/1.1/en/schema/merging/
 */
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An array that merges element by element: every element an object with an id, and no id twice. The old
 * Contracts Finder API gave every award supplier `"id": 0`; merged on that id, 1,499 suppliers of a real file
 * became 99. An array whose ids repeat is replaced whole, so that each of its elements is kept.
 */
function isIdentifiedArray(value: Json[]): boolean {
  if (value.length === 0) return false;
  const ids = new Set<string>();
  for (const e of value) {
    if (!isObject(e) || (typeof e.id !== 'string' && typeof e.id !== 'number')) return false;
    const id = String(e.id);
    if (ids.has(id)) return false;
    ids.add(id);
  }
  return true;
}

function mergeArray(earlier: Json | undefined, later: Json[]): Json[] {
  if (!isIdentifiedArray(later)) return later.map(clean);
  const result: Json[] = Array.isArray(earlier) && isIdentifiedArray(earlier) ? [...earlier] : [];
  const at = new Map<string, number>();
  result.forEach((e, i) => at.set(String((e as JsonObject).id), i));
  for (const element of later as JsonObject[]) {
    const id = String(element.id);
    const i = at.get(id);
    if (i === undefined) {
      at.set(id, result.length);
      result.push(mergeObject(undefined, element));
    } else {
      result[i] = mergeObject(result[i], element);
    }
  }
  return result;
}

function clean(value: Json): Json {
  if (Array.isArray(value)) return mergeArray(undefined, value);
  if (isObject(value)) return mergeObject(undefined, value);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function mergeObject(earlier: Json | undefined, later: JsonObject): JsonObject {
  const result: JsonObject = isObject(earlier) ? { ...earlier } : {};
  for (const key in later) {
    const value = later[key];
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = mergeArray(result[key], value);
    } else if (isObject(value)) {
      result[key] = mergeObject(result[key], value);
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      // 1e9999 parses to Infinity; it is not a value anyone published on purpose.
      delete result[key];
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** Merges one release on top of a compiled release (or nothing), returning a new compiled release. */
export function mergeRelease(compiled: JsonObject | null, release: Release): JsonObject {
  const { id: _id, tag: _tag, ...rest } = release;
  const merged = mergeObject(compiled ?? undefined, rest);
  merged.tag = ['compiled'];
  merged.id = `${String(merged.ocid)}-${String(merged.date ?? 'undated')}`;
  return merged;
}

/** Milliseconds since the epoch, so that `+01:00`, `Z` and zoneless (UK time) dates compare correctly; undated sorts first. */
export function dateOrder(date: string | null): number {
  const ms = date ? parseUkDateTime(date) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** Orders releases as OCDS does: by date, undated first, keeping publication order among equals. */
export function sortReleases<T extends { date: string | null }>(releases: T[]): T[] {
  return releases
    .map((r, i) => ({ r, i }))
    .sort((x, y) => dateOrder(x.r.date) - dateOrder(y.r.date) || x.i - y.i)
    .map((x) => x.r);
}

const readsAsDate = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Date.parse(v));

/**
 * When a release was published: its `date`; for a release published with an empty date (a real Trafford award
 * has `"date": ""`), the latest date the notice itself gives (its documents' publication and modification dates,
 * its awards' and tender's publication dates); null (undated) when it gives none.
 */
export function releaseDate(release: Release): string | null {
  const given = release.date;
  if (typeof given === 'string' && given.trim() !== '') return given;
  const found: string[] = [];
  const documents = (v: Json | undefined) => {
    if (!Array.isArray(v)) return;
    for (const d of v) if (isObject(d)) for (const k of ['datePublished', 'dateModified']) if (readsAsDate(d[k])) found.push(d[k] as string);
  };
  const tender = isObject(release.tender) ? release.tender : null;
  if (tender) {
    if (readsAsDate(tender.datePublished)) found.push(tender.datePublished as string);
    documents(tender.documents);
  }
  if (isObject(release.planning)) documents(release.planning.documents);
  for (const key of ['awards', 'contracts'] as const) {
    const list = release[key];
    if (!Array.isArray(list)) continue;
    for (const a of list) {
      if (!isObject(a)) continue;
      if (readsAsDate(a.datePublished)) found.push(a.datePublished as string);
      documents(a.documents);
    }
  }
  let latest: string | null = null;
  for (const d of found) if (latest === null || Date.parse(d) > Date.parse(latest)) latest = d;
  return latest;
}

/** Compiles every release of one ocid into one compiled release. */
export function compileReleases(releases: Release[]): JsonObject {
  if (releases.length === 1) return mergeRelease(null, releases[0]);
  const ordered = sortReleases(releases.map((r) => ({ r, date: releaseDate(r) })));
  let compiled: JsonObject | null = null;
  for (const { r } of ordered) compiled = mergeRelease(compiled, r);
  if (!compiled) throw new Error('no releases to compile');
  return compiled;
}

/** The earliest of these release dates (in OCDS date order), or null when none is given. */
export function earliestDate(dates: Array<string | null>): string | null {
  let best: string | null = null;
  for (const d of dates) if (d && (best === null || dateOrder(d) < dateOrder(best))) best = d;
  return best;
}
