import type { IncomingRelease } from './types.js';

/**
 * Reads a document holding OCDS releases: a release package (`{releases: [...]}`), a record package
 * (`{records: [{releases, compiledRelease}]}`), a single release, or JSON lines (one release or package
 * per line). A line or document that is not JSON becomes an entry with `parseError`, never an exception.
 */
export function unpackDocument(text: string): IncomingRelease[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('{') && !looksLikeJsonLines(trimmed)) {
    try {
      return unpackValue(JSON.parse(trimmed), trimmed);
    } catch (err) {
      return [{ raw: trimmed, parseError: `not valid JSON: ${(err as Error).message}` }];
    }
  }
  return unpackJsonLines(trimmed);
}

function looksLikeJsonLines(text: string): boolean {
  const firstBreak = text.indexOf('\n');
  if (firstBreak === -1) return false;
  const firstLine = text.slice(0, firstBreak).trim();
  if (!firstLine.endsWith('}')) return false;
  try {
    JSON.parse(firstLine);
    return true;
  } catch {
    return false;
  }
}

export function unpackJsonLines(text: string): IncomingRelease[] {
  const out: IncomingRelease[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      out.push(...unpackValue(JSON.parse(line), line));
    } catch (err) {
      out.push({ raw: line, parseError: `line ${i + 1} is not valid JSON: ${(err as Error).message}` });
    }
  }
  return out;
}

/** Splits a parsed package into its releases; anything else is taken as one release. */
export function unpackValue(value: unknown, raw: string): IncomingRelease[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const doc = value as Record<string, unknown>;
    if (Array.isArray(doc.releases) && doc.ocid === undefined) return doc.releases.map(entry);
    if (Array.isArray(doc.records)) return doc.records.flatMap(recordReleases);
  }
  return [{ raw, value }];
}

function entry(value: unknown): IncomingRelease {
  return { raw: JSON.stringify(value), value };
}

function recordReleases(record: unknown): IncomingRelease[] {
  if (typeof record !== 'object' || record === null) return [entry(record)];
  const r = record as Record<string, unknown>;
  // Linked releases carry only url/date/tag; then the compiled release is all the record holds.
  const embedded = Array.isArray(r.releases) ? r.releases.filter((x) => typeof x === 'object' && x !== null && 'ocid' in x) : [];
  if (embedded.length) return embedded.map(entry);
  if (r.compiledRelease) return [entry(r.compiledRelease)];
  return [entry(record)];
}

/**
 * Why a file's entries hold no OCDS release at all, or null when one of them is a release (an object with an
 * ocid: a broken release among good ones is the store's to quarantine). Said so that a person knows what the file
 * is not: "is not JSON", "is JSON but not OCDS: no releases, records or ocid (its keys: council, contracts)".
 */
export function notOcdsReason(entries: IncomingRelease[]): string | null {
  if (!entries.length) return 'holds nothing: it is empty';
  const isRelease = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { ocid?: unknown }).ocid === 'string';
  if (entries.some((e) => e.parseError === undefined && isRelease(e.value))) return null;
  const parsed = entries.filter((e) => e.parseError === undefined);
  if (!parsed.length) {
    const first = entries[0].raw.split('\n')[0].slice(0, 60);
    return `is not JSON, so not OCDS (it reads as text, starting "${first}")`;
  }
  const keys = [...new Set(parsed.flatMap((e) => (typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value) ? Object.keys(e.value) : [])))].slice(0, 8);
  const what = Array.isArray(parsed[0].value) ? 'a JSON array' : typeof parsed[0].value === 'object' && parsed[0].value !== null ? 'JSON' : `a JSON ${typeof parsed[0].value}`;
  return `is ${what} but not OCDS: it has no releases, records or ocid${keys.length ? ` (its keys: ${keys.join(', ')})` : ''}`;
}
