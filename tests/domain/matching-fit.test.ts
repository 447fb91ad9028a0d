import { describe, expect, it } from 'vitest';
import { feedbackOf, feedbackPart, likeness, LIKE_THRESHOLD } from '../../src/domain/matching/feedback.js';
import { compileOpportunity, compileSupplier } from '../../src/domain/matching/compile.js';
import { EXCLUDED_FACTOR, FIT_FLOOR, fitFactor, hasPhrase } from '../../src/domain/matching/score.js';
import { Vocabulary } from '../../src/domain/matching/text.js';
import type { MatchSettings } from '../../src/domain/matching/types.js';
import { scoreMatch } from '../../src/domain/matching/verdict.js';
import { opportunity, supplier } from '../support/matching-fixtures.js';

const NOW = new Date('2026-11-24T09:00:00Z');
const SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };

// Real notices (Contracts Finder CSV export 2020, Sell2Wales 2025): a school cleaning contract, a drainage contract
// that a cleaning code also fits ("cleaning" that is really drainage), and a vehicle cleaning contract.
const schoolCleaning = opportunity({
  ocid: 'ocds-b5fd17-csv-2f461c7941730b57',
  title: 'The de Ferrers Trust ~ Cleaning Services Tender',
  text: 'The de Ferrers Trust ~ Cleaning Services Tender\nThe successful Supplier will be required to provide cleaning services for The de Ferrers Trust, a mixed multi-academy trust.',
  cpv: ['90910000'],
  buyer: 'The de Ferrers Trust',
});
const drainCleaning = opportunity({
  ocid: 'drains',
  title: 'Gully and drain cleaning',
  text: 'Gully and drain cleaning\nCleaning of highway gullies and drainage channels, jetting and CCTV survey of drains.',
  cpv: ['90910000', '90640000'],
  buyer: 'Highways Department',
});
const vehicleCleaning = opportunity({
  ocid: 'ocds-kuma6s-148399',
  title: 'Contract for the Provision of Specialist Vehicle Cleaning and Decontamination',
  text: 'Contract for the Provision of Specialist Vehicle Cleaning and Decontamination\nThe Commissioner is seeking a Contractor to provide specialist cleaning of police vehicles.',
  cpv: ['90910000'],
  buyer: 'Police & Crime Commissioner for South Wales',
});
const vagueCode = opportunity({
  ocid: 'vague',
  title: 'CPU 4093 Broadmarsh Public Realm Improvements',
  text: 'CPU 4093 Broadmarsh Public Realm Improvements\nBroadmarsh public realm works',
  cpv: ['90900000'],
});

const cleaner = (extra: Partial<Parameters<typeof supplier>[0]> = {}) =>
  supplier({
    id: 'clean',
    cpv: ['90910000', '90911200'],
    description: 'Worker co-operative of commercial cleaners: daily cleaning of schools, colleges and offices',
    keywords: ['cleaning', 'school cleaning'],
    national: true,
    ...extra,
  });

const score = (o: ReturnType<typeof opportunity>, s: ReturnType<typeof supplier>) => {
  const v = scoreMatch(o, s, SETTINGS, NOW);
  if (!v.eligible) throw new Error(`not eligible: ${v.reason}`);
  return v;
};

