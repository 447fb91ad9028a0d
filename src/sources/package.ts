import type { Page, PageRelease } from './types.js';

/** A page body that is not a whole release package: truncated, an HTML error page, the wrong shape. */
export class BrokenPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokenPageError';
  }
}

/**
 * Reads an OCDS release package (`{ releases: [...], links: { next } }`). Each release keeps its
 * exact published text as `raw`, so that what is stored is what the publisher sent (including
 * oddities such as `1e9999`, which JSON.parse reads as Infinity and the normaliser treats as null).
 */
export function readReleasePackage(body: string): Page {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    const head = body.slice(0, 80).replace(/\s+/g, ' ');
    throw new BrokenPageError(
      `page is not whole JSON (${body.length} bytes, starts "${head}"): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BrokenPageError('page is not a release package: the top level is not a JSON object');
  }
  const pkg = parsed as { releases?: unknown; links?: unknown };
  if (pkg.releases !== undefined && !Array.isArray(pkg.releases)) {
    throw new BrokenPageError('page is not a release package: "releases" is not a list');
  }
  const values = (pkg.releases as unknown[] | undefined) ?? [];
  const texts = values.length > 0 ? topLevelArrayTexts(body, 'releases') : [];
  // A duplicated "releases" key or some other oddity: fall back to re-serialising each release.
  const exact = texts !== null && texts.length === values.length;
  const releases: PageRelease[] = values.map((value, i) => ({
    value,
    raw: exact ? texts[i] : JSON.stringify(value) ?? 'null',
  }));
  return { releases, next: nextLink(pkg.links) };
}

function nextLink(links: unknown): string | null {
  if (links === null || typeof links !== 'object') return null;
  const next = (links as { next?: unknown }).next;
  return typeof next === 'string' && next.trim() !== '' ? next.trim() : null;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * The source text of each element of the array under `key` in the top-level object of `text`,
 * which must already be known to be valid JSON. Returns null when no such array is found.
 */
export function topLevelArrayTexts(text: string, key: string): string[] | null {
  const out: string[] = [];
  const n = text.length;
  let depth = 0;
  let lastKey: string | null = null;
  let inArray = false;
  let start = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92) j += 2;
        else if (d === 34) break;
        else j++;
      }
      if (inArray) {
        if (depth === 2 && start < 0) start = i;
      } else if (depth === 1) {
        let k = j + 1;
        while (k < n && isSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === 58) lastKey = JSON.parse(text.slice(i, j + 1)) as string;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      if (inArray && depth === 2 && start < 0) start = i;
      if (!inArray && depth === 1 && c === 91 && lastKey === key) inArray = true;
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (inArray && depth === 1) {
        if (start >= 0) out.push(text.slice(start, i).trimEnd());
        return out;
      }
    } else if (c === 44) {
      if (inArray && depth === 2) {
        if (start >= 0) out.push(text.slice(start, i).trimEnd());
        start = -1;
      }
    } else if (!isSpace(c)) {
      if (inArray && depth === 2 && start < 0) start = i;
    }
  }
  return null;
}
