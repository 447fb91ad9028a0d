/**
 * The two one-click feedback links of a tender or lot sent to a firm ("not for us", "good match"), signed like
 * unsubscribe links (tokens.ts): in every alert entry and every match the API lists. Following one shows a page
 * with a button (a mail scanner fetching the link changes nothing); the button records the verdict.
 */
import type { FeedbackVerdict } from '../domain/matching/feedback.js';
import { signToken, verifyToken } from './tokens.js';

export interface FeedbackUrls {
  notForUs: string;
  goodMatch: string;
}

const NO_LOT = '-';

export function feedbackToken(secret: string, supplierId: string, ocid: string, lotId: string, verdict: FeedbackVerdict): string {
  return signToken(secret, 'feedback', [supplierId, ocid, lotId === '' ? NO_LOT : lotId, verdict]);
}

/** Both links, on the service's public base URL. */
export function feedbackUrls(base: string, secret: string, supplierId: string, ocid: string, lotId: string): FeedbackUrls {
  const url = (v: FeedbackVerdict) => `${base}/feedback?token=${encodeURIComponent(feedbackToken(secret, supplierId, ocid, lotId, v))}`;
  return { notForUs: url('not_for_us'), goodMatch: url('good_match') };
}

/** What a valid feedback token says, or null for anything else (malformed, forged, or a verdict never issued). */
export function readFeedbackToken(secret: string, token: string | undefined | null, now: Date): { supplierId: string; ocid: string; lotId: string; verdict: FeedbackVerdict } | null {
  const read = verifyToken(secret, 'feedback', token, now);
  if (!read.ok) return null;
  const [supplierId, ocid, lot, verdict] = read.ids;
  if (verdict !== 'not_for_us' && verdict !== 'good_match') return null;
  return { supplierId, ocid, lotId: lot === NO_LOT ? '' : lot, verdict };
}
