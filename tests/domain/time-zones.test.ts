import { afterEach, describe, expect, it } from 'vitest';
import { parseUkDateTime } from '../../src/domain/time-zones.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import type { Release } from '../../src/domain/ocds/types.js';

const iso = (s: string) => {
  const ms = parseUkDateTime(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

const zoneBefore = process.env.TZ;
afterEach(() => {
  process.env.TZ = zoneBefore;
});

describe('published dates and times: without a zone they are UK time', () => {
  const table: Array<[string, string | null]> = [
    ['2026-07-01T12:00:00', '2026-07-01T11:00:00.000Z'],
    ['2026-07-01T12:00', '2026-07-01T11:00:00.000Z'],
    ['2026-01-15T12:00:00', '2026-01-15T12:00:00.000Z'],
    ['2026-01-15T12:00:00.250', '2026-01-15T12:00:00.250Z'],
    ['2026-07-01', '2026-06-30T23:00:00.000Z'],
    ['2026-01-15', '2026-01-15T00:00:00.000Z'],
    ['2026-07-01T12:00:00Z', '2026-07-01T12:00:00.000Z'],
    ['2026-07-01T12:00:00+02:00', '2026-07-01T10:00:00.000Z'],
    ['2026-07-01T12:00:00.000+0000', '2026-07-01T12:00:00.000Z'],
    ['2026-10-25T01:30:00', '2026-10-25T01:30:00.000Z'],
    ['2026-02-31', null],
    ['2026-13-01', null],
    ['2026-02-28T24:00:00', null],
    ['1', null],
    ['', null],
    ['next Tuesday', null],
  ];
  it.each(['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Europe/London'])('whatever the machine zone (%s)', (zone) => {
    process.env.TZ = zone;
    for (const [text, expected] of table) expect([text, iso(text)]).toEqual([text, expected]);
  });

  it('a zoneless deadline in a release is stored as its UTC instant, and releases order by it', () => {
    process.env.TZ = 'America/New_York';
    const releases: Release[] = [
      // Read in New York's zone this would be 14:30 UTC, after the other; in UK time it is 09:30 UTC, before it.
      { ocid: 'ocds-test-tz-1', id: 'b', date: '2026-07-01T10:30:00', tag: ['tenderAmendment'], tender: { id: 't', title: 'Published first' } },
      { ocid: 'ocds-test-tz-1', id: 'a', date: '2026-07-01T10:00:00Z', tag: ['tender'], tender: { id: 't', title: 'Published last', tenderPeriod: { endDate: '2026-08-01T12:00:00' } } },
    ];
    const record = normalise(compileReleases(releases));
    expect(record.title).toBe('Published last');
    expect(record.deadline).toBe('2026-08-01T11:00:00.000Z');
  });
});