describe('the fit factor: the notice read against the firm', () => {
  it('finds phrases only as whole words', () => {
    expect(hasPhrase('digital print and design', 'print')).toBe(true);
    expect(hasPhrase('fingerprint matching engine', 'print')).toBe(false);
    expect(hasPhrase('printing services', 'print')).toBe(false);
    expect(hasPhrase('re-roofing works', 'roofing')).toBe(true);
    expect(hasPhrase('cleaning', 'cleaning')).toBe(true);
  });

  it.each([
    [0, false, 0, FIT_FLOOR],
    [1, false, 0, 1],
    [1, true, 0, EXCLUDED_FACTOR],
    [0.5, false, -1, (FIT_FLOOR + (1 - FIT_FLOOR) * 0.5) * 0.4],
    [0, false, 1, Math.min(1, FIT_FLOOR + 0.4)],
    [1, false, 1, 1],
  ])('evidence %s, excluded %s, feedback %s gives %s', (evidence, excluded, feedback, expected) => {
    expect(fitFactor(evidence, excluded, feedback)).toBeCloseTo(expected, 12);
  });

  it('ranks a notice whose text bears the firm out above one that only shares a code, and says why', () => {
    const good = score(schoolCleaning, cleaner());
    const vague = score(vagueCode, cleaner());
    // One keyword phrase ("cleaning") found in it: 0.8 of the way from the floor to 1.
    expect(good.parts.fit).toBeCloseTo(FIT_FLOOR + (1 - FIT_FLOOR) * 0.8, 12);
    expect(vague.parts.fit).toBeCloseTo(FIT_FLOOR, 12);
    expect(good.score).toBeGreaterThan(vague.score);
    expect(vague.reasons.join(' ')).toMatch(/Nothing in the notice's text matches your keywords or description/);
    expect(good.reasons.join(' ')).not.toMatch(/Nothing in the notice's text/);
  });

  it('does not lower a firm that gave no words at all', () => {
    const v = score(vagueCode, cleaner({ description: null, keywords: [] }));
    expect(v.parts.fit).toBe(1);
    expect(v.reasons.join(' ')).not.toMatch(/Nothing in the notice's text/);
  });

  it("lowers notices with the firm's exclusion phrases (cleaning that is really drainage), and says so", () => {
    const plain = score(drainCleaning, cleaner());
    const excluding = score(drainCleaning, cleaner({ excludeWords: ['drainage', 'gully'] }));
    expect(excluding.score).toBeLessThan(plain.score);
    expect(excluding.parts.fit).toBeCloseTo(plain.parts.fit * EXCLUDED_FACTOR, 12);
    expect(excluding.reasons.join(' ')).toMatch(/mentions "drainage", which you asked to leave out/);
    // A school cleaning notice has none of them: untouched.
    expect(score(schoolCleaning, cleaner({ excludeWords: ['drainage', 'gully'] })).score).toBe(score(schoolCleaning, cleaner()).score);
  });
});

describe('feedback: notices like one marked lower or higher', () => {
  const vocab = new Vocabulary();
  it('counts the same CPV group, shared title words and the same buyer', () => {
    const mark = feedbackOf(vehicleCleaning, 'not_for_us', vehicleCleaning.buyer);
    expect(mark.groups).toEqual(['909']);
    expect(mark.words).toEqual(expect.arrayContaining(['vehicle', 'cleaning', 'decontamination']));
    const [compiled] = compileSupplier(cleaner({ feedback: [mark] }), vocab).marks;
    const same = compileOpportunity(vehicleCleaning, NOW, vocab);
    const other = compileOpportunity(schoolCleaning, NOW, vocab);
    expect(likeness(same, compiled)).toBeCloseTo(1, 12);
    // The same group and one shared title word ("cleaning"), another buyer.
    expect(likeness(other, compiled)).toBeCloseTo(0.6, 12);
    expect(feedbackPart(same, [compiled])).toBeCloseTo(-1, 12);
    // The same group and one word is not like enough: marking vehicle cleaning must not lower all cleaning.
    expect(likeness(other, compiled)).toBeLessThan(LIKE_THRESHOLD);
    expect(feedbackPart(other, [compiled])).toBe(0);
  });

  it('a "not for us" lowers a like notice for that firm only, and says so; a "good match" raises it back', () => {
    const another = { ...vehicleCleaning, ocid: 'another', buyer: 'Police & Crime Commissioner for South Wales' };
    const before = score(another, cleaner());
    const mark = feedbackOf(vehicleCleaning, 'not_for_us', vehicleCleaning.buyer);
    const after = score(another, cleaner({ feedback: [mark] }));
    expect(after.score).toBeLessThan(before.score);
    expect(after.reasons.join(' ')).toMatch(/You marked a similar notice .* as not for you: this one is ranked lower/);
    // A notice unlike the marked one (the same group, one shared word, another buyer) keeps its score.
    const unlike = opportunity({ ocid: 'unlike', title: 'Office cleaning', text: 'Office cleaning\nDaily office cleaning of the council house', cpv: ['90919200'], buyer: 'Solihull Council' });
    expect(score(unlike, cleaner({ feedback: [mark] })).score).toBe(score(unlike, cleaner()).score);
    // A good match on a like notice: ranked higher than with no feedback, never above the fit of 1.
    const liked = score(vagueCode, cleaner({ feedback: [feedbackOf(vagueCode, 'good_match', null)] }));
    expect(liked.score).toBeGreaterThan(score(vagueCode, cleaner()).score);
    expect(liked.parts.fit).toBeLessThanOrEqual(1);
    expect(liked.reasons.join(' ')).toMatch(/as a good match: this one is ranked higher/);
  });
});
