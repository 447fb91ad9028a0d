/**
 * Money in words, the one place it is formatted: in full for emails (formatMoney), and rounded for a sentence
 * in match reasons and consortium proposals (formatMoneyShort).
 */

// Building an Intl formatter costs far more than using one: keep one per currency.
const moneyFormats = new Map<string, Intl.NumberFormat | null>();
const plainNumber = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

function moneyFormat(code: string): Intl.NumberFormat | null {
  if (!moneyFormats.has(code)) {
    let f: Intl.NumberFormat | null = null;
    try {
      f = new Intl.NumberFormat('en-GB', { style: 'currency', currency: code, maximumFractionDigits: 0 });
    } catch {
      f = null;
    }
    moneyFormats.set(code, f);
  }
  return moneyFormats.get(code)!;
}

/**
 * An amount as a notice publishes it, in whole units of its currency (GBP when none is given): `£225,000`,
 * `€1,200`, or `1,200 XYZ` for a code Intl does not know; 'not stated' when there is none. The currency comes
 * from the notice: control characters and runs of spaces are taken out, so it cannot break a line of an email.
 */
export function formatMoney(amount: number | null, currency: string | null): string {
  if (amount === null || !Number.isFinite(amount)) return 'not stated';
  const code = (currency ?? 'GBP')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase()
    .slice(0, 8);
  const f = /^[A-Z]{3}$/.test(code) ? moneyFormat(code) : null;
  return f ? f.format(amount) : `${plainNumber.format(amount)} ${code}`.trim();
}

/** Pounds rounded for a sentence: `£9,500`, `£250k`, `£1.2m`, `£12m`. */
export function formatMoneyShort(gbp: number): string {
  if (gbp >= 1_000_000) return `£${(gbp / 1_000_000).toFixed(gbp >= 10_000_000 ? 0 : 1).replace(/\.0$/, '')}m`;
  if (gbp >= 10_000) return `£${Math.round(gbp / 1000)}k`;
  return `£${Math.round(gbp).toLocaleString('en-GB')}`;
}
