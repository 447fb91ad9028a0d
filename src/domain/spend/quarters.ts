/**
 * UK financial quarters (the year runs from 1 April): `2014Q1` is April–June 2014, `2014Q4` January–March
 * 2015, both of financial year 2014/15. Councils report by these, so reports do too.
 */

export interface FinancialQuarter {
  /** `2014Q1` */
  key: string;
  /** The calendar year the financial year starts in. */
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** `2014/15 Q1` */
  label: string;
  /** First and last day, ISO. */
  from: string;
  to: string;
}

const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The financial quarter key of an ISO date (`2015-02-03` → `2014Q4`). */
export function quarterOf(isoDate: string): string {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  if (m >= 4) return `${y}Q${Math.floor((m - 4) / 3) + 1}`;
  return `${y - 1}Q4`;
}

export function describeQuarter(key: string): FinancialQuarter | null {
  const m = /^(\d{4})Q([1-4])$/.exec(key);
  if (!m) return null;
  const year = Number(m[1]);
  const quarter = Number(m[2]) as 1 | 2 | 3 | 4;
  const firstMonth = ((quarter - 1) * 3 + 3) % 12; // 0-based: Q1 → April (3), Q4 → January (0)
  const calendarYear = quarter === 4 ? year + 1 : year;
  const lastDay = new Date(Date.UTC(calendarYear, firstMonth + 3, 0)).getUTCDate();
  const mm = (n: number) => String(n + 1).padStart(2, '0');
  return {
    key,
    year,
    quarter,
    label: `${year}/${String((year + 1) % 100).padStart(2, '0')} Q${quarter}`,
    from: `${calendarYear}-${mm(firstMonth)}-01`,
    to: `${calendarYear}-${mm(firstMonth + 2)}-${lastDay}`,
  };
}

/** `Apr–Jun 2014` */
export function quarterMonths(key: string): string {
  const q = describeQuarter(key);
  if (!q) return key;
  const first = Number(q.from.slice(5, 7)) - 1;
  return `${MONTH[first]}–${MONTH[first + 2]} ${q.from.slice(0, 4)}`;
}

/** Every quarter key from `first` to `last`, inclusive, so that a chart shows empty quarters as gaps. */
export function quarterRange(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, q] = [Number(first.slice(0, 4)), Number(first.slice(5))];
  const end = Number(last.slice(0, 4)) * 4 + Number(last.slice(5));
  while (y * 4 + q <= end && out.length < 400) {
    out.push(`${y}Q${q}`);
    if (++q > 4) {
      q = 1;
      y++;
    }
  }
  return out;
}
