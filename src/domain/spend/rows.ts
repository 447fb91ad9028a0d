/**
 * One row of a spend file read into a payment line, or the reason it cannot be (it then goes to quarantine
 * with its amount, when the amount at least could be read, so that the file still reconciles to the penny).
 *
 * The natural key of a payment: its date, payee, amount and reference, and which occurrence of those it is
 * within its file. A file loaded again, or a quarterly file over monthly ones already loaded, gives the same
 * keys and adds nothing; two identical payments on one day in one file are the first and second occurrence,
 * and both are kept.
 */
import type { HeaderMapping, SpendField } from './headers.js';
import { isRedacted, lineExclusion, normaliseName, type Exclusion } from './payees.js';
import { quarterOf } from './quarters.js';
import { parseAmountPence, parseSpendDate } from './values.js';

export interface PaymentLine {
  paidOn: string;
  /** True when the file gave no day and paidOn is the date the import was told to use. */
  dateStated: boolean;
  quarter: string;
  amountPence: number;
  payeeName: string;
  payeeKey: string;
  reference: string | null;
  expenseCode: string | null;
  expenseType: string | null;
  serviceArea: string | null;
  description: string | null;
  /** The cost centre's name (Birmingham's `TRANS CAC DESC 2`): kept, but it says where, not what, so it does not categorise. */
  costCentre: string | null;
  supplierId: string | null;
  postcode: string | null;
  companyNumber: string | null;
  /** Payroll or tax, read off the line; null when influenceable (as far as the line says). */
  exclusion: Exclusion | null;
  /** Date, payee, amount and reference: the key before its occurrence number. */
  baseKey: string;
}

export type RowReading = { ok: true; payment: PaymentLine } | { ok: false; reason: string; amountPence: number };

/** Every redacted name is one payee: they stand for many people, none of whom can be named. */
export const REDACTED_PAYEE_KEY = 'redacted personal data';

const RUNS_OF_SPACE = /\s{2,}|[\t\r\n]/;
const cellOf = (cells: readonly string[], mapping: HeaderMapping, field: SpendField): string | null => {
  const i = mapping.columns[field];
  if (i === undefined) return null;
  const raw = cells[i] ?? '';
  const v = (RUNS_OF_SPACE.test(raw) ? raw.replace(/\s+/g, ' ') : raw).trim();
  return v ? v : null;
};

/**
 * What a file's lines repeat, read once: a year of spend has a few hundred dates, a few thousand payees and
 * expense types, over hundreds of thousands of lines. Holds at most `limit` of each.
 */
export class RowMemo {
  private dates = new Map<string, ReturnType<typeof parseSpendDate>>();
  private payees = new Map<string, string>();
  private exclusions = new Map<string, Exclusion | null>();
  constructor(private readonly limit = 100_000) {}
  private put<V>(map: Map<string, V>, key: string, value: V): V {
    if (map.size >= this.limit) map.clear();
    map.set(key, value);
    return value;
  }
  date(raw: string | null): ReturnType<typeof parseSpendDate> {
    const key = raw ?? '';
    return this.dates.get(key) ?? this.put(this.dates, key, parseSpendDate(raw));
  }
  payeeKey(name: string): string {
    return this.payees.get(name) ?? this.put(this.payees, name, payeeKeyOf(name));
  }
  exclusion(payee: string, expenseType: string | null, description: string | null): Exclusion | null {
    const key = `${payee}\u0000${expenseType ?? ''}\u0000${description ?? ''}`;
    const hit = this.exclusions.get(key);
    return hit !== undefined ? hit : this.put(this.exclusions, key, lineExclusion({ payee, expenseType, description }));
  }
}

const NO_MEMO = {
  date: (raw: string | null) => parseSpendDate(raw),
  payeeKey: (name: string) => payeeKeyOf(name),
  exclusion: (payee: string, expenseType: string | null, description: string | null) => lineExclusion({ payee, expenseType, description }),
};

/** True for a row with nothing in it (`,,,,`): not a payment, not worth a quarantine entry. */
export function isBlankRow(cells: readonly string[]): boolean {
  for (const c of cells) if (c !== undefined && c !== null && String(c).trim() !== '') return false;
  return true;
}

