/**
 * CPV codes to suggest to a supplier from its own description and keywords (registration, `POST /classify`).
 * Keywords are read as a notice's title (they name what the firm does), the description as its description.
 */
import { cpvLabel } from '../cpv/index.js';
import { classifyNotice } from './classifier.js';

export interface SuggestedCpv {
  code: string;
  label: string | null;
  confidence: number;
}

/** Codes below this confidence are not worth offering. */
const MIN_SUGGESTED = 0.05;

export function suggestCpv(description: string | null | undefined, keywords: readonly string[] = [], max = 5): SuggestedCpv[] {
  const title = keywords.map((k) => k.trim()).filter(Boolean).join(', ');
  const text = (description ?? '').trim();
  if (!title && !text) return [];
  const result = classifyNotice(title || text, title ? text : '', max);
  const codes = result.codes.filter((c, i) => i === 0 || c.confidence >= MIN_SUGGESTED);
  return codes.slice(0, max).map((c) => ({ code: c.code, label: cpvLabel(c.code), confidence: c.confidence }));
}
