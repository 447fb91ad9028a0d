/**
 * A score is what its parts say it is: on notices shaped like the publishers' releases (Contracts Finder, Public
 * Contracts Scotland, Sell2Wales, a Find a Tender reservation by location) and variants of them, against a mix of
 * suppliers, the documented formula over every eligible result's parts gives its score, and results with and
 * without reasons agree. tests/real-data/matching-parts.test.ts runs the same check on every real notice.
 */
import { describe, expect, it } from 'vitest';
import { opportunitiesOf } from '../../src/domain/matching/opportunity.js';
import type { Opportunity } from '../../src/domain/matching/types.js';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { cfAward, cfTender, ftsReservedTender, pcsTender, s2wLotsByPlace } from '../support/fixtures/releases.js';
import { opportunity, supplierMix } from '../support/matching-fixtures.js';
import { checkScoreParts, scoreFromParts, type PartsCase } from '../support/matching-parts.js';

const opportunities = (release: JsonObject) => opportunitiesOf(normalise(compileReleases([release])));
const KENT = { description: 'Kent', gazetteer: { scheme: 'NUTS', identifiers: ['UKJ4'] } };

const notices: Opportunity[] = [
  ...opportunities(cfTender(1)),
  ...opportunities(cfAward(1)),
  ...opportunities(pcsTender(1)),
  ...opportunities(s2wLotsByPlace(1)),
  ...opportunities(ftsReservedTender(1, { tender: { reservedParticipation: ['smeVcse'], reservedParticipationLocation: KENT } })),
  ...opportunities(ftsReservedTender(2, { lot: { reservedParticipation: ['vcse'] } })),
  ...opportunities(ftsReservedTender(3, { tender: { reservedParticipation: ['publicServiceMissionOrganization'] } })),
];
// What the releases above do not show: no place, UK-wide and England-wide work, no value, no deadline, not for SMEs.
const composting = { cpv: ['90500000', '77120000'], text: 'Composting of Organic Green Waste\nCollection from a central location', title: 'Composting of Organic Green Waste' };
const variants: Opportunity[] = [
  opportunity({ ...composting, ocid: 'ocds-test-unplaced', value: 120000 }),
  opportunity({ ...composting, ocid: 'ocds-test-uk', places: [{ code: 'TL', national: true }], value: null, suitableSme: false }),
  opportunity({ ...composting, ocid: 'ocds-test-england', places: ['TLC', 'TLD', 'TLE', 'TLF', 'TLG', 'TLH', 'TLI', 'TLJ', 'TLK'].map((code) => ({ code, national: true })), deadline: null }),
  opportunity({ ...composting, ocid: 'ocds-test-reserved-place', places: [{ code: 'TLM93', national: false }], reservedPlaces: ['TLM'], reservedLocation: 'Scotland', suitableVcse: true }),
];

/** Each notice a few times over: bids closing in under a day, 4, 9 and 20 days (every time part), once after. */
const cases: PartsCase[] = [...notices, ...variants].flatMap((o) => {
  const due = o.deadline ? Date.parse(o.deadline) : Date.parse('2026-11-24T09:00:00Z');
  return [0.2, 4, 9, 20, -1].map((days) => ({ opportunity: o, now: new Date(due - days * 86_400_000) }));
});
const profiles = supplierMix([...notices, ...variants], 1);

describe('the parts of a score add up to it (fixture notices)', () => {
  it.each([0.25, 0.6])('with LOCAL_WEIGHT %s', (localWeight) => {
    const report = checkScoreParts(cases, profiles, { localWeight, highPotentialBoost: 0.05 });
    expect(report.failures).toEqual([]);
    expect(report.eligible).toBeGreaterThan(200);
    // Every gate is met, and every part takes several values: a check on a narrow sample would prove little.
    for (const rule of ['closed', 'expired', 'capability', 'place', 'capacity', 'reserved']) expect(report.rules[rule] ?? 0).toBeGreaterThan(0);
    for (const part of ['cpv', 'place', 'size', 'suitability', 'time'] as const) expect(report.distinct[part]).toBeGreaterThanOrEqual(3);
    for (const part of ['text', 'track', 'fit'] as const) expect(report.distinct[part]).toBeGreaterThanOrEqual(2);
  });

  it('the formula the check uses is the documented one', () => {
    // 0.25 × 1 + 0.75 × (0.55 × 0.8 + 0.15 × 1 + 0.15 × 0.6 + 0.15 × 0.2) = 0.25 + 0.75 × 0.71, times the fit.
    const parts = { capability: 0.8, cpv: 1, text: 0.4, track: 0.2, place: 1, size: 1, suitability: 0.6, time: 0.2, fit: 1 };
    expect(scoreFromParts(parts, 0.25)).toBeCloseTo(0.7825, 12);
    expect(scoreFromParts({ ...parts, fit: 0.6 }, 0.25)).toBeCloseTo(0.7825 * 0.6, 12);
  });
});
