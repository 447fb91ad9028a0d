/**
 * Dates and amounts as councils write them. Amounts are read into whole pence from the text itself, never
 * through floating point, so that the pence stored and quarantined add up to a file's total exactly.
 * Dates are UK day-first: `03/01/2017` is the 3rd of January.
 */

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function calendarDate(y: number, m: number, d: number, raw: string): Read<string> {
  if (m < 1 || m > 12) return { ok: false, reason: `the date ${JSON.stringify(raw)} has no month ${m}` };
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > days) return { ok: false, reason: `the date ${JSON.stringify(raw)} does not exist` };
  if (y < 1990 || y > 2100) return { ok: false, reason: `the date ${JSON.stringify(raw)} is outside 1990–2100` };
  return { ok: true, value: `${y}-${pad(m)}-${pad(d)}` };
}

/** Two-digit years are this century: spend files start long after 1999. */
const fullYear = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

/** Days from 1899-12-30 (spreadsheet serial dates, Lotus leap-year bug included). */
export function serialDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 32874 || serial > 73051) return null; // 1990-01-01 .. 2100-01-01
  const ms = Math.round(serial) * 86_400_000 + Date.UTC(1899, 11, 30);
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A payment date: `dd/mm/yyyy`, `dd/mm/yy`, `dd-mm-yyyy`, `dd.mm.yyyy`, `yyyy-mm-dd` (a time after it is
 * ignored), `03-Jan-2017`, `03 Jan 17`, `3 January 2017`, or a spreadsheet serial number such as `42738`.
 */
export function parseSpendDate(input: string | null | undefined): Read<string> {
  const raw = (input ?? '').trim();
  if (!raw) return { ok: false, reason: 'no date' };
  // A date with a time after it: the time says nothing about the financial quarter.
  const text = raw.replace(/[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm|z)?$/i, '').trim();
  if (/^\d{1,2}:\d{2}(:\d{2})?$/.test(text) || !text) return { ok: false, reason: `no date: the date column reads ${JSON.stringify(raw)}, a time without a day` };
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(text);
  if (m) return calendarDate(fullYear(m[3]), Number(m[2]), Number(m[1]), raw);
  m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$/.exec(text);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]), raw);
  m = /^(\d{1,2})(?:st|nd|rd|th)?[\s/-]+([a-z]{3,9})\.?[\s/-]+(\d{4}|\d{2})$/i.exec(text);
  if (m) {
    const month = MONTHS[m[2].toLowerCase()];
    if (!month) return { ok: false, reason: `the date ${JSON.stringify(raw)} names no month` };
    return calendarDate(fullYear(m[3]), month, Number(m[1]), raw);
  }
  if (/^\d{5}(\.\d+)?$/.test(text)) {
    const iso = serialDate(Number(text));
    if (iso) return { ok: true, value: iso };
  }
  return { ok: false, reason: `the date ${JSON.stringify(raw)} is not in a form read here (dd/mm/yyyy, dd/mm/yy, yyyy-mm-dd, 03-Jan-2017)` };
}

/**
 * An amount in whole pence: `1,234.56`, `£1,234.56`, `(123.45)` and `123.45-` and `123.45 CR` (negative),
 * `-£123.45`, `1234.5`, `£ 500`. More than two decimals are rounded half away from zero, as a ledger would.
 */
export function parseAmountPence(input: string | number | null | undefined): Read<number> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'the amount is not a number' };
    // A spreadsheet number: its shortest decimal spelling is what the cell shows.
    return parseAmountPence(String(input).includes('e') ? input.toFixed(6) : String(input));
  }
  const raw = (input ?? '').trim();
  if (!raw) return { ok: false, reason: 'no amount' };
  let text = raw.replace(/\s+/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  if (/(-|cr)$/i.test(text)) {
    negative = !negative;
    text = text.replace(/(-|cr)$/i, '');
  }
  const sign = /^([+-])/.exec(text);
  if (sign) {
    if (sign[1] === '-') negative = !negative;
    text = text.slice(1);
  }
  text = text.replace(/^(£|gbp)/i, '');
  if (/^[+-]/.test(text)) {
    if (text[0] === '-') negative = !negative;
    text = text.slice(1);
  }
  // Thousands separators must sit every three digits: `1,234.56` is read, `1,23` is not.
  if (!/^(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?$/.test(text) || !/\d/.test(text)) {
    return { ok: false, reason: `the amount ${JSON.stringify(raw)} is not a number` };
  }
  const [whole, fraction = ''] = text.replace(/,/g, '').split('.');
  const pence2 = (fraction + '00').slice(0, 2);
  let pence = Number(whole || '0') * 100 + Number(pence2);
  if (fraction.length > 2 && Number(fraction[2]) >= 5) pence += 1;
  if (!Number.isSafeInteger(pence)) return { ok: false, reason: `the amount ${JSON.stringify(raw)} is too large` };
  return { ok: true, value: negative && pence !== 0 ? -pence : pence };
}

/** Pence as pounds with two decimals: 123456 → `1234.56`, -5 → `-0.05`. */
export function penceToPounds(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  return `${sign}${Math.floor(abs / 100)}.${pad(abs % 100)}`;
}

/** Pence as a JSON number of pounds (exact to the penny when printed). */
export const pounds = (pence: number): number => Number(penceToPounds(pence));
