/**
 * When a supplier's digest falls due. Pure: every function takes the time it reasons about.
 * Hours are local to the supplier's time zone (Europe/London unless they say otherwise), so a
 * "daily at 7" alert stays at 7 across the clock changes.
 */
export type Frequency = 'immediate' | 'daily' | 'weekly';
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface AlertSchedule {
  frequency: Frequency;
  /** 0–23, local time. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday; used by weekly alerts. */
  weekday: number;
  timezone: string;
}

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

interface LocalParts {
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

/** The instant at which the wall clock in `timezone` shows year-month-day hour:00. */
export function zonedInstant(year: number, month: number, day: number, hour: number, timezone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  const first = wall - offsetAt(wall, timezone);
  const second = wall - offsetAt(first, timezone);
  return new Date(second);
}

/** The most recent scheduled moment at or before `now`; null for immediate alerts, which have no slots. */
export function latestSlot(s: AlertSchedule, now: Date): Date | null {
  if (s.frequency === 'immediate') return null;
  const today = localParts(now, s.timezone);
  for (let back = 0; back <= 8; back++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    if (s.frequency === 'weekly' && day.getUTCDay() !== s.weekday) continue;
    const slot = zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), s.hour, s.timezone);
    if (slot.getTime() <= now.getTime()) return slot;
  }
  return null;
}

/**
 * Due when alerts are immediate, when the supplier has never been checked, or when a scheduled
 * moment has passed since the last check.
 */
export function isDue(s: AlertSchedule, lastCheckedAt: string | null, now: Date): boolean {
  if (s.frequency === 'immediate' || !lastCheckedAt) return true;
  const slot = latestSlot(s, now);
  return slot !== null && slot.getTime() > Date.parse(lastCheckedAt);
}
