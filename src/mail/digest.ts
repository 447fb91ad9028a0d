import { regionFromName, toItl } from '../domain/geo/index.js';
import { CANCELLED_STATUSES } from '../domain/ocds/status.js';

/**
 * What goes into one supplier's digest. Pure: the job loads rows, these functions choose.
 */

export interface AlertFilters {
  minScore: number;
  maxItems: number;
  includeWords: string[];
  excludeWords: string[];
  /** ITL/NUTS codes (a code covers everything below it) or region names. */
  places: string[];
}

export interface Candidate {
  ocid: string;
  lotId: string;
  score: number;
  reasons: string[];
  title: string | null;
  lotTitle: string | null;
  description: string | null;
  deadline: string | null;
  /** Region codes or names where the work is delivered, as published or tagged. */
  places: string[];
}

function normaliseWords(words: string[]): string[] {
  return words.map((w) => w.trim().toLowerCase()).filter(Boolean);
}

/** Whole-word (or whole-phrase) match, so "bus" does not match "business". */
function mentions(haystack: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(haystack);
}

/** ITL 2021 codes for a place given as an ITL or NUTS code or as a region name; [] when unknown. */
export function placeCodes(place: string): string[] {
  const code = toItl(place);
  if (code) return [code];
  return regionFromName(place)?.codes ?? [];
}

/**
 * True when the work is delivered in, around or across one of the wanted places: a wanted region covers
 * the places inside it, and a notice for a wider area (a whole region, England, the UK) covers the places
 * inside that. A notice that states no place we can read is kept rather than silently hidden.
 */
export function coversPlace(wanted: string[], places: string[]): boolean {
  if (wanted.length === 0 || places.length === 0) return true;
  const have = places.flatMap(placeCodes);
  const want = wanted.flatMap(placeCodes);
  if (have.length === 0) return true;
  if (want.length === 0) {
    const names = new Set(places.map((p) => p.trim().toLowerCase()));
    return wanted.some((w) => names.has(w.trim().toLowerCase()));
  }
  return want.some((w) => have.some((h) => h.startsWith(w) || w.startsWith(h)));
}

export function passesFilters(f: AlertFilters, c: Candidate): boolean {
  if (!(c.score >= f.minScore)) return false;
  const text = [c.title, c.lotTitle, c.description].filter(Boolean).join(' \n ').toLowerCase();
  const include = normaliseWords(f.includeWords);
  if (include.length > 0 && !include.some((w) => mentions(text, w))) return false;
  if (normaliseWords(f.excludeWords).some((w) => mentions(text, w))) return false;
  return coversPlace(f.places, c.places);
}

function deadlineKey(d: string | null): number {
  const t = d ? Date.parse(d) : NaN;
  return Number.isFinite(t) ? t : Number.MAX_SAFE_INTEGER;
}

/** Best first: higher score, then the sooner deadline, then a stable order. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return b.score - a.score || deadlineKey(a.deadline) - deadlineKey(b.deadline) || a.ocid.localeCompare(b.ocid) || a.lotId.localeCompare(b.lotId);
}

export function chooseEntries<C extends Candidate>(f: AlertFilters, candidates: C[]): { chosen: C[]; moreWaiting: number } {
  const eligible = candidates.filter((c) => passesFilters(f, c)).sort(compareCandidates);
  return { chosen: eligible.slice(0, f.maxItems), moreWaiting: Math.max(0, eligible.length - f.maxItems) };
}

/** One tender or lot the supplier has been told of, with what they were last told and how it stands now. */
export interface ToldState {
  ocid: string;
  lotId: string;
  /** Deadline in the most recent message about it. */
  toldDeadline: string | null;
  cancellationTold: boolean;
  tenderStatus: string | null;
  lotStatus: string | null;
  deadline: string | null;
}

export type ChangeKind = 'cancelled' | 'deadline';

export interface DetectedChange {
  ocid: string;
  lotId: string;
  kind: ChangeKind;
  /** The alert_items kind: unique per supplier, tender and lot, so each change is said once. */
  itemKind: string;
  previousDeadline: string | null;
  deadline: string | null;
}

const CANCELLED = new Set<string>(CANCELLED_STATUSES);

function sameInstant(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) ? ta === tb : a === b;
}

export function canonicalDeadline(d: string | null): string | null {
  if (!d) return null;
  const t = Date.parse(d);
  return Number.isFinite(t) ? new Date(t).toISOString() : d;
}

export function detectChange(s: ToldState): DetectedChange | null {
  const cancelled = CANCELLED.has((s.tenderStatus ?? '').toLowerCase()) || CANCELLED.has((s.lotStatus ?? '').toLowerCase());
  if (cancelled) {
    if (s.cancellationTold) return null;
    return { ocid: s.ocid, lotId: s.lotId, kind: 'cancelled', itemKind: 'cancelled', previousDeadline: s.toldDeadline, deadline: s.deadline };
  }
  // A deadline that disappears from a notice is not news; one that moves is.
  if (!s.deadline || sameInstant(s.deadline, s.toldDeadline)) return null;
  const canonical = canonicalDeadline(s.deadline)!;
  return { ocid: s.ocid, lotId: s.lotId, kind: 'deadline', itemKind: `deadline:${canonical}`, previousDeadline: s.toldDeadline, deadline: s.deadline };
}
