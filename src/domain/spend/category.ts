/**
 * The category of a payment line: a CPV division, from the council's own mapping of its expense codes when it
 * has uploaded one (that wins), else from the service's classifier over the line's expense type, description
 * and service area. The classifier sits behind `categoryOf` alone, so a classifier made for short spend lines
 * drops in here.
 */
import { cpvDivision, cpvLabel, normaliseCpv } from '../cpv/index.js';
import { classifyNotice } from '../tagging/classifier.js';

export type CategoryMethod = 'mapping' | 'classifier' | 'none';

export interface LineCategory {
  /** CPV division, `72000000`, or null. */
  category: string | null;
  method: CategoryMethod;
  confidence: number;
}

/**
 * Below this the classifier is guessing (short ledger words such as "Creditors - BACS" give the prior's
 * division, business services, at about 0.05): the line is left without a category rather than given that.
 */
export const MIN_CLASSIFIER_CONFIDENCE = 0.25;

/** Expense codes and expense type names compare in lower case without spaces or punctuation: `K 020` = `k020`. */
export const codeKey = (code: string): string => code.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** A council's mapping: expense code (or expense type name) → CPV division. */
export type CategoryMapping = ReadonlyMap<string, string>;

/** A CPV code or division as a council may write it (`72`, `72000000`, `72000000-5`, `72212000`) → its division. */
export function divisionOf(input: string): string | null {
  const t = input.trim();
  if (/^\d{2}$/.test(t)) {
    const d = `${t}000000`;
    return cpvLabel(d) ? d : null;
  }
  const code = normaliseCpv(t);
  return code ? cpvDivision(code) : null;
}

/** The classifier's division for a line's words, or none when it is not sure enough. */
export function classifyLine(expenseType: string | null, serviceArea: string | null, description: string | null): LineCategory {
  const title = (expenseType ?? '').trim();
  const rest = [description, serviceArea].filter((s): s is string => !!s && !!s.trim()).join('. ');
  if (!title && !rest) return { category: null, method: 'none', confidence: 0 };
  const top = classifyNotice(title || rest, title ? rest : '', 3).divisions[0];
  if (!top || top.confidence < MIN_CLASSIFIER_CONFIDENCE) return { category: null, method: 'none', confidence: top ? round(top.confidence) : 0 };
  return { category: top.code, method: 'classifier', confidence: round(top.confidence) };
}

export function categoryOf(
  expenseType: string | null,
  serviceArea: string | null,
  description: string | null,
  expenseCode: string | null = null,
  mapping: CategoryMapping = new Map(),
): LineCategory {
  if (mapping.size) {
    for (const key of [expenseCode, expenseType]) {
      const mapped = key ? mapping.get(codeKey(key)) : undefined;
      if (mapped) return { category: mapped, method: 'mapping', confidence: 1 };
    }
  }
  return classifyLine(expenseType, serviceArea, description);
}

/**
 * categoryOf with a memo: a year of spend repeats a few hundred expense types hundreds of thousands of times.
 * Holds at most `limit` distinct lines.
 */
export class CategoryReader {
  private memo = new Map<string, LineCategory>();
  constructor(
    private readonly mapping: CategoryMapping = new Map(),
    private readonly limit = 50_000,
  ) {}

  of(expenseType: string | null, serviceArea: string | null, description: string | null, expenseCode: string | null): LineCategory {
    const key = `${expenseCode ?? ''}\u0000${expenseType ?? ''}\u0000${serviceArea ?? ''}\u0000${description ?? ''}`;
    let hit = this.memo.get(key);
    if (!hit) {
      hit = categoryOf(expenseType, serviceArea, description, expenseCode, this.mapping);
      if (this.memo.size >= this.limit) this.memo.clear();
      this.memo.set(key, hit);
    }
    return hit;
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** `72000000` → `IT services: consulting, software development, Internet and support`. */
export function divisionLabel(division: string | null): string {
  if (!division) return 'Not categorised';
  return cpvLabel(division) ?? division;
}
