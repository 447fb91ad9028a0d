import { describe, expect, it } from 'vitest';
import { isDue, latestSlot, type AlertSchedule } from '../../src/domain/alerts/digest-timing.js';
import { localParts, zonedInstant } from '../../src/domain/time-zones.js';

const london = (frequency: AlertSchedule['frequency'], hour: number, weekday = 0): AlertSchedule => ({ frequency, hour, weekday, timezone: 'Europe/London' });

/** Runs the alert job every five minutes from `from` to `to`, as the scheduler does, and lists when a digest went. */
function sends(schedule: AlertSchedule, from: string, to: string, firstCheck: string): string[] {
  const sent: string[] = [];
  let last: string | null = firstCheck;
  for (let t = Date.parse(from); t <= Date.parse(to); t += 5 * 60_000) {
    const now = new Date(t);
    if (isDue(schedule, last, now)) {
      sent.push(now.toISOString());
      last = now.toISOString();
    }
  }
  return sent;
}

describe('digest timing on the days the clocks change (Europe/London)', () => {
  it.each([
    // Clocks go forward at 01:00 GMT on Sunday 29 March 2026; back at 01:00 GMT on Sunday 25 October 2026.
    [2026, 3, 28, 7, '2026-03-28T07:00:00.000Z'],
    [2026, 3, 29, 7, '2026-03-29T06:00:00.000Z'],
    [2026, 10, 24, 7, '2026-10-24T06:00:00.000Z'],
    [2026, 10, 25, 7, '2026-10-25T07:00:00.000Z'],
    [2026, 7, 1, 0, '2026-06-30T23:00:00.000Z'],
  ])('%i-%i-%i at %i:00 London is %s', (y, m, d, h, instant) => {
    expect(zonedInstant(y, m, d, h, 'Europe/London').toISOString()).toBe(instant);
  });

  it('an hour that does not exist (01:00 on 29 March) is sent an hour late, not skipped', () => {
    const slot = zonedInstant(2026, 3, 29, 1, 'Europe/London');
    expect(localParts(slot, 'Europe/London').hour).toBe(2);
    expect(slot.toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it.each([
    ['spring', '2026-03-26T00:00:00Z', '2026-04-01T00:00:00Z', { 7: '2026-03-29T06:00:00.000Z', 1: '2026-03-29T01:00:00.000Z', 0: '2026-03-29T00:00:00.000Z' }],
    ['autumn', '2026-10-22T00:00:00Z', '2026-10-28T00:00:00Z', { 7: '2026-10-25T07:00:00.000Z', 1: '2026-10-25T01:00:00.000Z', 0: '2026-10-24T23:00:00.000Z' }],
  ])('daily digests at 7, 1 and 0 go once every local day, at that hour, across the %s change', (_season, from, to, onTheDay) => {
    for (const hour of [7, 1, 0] as const) {
      const times = sends(london('daily', hour), from, to, from);
      const days = times.map((t) => {
        const p = localParts(new Date(t), 'Europe/London');
        return Date.UTC(p.year, p.month - 1, p.day) / 86_400_000;
      });
      // One a day, and no day missed between the first and the last.
      expect(days.length).toBeGreaterThanOrEqual(5);
      days.forEach((d, i) => i > 0 && expect(d - days[i - 1]).toBe(1));
      expect(times).toContain(onTheDay[hour]);
      for (const t of times) {
        const localHour = localParts(new Date(t), 'Europe/London').hour;
        // The hour that is skipped in spring arrives an hour late; every other day it is the hour asked for.
        if (t === '2026-03-29T01:00:00.000Z') expect(localHour).toBe(2);
        else expect(localHour).toBe(hour);
      }
    }
  });

  it('a weekly digest on Sundays at 9 goes once each Sunday across both changes', () => {
    const times = sends(london('weekly', 9, 0), '2026-03-20T00:00:00Z', '2026-11-02T00:00:00Z', '2026-03-20T00:00:00Z');
    expect(times).toContain('2026-03-22T09:00:00.000Z');
    expect(times).toContain('2026-03-29T08:00:00.000Z');
    expect(times).toContain('2026-10-25T09:00:00.000Z');
    expect(times).toHaveLength(33);
    for (const t of times) expect(localParts(new Date(t), 'Europe/London')).toMatchObject({ weekday: 0, hour: 9, minute: 0 });
  });

  it('follows a supplier zone whose clocks change on other days', () => {
    const ny: AlertSchedule = { frequency: 'daily', hour: 7, weekday: 0, timezone: 'America/New_York' };
    expect(latestSlot(ny, new Date('2026-03-08T12:00:00Z'))?.toISOString()).toBe('2026-03-08T11:00:00.000Z');
    expect(latestSlot(ny, new Date('2026-03-07T12:00:00Z'))?.toISOString()).toBe('2026-03-07T12:00:00.000Z');
  });
});
