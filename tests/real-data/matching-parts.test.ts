/**
 * A score is what its parts say it is, on every real notice in ../shared/data/ocds (Contracts Finder 2022, Public
 * Contracts Scotland 2019, Sell2Wales 2025, each tender compiled from all its releases and normalised, then split
 * into what suppliers bid for), against a mix of supplier profiles built from those notices: the documented formula
 * over each eligible result's parts gives its score, and results with and without reasons agree
 * (tests/support/matching-parts.ts). tests/domain/matching-parts.test.ts runs the same check on fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opportunitiesOf } from '../../src/domain/matching/opportunity.js';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import type { Release } from '../../src/domain/ocds/types.js';
import { SHARED_DATA } from '../support/helpers.js';
import { supplierMix } from '../support/matching-fixtures.js';
import { checkScoreParts, type PartsCase } from '../support/matching-parts.js';

const FILES = ['contracts-finder/releases-2022.jsonl', 'public-contracts-scotland/releases-2019.jsonl', 'sell2wales/releases-2025.jsonl'].map((f) => join(SHARED_DATA, 'ocds', f));
const present = FILES.every((f) => existsSync(f));
if (!present) console.warn(`real-data score-parts suite skipped: ${join(SHARED_DATA, 'ocds')} is absent (it sits beside the project checkout in CI)`);

function realCases(): PartsCase[] {
  const byOcid = new Map<string, Release[]>();
  for (const file of FILES) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const release = JSON.parse(line) as Release & { ocid: string };
      byOcid.set(release.ocid, [...(byOcid.get(release.ocid) ?? []), release]);
    }
  }
  const cases: PartsCase[] = [];
  for (const releases of byOcid.values()) {
    const record = normalise(compileReleases(releases));
    for (const o of opportunitiesOf(record)) {
      // Bids closing in under a day, in 4, 9 or 20 days, in turn (every time part); at publication without a deadline.
      const due = o.deadline ? Date.parse(o.deadline) : NaN;
      const now = Number.isFinite(due) ? due - [0.2, 4, 9, 20][cases.length % 4] * 86_400_000 : Date.parse(record.publishedAt ?? '2022-06-01');
      cases.push({ opportunity: o, now: new Date(now) });
    }
  }
  return cases;
}

describe.skipIf(!present)('the parts of a score add up to it on every real notice (skipped: ../shared/data is not beside the project)', () => {
  it('for every eligible pair of real notice and supplier, with and without reasons, alone and in the index', () => {
    const cases = realCases();
    const profiles = supplierMix(
      cases.map((c) => c.opportunity),
      6,
    );
    const report = checkScoreParts(cases, profiles, { localWeight: 0.25, highPotentialBoost: 0.05 });
    expect(report.failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(700);
    expect(report.eligible).toBeGreaterThan(10_000);
    for (const rule of ['closed', 'capability', 'place', 'capacity', 'reserved']) expect(report.rules[rule] ?? 0).toBeGreaterThan(0);
    for (const part of ['cpv', 'text', 'track', 'place', 'size', 'suitability', 'time'] as const) expect(report.distinct[part]).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
