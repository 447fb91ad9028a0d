/**
 * The Common Procurement Vocabulary (CPV 2008): 9,454 codes, English labels, hierarchy and check digits.
 * Codes are handled as 8 digits without the check digit (`72000000`); the level is given by the
 * significant digits (`72` division, `722` group, `7221` class, `72212` category, more = subcategory).
 */
import { CPV_TSV } from './cpv.generated.js';

export type CpvLevel = 'division' | 'group' | 'class' | 'category' | 'subcategory';

let labels: Map<string, string> | null = null;
let codes: string[] | null = null;

function table(): Map<string, string> {
  if (!labels) {
    labels = new Map();
    for (const line of CPV_TSV.split('\n')) {
      const tab = line.indexOf('\t');
      labels.set(line.slice(0, tab), line.slice(tab + 1));
    }
    codes = [...labels.keys()];
  }
  return labels;
}

const WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7];

/** The check digit of an 8-digit code: digits weighted 3,7,1,3,7,1,3,7, summed, mod 10. */
export function cpvCheckDigit(code: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(code[i]) * WEIGHTS[i];
  return sum % 10;
}

/**
 * Accepts `72000000`, `72000000-5`, `72000000 - 5`, `CPV: 72000000`; returns the 8-digit code when it is
 * a known CPV 2008 code and its check digit (if given) is right, else null.
 */
export function normaliseCpv(input: string): string | null {
  if (typeof input !== 'string') return null;
  const m = /^\s*(?:cpv[\s:]*)?(\d{8})(?:\s*-\s*(\d))?\s*$/i.exec(input);
  if (!m) return null;
  const code = m[1];
  if (m[2] !== undefined && Number(m[2]) !== cpvCheckDigit(code)) return null;
  return table().has(code) ? code : null;
}

export function isKnownCpv(code: string): boolean {
  return table().has(code);
}

export function cpvLabel(code: string): string | null {
  return table().get(code) ?? null;
}

/** The code with its check digit, `72000000-5`. */
export function cpvWithCheckDigit(code: string): string {
  return `${code}-${cpvCheckDigit(code)}`;
}

/** Significant digits: the code without its trailing zeros, at least the two division digits. */
export function cpvSignificant(code: string): string {
  let end = 8;
  while (end > 2 && code[end - 1] === '0') end--;
  return code.slice(0, end);
}

export function cpvLevel(code: string): CpvLevel {
  const n = cpvSignificant(code).length;
  return n <= 2 ? 'division' : n === 3 ? 'group' : n === 4 ? 'class' : n === 5 ? 'category' : 'subcategory';
}

/** The nearest known code above this one (a few levels are skipped in CPV), or null for a division. */
export function cpvParent(code: string): string | null {
  const sig = cpvSignificant(code);
  const t = table();
  for (let n = sig.length - 1; n >= 2; n--) {
    const candidate = sig.slice(0, n).padEnd(8, '0');
    if (t.has(candidate)) return candidate;
  }
  return null;
}

/** Ancestors, nearest first, ending with the division. */
export function cpvAncestors(code: string): string[] {
  const out: string[] = [];
  for (let p = cpvParent(code); p; p = cpvParent(p)) out.push(p);
  return out;
}

/** The division (`72000000`) of a code. */
export function cpvDivision(code: string): string {
  return code.slice(0, 2) + '000000';
}

/** How many significant digits two codes share (0..8): `72000000` vs `72212000` share 2. */
export function cpvSharedDepth(a: string, b: string): number {
  const sa = cpvSignificant(a);
  const sb = cpvSignificant(b);
  let n = 0;
  while (n < sa.length && n < sb.length && sa[n] === sb[n]) n++;
  return n < 2 ? 0 : n;
}

/** Every known code, ascending. */
export function allCpvCodes(): string[] {
  table();
  return codes!;
}

/** The division codes (`03000000` … `98000000`). */
export function cpvDivisions(): string[] {
  return allCpvCodes().filter((c) => c.endsWith('000000'));
}
