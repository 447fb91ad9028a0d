import { describe, expect, it } from 'vitest';
import { compileReleases, mergeRelease } from '../../src/domain/ocds/compile.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';

const base = { ocid: 'ocds-b5fd17-aaa', id: 'r1', date: '2022-05-01T10:00:00Z', tag: ['tender'] };

describe('OCDS merge', () => {
  const cases: Array<{ name: string; releases: JsonObject[]; expect: (c: JsonObject) => void }> = [
    {
      name: 'a later value replaces an earlier one',
      releases: [
        { ...base, tender: { title: 'Grounds maintenance', status: 'active' } },
        { ...base, id: 'r2', date: '2022-06-01T10:00:00Z', tag: ['tenderAmendment'], tender: { status: 'cancelled' } },
      ],
      expect: (c) => expect(c.tender).toEqual({ title: 'Grounds maintenance', status: 'cancelled' }),
    },
    {
      name: 'a field a later release omits keeps its earlier value',
      releases: [
        { ...base, tender: { title: 'Roof repairs', value: { amount: 50000, currency: 'GBP' } } },
        { ...base, id: 'r2', date: '2022-06-01T10:00:00Z', tender: { title: 'Roof repairs, phase 1' } },
      ],
      expect: (c) => expect(c.tender).toEqual({ title: 'Roof repairs, phase 1', value: { amount: 50000, currency: 'GBP' } }),
    },
    {
      name: 'null removes a field',
      releases: [
        { ...base, tender: { title: 'Catering', description: 'School meals' } },
        { ...base, id: 'r2', date: '2022-06-01T10:00:00Z', tender: { description: null } },
      ],
      expect: (c) => expect(c.tender).toEqual({ title: 'Catering' }),
    },
    {
      name: 'arrays of objects with id merge element by element',
      releases: [
        { ...base, tender: { lots: [{ id: '1', title: 'North' }, { id: '2', title: 'South' }] } },
        { ...base, id: 'r2', date: '2022-06-01T10:00:00Z', tender: { lots: [{ id: '2', status: 'cancelled' }, { id: '3', title: 'East' }] } },
      ],
      expect: (c) =>
        expect((c.tender as JsonObject).lots).toEqual([
          { id: '1', title: 'North' },
          { id: '2', title: 'South', status: 'cancelled' },
          { id: '3', title: 'East' },
        ]),
    },
    {
      name: 'arrays without ids are replaced whole',
      releases: [
        { ...base, tender: { submissionMethod: ['electronicSubmission', 'written'] } },
        { ...base, id: 'r2', date: '2022-06-01T10:00:00Z', tender: { submissionMethod: ['electronicSubmission'] } },
      ],
      expect: (c) => expect((c.tender as JsonObject).submissionMethod).toEqual(['electronicSubmission']),
    },
    {
      name: 'releases apply in date order whatever order they arrive in, across time zones',
      releases: [
        // 10:30 at +01:00 is 09:30 UTC: before 09:45 UTC, although it sorts after it as text.
        { ...base, id: 'r2', date: '2022-06-01T10:30:00+01:00', tender: { title: 'first' } },
        { ...base, id: 'r1', date: '2022-06-01T09:45:00Z', tender: { title: 'second' } },
      ],
      expect: (c) => expect((c.tender as JsonObject).title).toBe('second'),
    },
    {
      name: 'a number too large for a double (1e9999) is dropped, not kept as Infinity',
      releases: [{ ...base, tender: { value: { amount: Infinity, currency: 'GBP' } } as unknown as JsonObject }],
      expect: (c) => expect((c.tender as JsonObject).value).toEqual({ currency: 'GBP' }),
    },
  ];

  it.each(cases)('$name', ({ releases, expect: check }) => {
    const compiled = compileReleases(releases);
    check(compiled);
    expect(compiled.tag).toEqual(['compiled']);
    expect(compiled.ocid).toBe('ocds-b5fd17-aaa');
  });

  it('merging the same release twice changes nothing', () => {
    const r: JsonObject = { ...base, tender: { title: 'x', lots: [{ id: '1', title: 'a' }] }, awards: [{ id: 'a1', suppliers: [{ id: 's1' }] }] };
    const once = mergeRelease(null, r);
    expect(mergeRelease(once, r)).toEqual(once);
  });
});