/** References compare by their letters and digits: Oxford wrote `46281108_1` one year and `46281108 - 1` the next. */
export const referenceKey = (ref: string): string => ref.toLowerCase().replace(/[^a-z0-9]+/g, '');

export function payeeKeyOf(name: string): string {
  if (isRedacted(name)) return REDACTED_PAYEE_KEY;
  return normaliseName(name) || name.trim().toLowerCase();
}

export interface RowOptions {
  /**
   * The date for lines whose date cell is empty or holds only a time (Oxford's April–June 2014 file reads
   * `00:00:00` on every line): an analyst who knows the file's period states it, else such lines are quarantined.
   */
  dateMissingAs?: string | null;
}

export function readSpendRow(cells: readonly string[], mapping: HeaderMapping, options: RowOptions = {}, memo: Pick<RowMemo, 'date' | 'payeeKey' | 'exclusion'> = NO_MEMO): RowReading {
  // A comma inside an unquoted value (`£1,234.50` in a comma-separated file) splits it and shifts every
  // column after it: the row cannot be trusted, whatever its cells now say.
  let extra = 0;
  for (let i = mapping.width; i < cells.length; i++) if (cells[i] && String(cells[i]).trim()) extra++;
  if (extra) {
    const amount = parseAmountPence(cellOf(cells, mapping, 'amount'));
    return {
      ok: false,
      reason: `the row has ${mapping.width + extra} filled columns where the header has ${mapping.width}: a comma inside an unquoted value (such as £1,234.50) has shifted its columns`,
      amountPence: amount.ok ? amount.value : 0,
    };
  }
  const amountText = cellOf(cells, mapping, 'amount');
  const amount = parseAmountPence(amountText);
  const amountPence = amount.ok ? amount.value : 0;
  const reasons: string[] = [];
  if (!amount.ok) reasons.push(amount.reason);
  let date = memo.date(cellOf(cells, mapping, 'date'));
  let dateStated = false;
  if (!date.ok && options.dateMissingAs && date.reason.startsWith('no date')) {
    date = { ok: true, value: options.dateMissingAs };
    dateStated = true;
  }
  if (!date.ok) reasons.push(date.reason);
  const payeeName = cellOf(cells, mapping, 'payee');
  if (!payeeName) reasons.push('no payee');
  if (reasons.length || !amount.ok || !date.ok || !payeeName) return { ok: false, reason: reasons.join('; '), amountPence };

  const reference = cellOf(cells, mapping, 'reference') ?? cellOf(cells, mapping, 'card');
  const expenseType = cellOf(cells, mapping, 'expense_type');
  const description = cellOf(cells, mapping, 'description');
  const payeeKey = memo.payeeKey(payeeName);
  const paidOn = date.value;
  return {
    ok: true,
    payment: {
      paidOn,
      dateStated,
      quarter: quarterOf(paidOn),
      amountPence: amount.value,
      payeeName,
      payeeKey,
      reference,
      expenseCode: cellOf(cells, mapping, 'expense_code'),
      expenseType,
      serviceArea: cellOf(cells, mapping, 'service_area'),
      description,
      costCentre: cellOf(cells, mapping, 'cost_centre'),
      supplierId: cellOf(cells, mapping, 'supplier_id'),
      postcode: cellOf(cells, mapping, 'postcode'),
      companyNumber: cellOf(cells, mapping, 'company_number'),
      exclusion: memo.exclusion(payeeName, expenseType, description),
      baseKey: `${paidOn}|${payeeKey}|${amount.value}|${reference ? referenceKey(reference) : ''}`,
    },
  };
}

/**
 * Numbers equal lines within one file: the first `2016-04-05|infomill|224000|` is `…|1`, the next `…|2`.
 * One per file, fed in file order.
 */
export class OccurrenceCounter {
  private seen = new Map<string, number>();
  keyOf(baseKey: string): string {
    const n = (this.seen.get(baseKey) ?? 0) + 1;
    this.seen.set(baseKey, n);
    return `${baseKey}|${n}`;
  }
}
