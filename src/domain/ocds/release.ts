import { parseUkDateTime } from '../time-zones.js';
import { derivedDigest } from './derived-id.js';
import type { Release } from './types.js';

/**
 * Checks the parts of a release the store relies on; returns the reason it cannot be used, or null.
 * Anything else that is malformed reads as absent in normalise().
 */
export function releaseProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'release is not a JSON object';
  const r = value as Record<string, unknown>;
  if (typeof r.ocid !== 'string' || r.ocid.trim() === '') return 'release has no ocid';
  if (r.id !== undefined && r.id !== null && typeof r.id !== 'string' && typeof r.id !== 'number') return 'release id is not a string';
  // An empty date is a date not given (see releaseDate), not a reason to lose the release.
  if (r.date !== undefined && r.date !== null && (typeof r.date !== 'string' || (r.date.trim() !== '' && Number.isNaN(parseUkDateTime(r.date))))) {
    return 'release date is not an ISO-8601 date';
  }
  for (const key of ['tender', 'buyer', 'planning', 'contracts'] as const) {
    const v = r[key];
    if (key === 'contracts') {
      if (v !== undefined && v !== null && !Array.isArray(v)) return 'contracts is not an array';
    } else if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
      return `${key} is not an object`;
    }
  }
  for (const key of ['awards', 'parties', 'tag'] as const) {
    const v = r[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) return `${key} is not an array`;
  }
  const tender = r.tender as Record<string, unknown> | undefined;
  for (const key of ['lots', 'items', 'documents'] as const) {
    const v = tender?.[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) return `tender.${key} is not an array`;
  }
  return null;
}

/**
 * The release's id, or for publishers that omit it (Public Contracts Scotland) a stable one derived
 * from the ocid, date and content, so that the same release always gets the same id.
 */
export function releaseIdOf(release: Release, raw: string): string {
  if (typeof release.id === 'string' && release.id.trim() !== '') return release.id;
  if (typeof release.id === 'number') return String(release.id);
  return `derived-${derivedDigest(`${String(release.ocid)}|${String(release.date ?? '')}|${raw}`)}`;
}

export function releaseTags(release: Release): string[] {
  return Array.isArray(release.tag) ? release.tag.filter((t): t is string => typeof t === 'string') : [];
}

/** Which feed an ocid came from, by its registered prefix. */
const OCID_PREFIXES: Array<[string, string]> = [
  ['ocds-h6vhtk-', 'fts'],
  ['ocds-b5fd17-', 'cf'],
  ['ocds-r6ebe6-', 'pcs'],
  ['ocds-kuma6s-', 'sell2wales'],
];

export function sourceForOcid(ocid: string): string | null {
  for (const [prefix, source] of OCID_PREFIXES) if (ocid.startsWith(prefix)) return source;
  return null;
}
