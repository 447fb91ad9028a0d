import { describe, expect, it } from 'vitest';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { NOTICE_TYPES, noticeTypeName, opportunityKindOf, publishedNotices } from '../../src/domain/ocds/notice-types.js';
import { contractEnds, forecastRenewals } from '../../src/domain/renewals/forecast.js';
import { comingUpDetails } from '../../src/domain/early/engagement.js';
import type { Release } from '../../src/domain/ocds/types.js';
import { OCIDS, procurementActReleases } from '../support/fixtures/procurement-act.js';

const all = procurementActReleases();
const of = (ocid: string, upTo?: string) =>
  all.filter((r) => r.release.ocid === ocid && (!upTo || Date.parse(r.at) <= Date.parse(upTo))).map((r) => r.release as Release);

describe('Procurement Act notice types', () => {
  it('names every type UK1–UK17 once, each with what it becomes', () => {
    expect(NOTICE_TYPES.map((t) => t.code)).toEqual(Array.from({ length: 17 }, (_, i) => `UK${i + 1}`));
    expect(noticeTypeName('UK2')).toBe('Preliminary market engagement notice');
    expect(noticeTypeName('uk10')).toBe('Contract change notice');
    expect(noticeTypeName('UK18')).toBe('UK18 notice');
    expect(noticeTypeName('F02')).toBeNull();
  });

  it('reads the type of each fixture notice from its own section, and the compiled record takes the latest', () => {
    const seen = new Set(all.flatMap((r) => publishedNotices(r.release as Release).map((n) => n.code)));
    expect([...seen].sort()).toEqual(['UK1', 'UK10', 'UK11', 'UK12', 'UK13', 'UK14', 'UK2', 'UK3', 'UK4', 'UK5', 'UK6', 'UK7']);
    const stages: Array<[string, string, ReturnType<typeof opportunityKindOf>]> = [
      ['2026-04-02T12:00:00Z', 'UK1', 'coming_up'],
      ['2026-05-12T12:00:00Z', 'UK2', 'coming_up'],
      ['2026-09-15T12:00:00Z', 'UK3', 'coming_up'],
      ['2027-01-11T12:00:00Z', 'UK4', 'open'],
      ['2027-03-01T12:00:00Z', 'UK6', 'other'],
      ['2027-04-03T12:00:00Z', 'UK7', 'other'],
      ['2028-10-02T12:00:00Z', 'UK10', 'other'],
    ];
    for (const [at, code, kind] of stages) {
      const record = normalise(compileReleases(of(OCIDS.resurfacing, at)));
      expect(record.noticeType, at).toBe(code);
      expect(opportunityKindOf(record.noticeType, record.status), at).toBe(kind);
    }
    const dm = normalise(compileReleases(of(OCIDS.dynamicMarket)));
    expect([dm.noticeType, opportunityKindOf(dm.noticeType, dm.status)]).toEqual(['UK14', 'dynamic_market']);
    const calledOff = normalise(compileReleases(of(OCIDS.calledOff)));
    expect([calledOff.noticeType, opportunityKindOf(calledOff.noticeType, calledOff.status)]).toEqual(['UK12', 'closed']);
    expect(normalise(compileReleases(of(OCIDS.cleaning))).noticeType).toBe('UK11');
    // A pipeline notice's page is its notice URL.
    expect(normalise(compileReleases(of(OCIDS.resurfacing, '2026-04-02T12:00:00Z'))).url).toBe('https://www.find-tender.service.gov.uk/Notice/012001-2026');
  });

  it('a market engagement says how to take part, until when and whom to ask; a pipeline when the tender is expected', () => {
    const uk2 = comingUpDetails(compileReleases(of(OCIDS.resurfacing, '2026-05-12T12:00:00Z')));
    expect(uk2.howToTakePart).toMatch(/supplier day on 18 June 2026/);
    expect(uk2.engagementEnds).toBe('2026-06-30T16:00:00.000Z');
    expect(uk2.contactEmail).toBe('procurement@coventry.example.gov.uk');
    expect(comingUpDetails(compileReleases(of(OCIDS.resurfacing, '2026-04-02T12:00:00Z'))).expectedTenderAt).toBe('2027-01-11T09:00:00.000Z');
  });
});

describe('renewal forecasts', () => {
  const resurfacing = compileReleases(of(OCIDS.resurfacing));
  const record = normalise(resurfacing);

  it('reads the contract period, moved by the latest contract change, with its extension option', () => {
    expect(contractEnds(resurfacing)).toEqual([
      { awardId: '1', endDate: '2030-09-30T22:59:59.000Z', fromDuration: false, startDate: '2027-03-31T23:00:00.000Z', maxExtentDate: null, terminatedAt: null, extensionOption: true },
    ]);
  });

  it('forecasts a contract ending 6–18 months ahead, not one ending sooner or later', () => {
    const inWindow = forecastRenewals(resurfacing, record, new Date('2029-06-01T00:00:00Z'));
    expect(inWindow).toHaveLength(1);
    expect(inWindow[0]).toMatchObject({
      ocid: OCIDS.resurfacing,
      buyerName: 'Coventry City Council',
      expectedAt: '2030-09-30T22:59:59.000Z',
      certainty: 'medium',
      extensionOption: true,
      terminated: false,
      incumbents: [{ name: 'Midland Surfacing Ltd', scale: 'sme' }],
      valueAmount: 2350000,
    });
    expect(inWindow[0].reasons.join(' ')).toMatch(/may extend or renew it/);
    expect(forecastRenewals(resurfacing, record, new Date('2030-06-01T00:00:00Z'))).toEqual([]); // ends in 4 months
    expect(forecastRenewals(resurfacing, record, new Date('2028-06-01T00:00:00Z'))).toEqual([]); // 28 months away
  });

  it('forecasts a contract terminated early as a re-procurement soon, sure of it', () => {
    const cleaning = compileReleases(of(OCIDS.cleaning));
    const [f] = forecastRenewals(cleaning, normalise(cleaning), new Date('2026-11-24T09:00:00Z'));
    expect(f).toMatchObject({ terminated: true, certainty: 'high', expectedAt: '2026-10-14T23:00:00.000Z', incumbents: [{ name: 'Sparkle Facilities Ltd', scale: 'large' }] });
    expect(f.reasons[0]).toMatch(/ended early on 2026-10-14/);
    // Half a year after the termination it is no longer news.
    expect(forecastRenewals(cleaning, normalise(cleaning), new Date('2027-06-01T00:00:00Z'))).toEqual([]);
  });

  it('works out an end from a start and a duration, and says it is less sure', () => {
    const release: Release = {
      ocid: 'ocds-h6vhtk-0000aa', id: 'x', date: '2026-01-01T00:00:00Z',
      tender: { title: 'Framework for fleet hire', techniques: { hasFrameworkAgreement: true } },
      awards: [{ id: 'a', status: 'active', suppliers: [{ id: 's', name: 'Hire Co' }], contractPeriod: { startDate: '2026-01-01T00:00:00Z', durationInMonths: 24 } }],
    };
    const [f] = forecastRenewals(compileReleases([release]), normalise(compileReleases([release])), new Date('2027-01-01T00:00:00Z'));
    expect(f).toMatchObject({ endDate: '2028-01-01T00:00:00.000Z', framework: true, certainty: 'low' });
    expect(f.reasons).toContain('a framework: buyers usually let a new one as the old one ends');
  });
});
