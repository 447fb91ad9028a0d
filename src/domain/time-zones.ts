/**
 * Wall-clock time in named zones (Europe/London above all), on the platform's own zone data (Intl), so that
 * it runs the same on Node and Workers and on a machine set to any zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timezone, f);
  }
  return f;
}

export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function localParts(at: Date, timezone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timezone).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: SHORT_DAYS.indexOf(parts.weekday),
  };
}

/** Milliseconds the zone is ahead of UTC at instant `t`. */
function offsetAt(t: number, timezone: string): number {
  const p = localParts(new Date(t), timezone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timezone` shows the given local time. A time skipped when the
 * clocks go forward comes out an hour later (01:30 on the spring day is 02:30 summer time); a time that
 * happens twice when they go back is the later one. Only Intl's zone data and UTC arithmetic are used, so
 * the answer does not depend on the zone of the machine.
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, timezone: string, minute = 0, second = 0, ms = 0): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const guess = wall - offsetAt(wall, timezone);
  return new Date(wall - offsetAt(guess, timezone));
}

/** The zone a UK publisher means when it writes a time without one. */
export const UK_TIME_ZONE = 'Europe/London';

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Milliseconds since the epoch of a published date or date-time, or NaN. A time with a zone (`Z`, `+01:00`)
 * is read as written; one without a zone, or a bare date, is UK local time (`2026-07-01T12:00` is 11:00 UTC,
 * `2026-01-15` midnight in London), whatever the zone of the machine reading it. Calendar days that do not
 * exist (`2026-02-31`) are NaN rather than rolled into the next month. In the hour the clocks go back, a
 * time that happens twice is read as the later (GMT) one.
 */
export function parseUkDateTime(text: string): number {
  const s = text.trim();
  const m = ISO_LOCAL.exec(s);
  if (m) {
    const [y, mo, d, h = '0', mi = '0', sec = '0', frac = '0'] = m.slice(1);
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return NaN;
    if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return NaN;
    const ms = Math.round(Number(`0.${frac}`) * 1000);
    return zonedInstant(year, month, day, Number(h), UK_TIME_ZONE, Number(mi), Number(sec), ms).getTime();
  }
  // With a zone the instant is fixed; anything else (no digits of a date) is not a date.
  if (HAS_ZONE.test(s) || /GMT|UTC/i.test(s)) return Date.parse(s);
  return NaN;
}
