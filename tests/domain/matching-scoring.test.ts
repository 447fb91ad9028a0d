/**
 * Scores from real notices, normalised as the store normalises them (compileReleases → normalise →
 * opportunitiesOf), checked as orderings and ranges: a scorer that got closeness, place or weights wrong,
 * or matched what cannot be bid for, fails here. Fixtures are shaped like the publishers' releases
 * (tests/fixtures/releases.ts); the second suite reads ../shared/data when it is there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { opportunitiesOf } from '../../src/domain/matching/opportunity.js';
import { SupplierIndex } from '../../src/domain/matching/supplier-index.js';
import type { MatchSettings, Opportunity, SupplierProfile, Verdict } from '../../src/domain/matching/types.js';
import { scoreMatch } from '../../src/domain/matching/verdict.js';
import { cfAward, cfTender, pcsTender, s2wLotsByPlace } from '../support/fixtures/releases.js';
import { SHARED_DATA } from '../support/helpers.js';
import { supplier } from '../support/matching-fixtures.js';

const SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };
const opportunities = (release: JsonObject) => opportunitiesOf(normalise(compileReleases([release])));

function scored(opp: Opportunity, s: SupplierProfile, now: Date): Extract<Verdict, { eligible: true }> {
  const v = scoreMatch(opp, s, SETTINGS, now);
  if (!v.eligible) throw new Error(`${s.id} should be eligible: ${v.reason}`);
  return v;
}

// Contracts Finder: "Software development for bus passenger app", CPV 72212000 (programming services of application
// software), delivered in the West Midlands (TLG), £250k, marked suitable for SMEs.
const BUS_APP_NOW = new Date('2026-11-24T09:00:00Z');
const [busApp] = opportunities(cfTender(1));
// The same Birmingham firm each time, but for the CPV code it lists.
const software = (id: string, code: string) =>
  supplier({ id, cpv: [code], homeRegion: 'TLG31', maxContractValue: 500000, description: 'Mobile and web application development' });

describe('CPV closeness orders otherwise equal suppliers', () => {
  it('reads the real notice as expected', () => {
    expect(busApp).toMatchObject({ lotId: '', cpv: ['72212000'], places: [{ code: 'TLG', national: false }], value: 250000, suitableSme: true });
  });

  // Each chain best first: the supplier's code above the notice's (deeper is closer), or beside it (more shared digits is closer).
  it.each([
    ['codes above the notice\'s: same code > class > group > division', ['72212000', '72210000', '72200000', '72000000']],
    ['codes beside it: same code > same class > same group', ['72212000', '72211000', '72260000']],
    ['a code below it ranks with the close ones, above the division', ['72212000', '72212100', '72000000']],
  ])('%s', (_name, codes) => {
    const scores = codes.map((code) => scored(busApp, software(code, code), BUS_APP_NOW).score);
    for (let i = 1; i < scores.length; i++) expect(scores[i - 1]).toBeGreaterThan(scores[i]);
  });

  it('a code sharing only the division (72400000 Internet services) cannot bid at all', () => {
    expect(scoreMatch(busApp, software('internet', '72400000'), SETTINGS, BUS_APP_NOW)).toMatchObject({ eligible: false, rule: 'capability' });
  });

  it('the same code scores high, and capability carries its documented weight', () => {
    const exact = scored(busApp, software('exact', '72212000'), BUS_APP_NOW).score;
    const division = scored(busApp, software('division', '72000000'), BUS_APP_NOW).score;
    // 0.25 × place 0.5 (based in the region) + 0.75 × (0.55 × capability ≥ 0.6 + 0.15 × size 1 + 0.15 × suitable 1 + 0.15 × time 1).
    expect(exact).toBeGreaterThanOrEqual(0.7);
    expect(exact).toBeLessThanOrEqual(0.85);
    // CPV relation 1 against 0.55 for a division-level code: 0.75 × 0.55 × 0.6 × 0.45 ≈ 0.111 of score.
    expect(exact - division).toBeGreaterThan(0.1);
    expect(exact - division).toBeLessThan(0.125);
  });
});

// Public Contracts Scotland: "Five Year Electrical Inspection Contract, Various Addresses, North Glasgow", lot 1
// Inspections (CPV 50711000, UKM82 Glasgow City, £400k), lot 2 Remedial works (45310000). Bids were open in May 2019.
const GLASGOW_NOW = new Date('2019-05-01T09:00:00Z');
const [inspections, remedial] = opportunities(pcsTender(1));
const sparks = (id: string, over: Partial<SupplierProfile>) =>
  supplier({ id, cpv: ['50711000'], maxContractValue: 1_000_000, description: 'Electrical installation condition reports and inspections', ...over });

describe('place orders otherwise equal suppliers: ITL3 > ITL2 > ITL1 > serving from elsewhere', () => {
  const ladder = [
    sparks('itl3', { homeRegion: 'TLM82' }), // Glasgow City
    sparks('itl2', { homeRegion: 'TLM8' }), // West Central Scotland
    sparks('itl1', { homeRegion: 'TLM' }), // Scotland (a postcode gives only the ITL1 region)
    sparks('national', { homeRegion: 'TLK43', national: true }), // Devon, works UK-wide
  ];
  const scores = ladder.map((s) => scored(inspections, s, GLASGOW_NOW));

  it('strictly in that order, local levels 3, 2, 1, 0', () => {
    expect(scores.map((v) => v.localLevel)).toEqual([3, 2, 1, 0]);
    for (let i = 1; i < scores.length; i++) expect(scores[i - 1].score).toBeGreaterThan(scores[i].score);
  });

  it('by the local weight: 0.25 × (1 − 0.15) between a Glasgow firm and a national one', () => {
    expect(scores[0].score - scores[3].score).toBeCloseTo(0.25 * 0.85, 3);
    expect(scores[0].reasons).toContain('You are based in Glasgow City (TLM82), where the work is delivered.');
  });

  it('based elsewhere in the same ITL1 region and serving it counts as ITL1-local', () => {
    const ayrshire = scored(inspections, sparks('ayrshire', { homeRegion: 'TLM93', serves: ['TLM'] }), GLASGOW_NOW);
    expect(ayrshire.localLevel).toBe(1);
    expect(ayrshire.score).toBe(scores[2].score);
  });

  it('serving from elsewhere is no better than national, and not serving is no match', () => {
    const fromDevon = scored(inspections, sparks('serves', { homeRegion: 'TLK43', serves: ['TLM8'] }), GLASGOW_NOW);
    expect(fromDevon.score).toBe(scores[3].score);
    expect(scoreMatch(inspections, sparks('away', { homeRegion: 'TLK43' }), SETTINGS, GLASGOW_NOW)).toMatchObject({ eligible: false, rule: 'place' });
  });
});

describe('each lot is matched on its own CPV, place and value, and the match names the lot', () => {
  // Sell2Wales "Pan-BCU Automatic Door Service & Maintenance": lot 1 Conwy and Denbighshire, lot 2 Anglesey and
  // Gwynedd, lot 3 Flintshire and Wrexham; the tender is worth £150k, lot 3 £40k.
  const doorsNow = new Date('2026-11-24T09:00:00Z');
  const doors = opportunities(s2wLotsByPlace(1));
  const wrexham = supplier({ id: 'wrexham-doors', cpv: ['50712000'], homeRegion: 'TLL23', maxContractValue: 45000, description: 'Automatic door maintenance' });

  it('a Wrexham door firm that can take on £45k gets lot 3 only, and is told why', () => {
    const verdicts = doors.map((o) => scoreMatch(o, wrexham, SETTINGS, doorsNow));
    expect(verdicts.map((v) => (v.eligible ? 'match' : v.rule))).toEqual(['place', 'place', 'match']);
    const v = verdicts[2];
    if (!v.eligible) throw new Error(v.reason);
    expect(v.lotId).toBe('3');
    expect(v.reasons[0]).toBe('Your CPV code 50712000 (Repair and maintenance services of mechanical building installations) is exactly what lot 3 (BCU-OJEU-58561 - Pan-BCU Automatic Door Service & Maintenance - Lot 3 - East) asks for.');
    expect(v.reasons).toContain('This lot is worth £40k, within the £45k you can deliver: the tender is split into 3 lots.');
    expect(v.reasons).toContain('You are based in Flintshire and Wrexham (TLL23), where the work is delivered.');
  });

  it('a Glasgow electrical contractor gets the remedial works lot on its CPV, not the inspections', () => {
    const contractor = supplier({ id: 'contractor', cpv: ['45310000'], homeRegion: 'TLM82', maxContractValue: 750000 });
    expect(scoreMatch(inspections, contractor, SETTINGS, GLASGOW_NOW)).toMatchObject({ eligible: false, rule: 'capability' });
    const v = scored(remedial, contractor, GLASGOW_NOW);
    expect(v.reasons[0]).toMatch(/^Your CPV code 45310000 \(Electrical installation work\) is exactly what lot 2 \(Remedial works\) asks for\.$/);
    // Lot 2 is worth £600k: a firm that can take on £500k cannot.
    expect(scoreMatch(remedial, { ...contractor, maxContractValue: 500000 }, SETTINGS, GLASGOW_NOW)).toMatchObject({ eligible: false, rule: 'capacity' });
  });
});

describe('reserved participation shuts out those who do not qualify', () => {
  const doorsNow = new Date('2026-11-24T09:00:00Z');
  const reservedLot = (code: string) => {
    const release = s2wLotsByPlace(2);
    ((release.tender as { lots: JsonObject[] }).lots[2] as JsonObject).otherRequirements = { reservedParticipation: [code] };
    return opportunities(release)[2];
  };
  const firm = (id: string, kind: SupplierProfile['kind']) => supplier({ id, kind, cpv: ['50712000'], homeRegion: 'TLL23', maxContractValue: 100000 });
  it.each<[string, SupplierProfile['kind'], boolean, RegExp]>([
    ['vcse', 'small', false, /^Bids are reserved for VCSEs, and you are not registered as one\.$/],
    ['vcse', 'cooperative', false, /reserved for VCSEs/],
    ['vcse', 'vcse', true, /^Bids are reserved for VCSEs, and you qualify\.$/],
    ['publicServiceMissionOrganization', 'medium', false, /^Bids are reserved for public-service mutuals and social enterprises; you are registered as neither a VCSE nor a cooperative\.$/],
    ['publicServiceMissionOrganization', 'cooperative', true, /^Bids are reserved for public-service mutuals and social enterprises, and you qualify as a VCSE or cooperative\.$/],
    ['shelteredWorkshop', 'small', false, /^Bids are reserved for supported businesses \(sheltered workshops\); you are registered as neither a VCSE nor a cooperative\.$/],
    ['shelteredWorkshop', 'vcse', true, /^Bids are reserved for supported businesses \(sheltered workshops\): check that at least 30% of your workers are disabled or disadvantaged before bidding\.$/],
    ['smeVcse', 'micro', true, /^Bids are reserved for SMEs and VCSEs, and you qualify\.$/],
  ])('lot 3 reserved %s and a %s supplier', (code, kind, eligible, reason) => {
    const v = scoreMatch(reservedLot(code), firm(`${kind}-firm`, kind), SETTINGS, doorsNow);
    expect(v.eligible).toBe(eligible);
    if (v.eligible) expect(v.reasons).toContainEqual(expect.stringMatching(reason));
    else expect(v).toMatchObject({ rule: 'reserved', reason: expect.stringMatching(reason) });
  });

  it('the other lots of the tender stay open to the small firm', () => {
    const release = s2wLotsByPlace(3);
    ((release.tender as { lots: JsonObject[] }).lots[2] as JsonObject).otherRequirements = { reservedParticipation: ['vcse'] };
    const small = supplier({ id: 'small', cpv: ['50712000'], homeRegion: 'TLL', maxContractValue: 100000 });
    expect(opportunities(release).map((o) => scoreMatch(o, small, SETTINGS, doorsNow).eligible)).toEqual([true, true, false]);
  });
});

describe('what cannot be bid for never matches, however good the supplier', () => {
  const now = new Date('2026-11-24T09:00:00Z');
  const perfect = supplier({ id: 'perfect', cpv: ['72212000', '48000000'], homeRegion: 'TLG31', national: true, maxContractValue: 10_000_000 });
  const closedLot = (() => {
    const release = s2wLotsByPlace(4);
    ((release.tender as { lots: JsonObject[] }).lots[0] as JsonObject).status = 'cancelled';
    return opportunities(release);
  })();
  const doorsFirm = supplier({ id: 'doors', cpv: ['50712000'], homeRegion: 'TLL13', national: true, maxContractValue: 1e6 });
  it.each<[string, Opportunity, SupplierProfile, string, RegExp]>([
    ['a completed tender (real Contracts Finder award)', opportunities(cfAward(1))[0], perfect, 'closed', /^This tender is complete: it takes no more bids\.$/],
    ['a cancelled tender', opportunities(cfTender(2, { tender: { ...(cfTender(2).tender as JsonObject), status: 'cancelled' } }))[0], perfect, 'closed', /is cancelled/],
    ['a withdrawn tender', opportunities(cfTender(3, { tender: { ...(cfTender(3).tender as JsonObject), status: 'withdrawn' } }))[0], perfect, 'closed', /is withdrawn/],
    ['a tender past its deadline', opportunities(cfTender(4, { tender: { ...(cfTender(4).tender as JsonObject), tenderPeriod: { endDate: '2026-11-20T12:00:00Z' } } }))[0], perfect, 'expired', /^This tender closed for bids on 2026-11-20\.$/],
    ['a cancelled lot of an open tender', closedLot[0], doorsFirm, 'closed', /^This lot is cancelled/],
  ])('%s', (_name, opp, sup, rule, reason) => {
    expect(scoreMatch(opp, sup, SETTINGS, now)).toMatchObject({ eligible: false, rule, reason: expect.stringMatching(reason) });
    const index = new SupplierIndex([sup]);
    expect(index.match(opp, now, SETTINGS)).toEqual([]);
    expect(index.matchAllPairs(opp, now, SETTINGS)).toEqual([]);
  });

  it('while the open lots of that tender still match', () => {
    expect(closedLot.slice(1).map((o) => scoreMatch(o, doorsFirm, SETTINGS, now).eligible)).toEqual([true, true]);
  });
});

const EU_FILES = ['public-contracts-scotland/releases-2019.jsonl', 'sell2wales/releases-2025.jsonl'].map((f) => join(SHARED_DATA, 'ocds', f));

describe.skipIf(!EU_FILES.every((f) => existsSync(f)))('real notices in ../shared/data (skipped: ../shared/data is not beside the project)', () => {
  const records = EU_FILES.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => normalise(compileReleases([JSON.parse(l)]))),
  );

  it('on every lot with a specific place: same code > its division, and based there > serving nationally from elsewhere', () => {
    let checked = 0;
    for (const r of records) {
      for (const o of opportunitiesOf(r)) {
        const place = o.places.find((p) => p.code.length >= 4);
        if (!o.cpv.length || !place || o.places.some((p) => p.national) || o.reserved.length) continue;
        // Bids open a week before the deadline (or at publication when none is given).
        const now = new Date(o.deadline ? Date.parse(o.deadline) - 7 * 86_400_000 : Date.parse(r.publishedAt ?? '2019-01-01'));
        const away = ['TLK', 'TLC', 'TLN'].find((a) => o.places.every((p) => !p.code.startsWith(a)))!;
        const base = { cpv: o.cpv, homeRegion: place.code, maxContractValue: null, description: null };
        const exact = scored(o, supplier({ id: 'exact', ...base }), now);
        const divisions = [...new Set(o.cpv.map((c) => `${c.slice(0, 2)}000000`))];
        const division = scored(o, supplier({ id: 'division', ...base, cpv: divisions }), now);
        const national = scored(o, supplier({ id: 'national', ...base, homeRegion: away, national: true }), now);
        // A notice that asks only for whole divisions cannot tell the two apart.
        if (o.cpv.every((c) => divisions.includes(c))) expect(exact.score).toBe(division.score);
        else expect(exact.score).toBeGreaterThan(division.score);
        expect(exact.score).toBeGreaterThan(national.score);
        expect(exact.localLevel).toBe(Math.min(3, place.code.length - 2));
        expect(national.localLevel).toBe(0);
        expect(scoreMatch(o, supplier({ id: 'elsewhere', ...base, homeRegion: away }), SETTINGS, now)).toMatchObject({ eligible: false, rule: 'place' });
        if (o.lotId) expect(exact.reasons[0]).toContain(`lot ${o.lotId}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the real sheltered-workshop reservations shut out a small firm', () => {
    const reserved = records.filter((r) => r.reservedParticipation.includes('shelteredWorkshop'));
    expect(reserved.length).toBeGreaterThanOrEqual(2);
    for (const r of reserved) {
      const o = opportunitiesOf(r)[0];
      const now = new Date(Date.parse(o.deadline!) - 86_400_000 * 7);
      const home = o.places.find((p) => !p.national)!.code;
      expect(scoreMatch(o, supplier({ id: 'small', cpv: o.cpv, homeRegion: home }), SETTINGS, now)).toMatchObject({ eligible: false, rule: 'reserved' });
    }
  });

  it('no notice matches once its deadline has passed', () => {
    const sup = (o: Opportunity) => supplier({ id: 'any', cpv: o.cpv, national: true, homeRegion: 'TLM82' });
    let checked = 0;
    for (const r of records) {
      for (const o of opportunitiesOf(r)) {
        if (!o.deadline || !o.cpv.length) continue;
        const after = new Date(Date.parse(o.deadline) + 60_000);
        expect(scoreMatch(o, sup(o), SETTINGS, after)).toMatchObject({ eligible: false, rule: 'expired' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
