/**
 * When a supplier's digest falls due. Pure: every function takes the time it reasons about.
 * Hours are local to the supplier's time zone (Europe/London unless they say otherwise), so a
 * "daily at 7" alert stays at 7 across the clock changes.
 */
export type Frequency = 'immediate' | 'daily' | 'weekly';
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

import { localParts, zonedInstant } from '../time-zones.js';

export { isTimeZone } from '../time-zones.js';

export interface AlertSchedule {
  frequency: Frequency;
  /** 0–23, local time. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday; used by weekly alerts. */
  weekday: number;
  timezone: string;
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
