/**
 * How close two CPV codes, or two ITL places, are: on their significant-digit strings, and on the bit forms the
 * packed table and the index compare (shared leading digits or characters from the XOR's leading zeros).
 */

/** A code's digits as 4-bit nibbles, first digit highest: shared leading digits = leading zero bits / 4 of the XOR. */
export function cpvNibbles(sig: string): number {
  let v = 0;
  for (let i = 0; i < 8; i++) v = (v << 4) | (i < sig.length ? sig.charCodeAt(i) - 48 : 0);
  return v >>> 0;
}

/**
 * How closely a supplier's CPV code answers a notice's code, 0..1, from their nibble forms and significant
 * lengths: 1 the same code; 0.55–0.95 the supplier's code is above the notice's (deeper = closer); 0.7 the
 * supplier's is below it; 0.2–0.7 siblings sharing three or more digits; 0.1 the same division only.
 */
export function cpvRelationOf(n: number, nLen: number, s: number, sLen: number): number {
  if (n === s) return 1;
  const d = Math.clz32((n ^ s) >>> 0) >> 2;
  if (d >= sLen) return 0.55 + (0.4 * (sLen - 2)) / Math.max(1, nLen - 2);
  if (d >= nLen) return 0.7;
  if (d >= 3) return 0.2 + (0.5 * (d - 2)) / (Math.max(nLen, sLen) - 2);
  return d === 2 ? 0.1 : 0;
}

/** The same for significant-digit strings (`7942110`). */
export function cpvRelation(notice: string, supplier: string): number {
  return cpvRelationOf(cpvNibbles(notice), notice.length, cpvNibbles(supplier), supplier.length);
}

/**
 * An ITL code's characters after `TL`, 6 bits each, left-aligned in 18 bits (`TLM93` → M,9,3), so that
 * shared leading characters come from the XOR's leading zeros. Length = characters after `TL` (ITL level).
 */
export function itlBits(code: string): number {
  let v = 0;
  for (let i = 2; i < 5; i++) {
    const c = i < code.length ? code.charCodeAt(i) : 0;
    v = (v << 6) | (c >= 65 ? c - 54 : c >= 48 ? c - 47 : 0);
  }
  return v;
}

/** Characters after `TL` that two ITL codes in bit form share (3 = the same ITL3 area). */
export function sharedItlChars(a: number, b: number): number {
  return a === b ? 3 : Math.floor((Math.clz32(a ^ b) - 14) / 6);
}

/** ITL level two codes share: 3 = same ITL3, 2 = same ITL2, 1 = same ITL1, 0 = none. */
export function sharedItlLevel(a: string, b: string): number {
  if (a === 'TL' || b === 'TL') return 0;
  const n = Math.min(a.length, b.length);
  let d = 0;
  while (d < n && a.charCodeAt(d) === b.charCodeAt(d)) d++;
  return Math.max(0, d - 2);
}
