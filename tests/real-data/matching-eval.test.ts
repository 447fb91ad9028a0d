import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, expectedRank, loadSharedTenders } from '../../src/commands/eval-matching.js';
import { SHARED_DATA } from '../support/helpers.js';

describe('expected rank under ties', () => {
  it.each([
    // scores, winners, hit@1, hit@5, mrr
    [{ a: 3, b: 2, c: 1 }, ['a'], 1, 1, 1],
    [{ a: 3, b: 2, c: 1 }, ['c'], 0, 1, 1 / 3],
    [{ a: 1, b: 1 }, ['a'], 0.5, 1, 0.75],
    [{ a: 1, b: 1, c: 1, d: 1 }, ['a', 'b'], 0.5, 1, (1 / 2) * 1 + (1 / 3) * (1 / 2) + (1 / 6) * (1 / 3)],
    [{ a: 1 }, ['zz'], 0, 0, 0],
  ])('%o winners %o', (scores, winners, hit1, hit5, mrr) => {
    const m = expectedRank(new Map(Object.entries(scores)), winners);
    expect(m.hit1).toBeCloseTo(hit1);
    expect(m.hit5).toBeCloseTo(hit5);
    expect(m.mrr).toBeCloseTo(mrr);
  });
});

describe.skipIf(!existsSync(join(SHARED_DATA, 'ocds')))('eval:matching on the real awards (skipped: ../shared/data is not beside the project)', () => {
  it('ranks later real winners above the named baselines on hit@10 and MRR (rolling cut-off)', () => {
    const r = evaluate(loadSharedTenders(SHARED_DATA), '2020-01-01', { localWeight: 0.25, highPotentialBoost: 0.05 }, true);
    expect(r.evaluable).toBeGreaterThan(4);
    const m = r.methods.matcher;
    for (const name of ['random', 'most frequent winner', 'CPV exact, back-off']) {
      expect(m.hit10).toBeGreaterThanOrEqual(r.methods[name].hit10);
      expect(m.mrr).toBeGreaterThan(r.methods[name].mrr);
    }
  });
});

describe.skipIf(!existsSync(join(SHARED_DATA, 'awards')))('eval:matching on a temporal split of real UK awards (skipped: ../shared/data is not beside the project)', () => {
  it('ranks at least 500 later awards, and the matcher beats random, most frequent winner and CPV back-off', async () => {
    const { evaluateAwardSplit, loadRealAwards } = await import('../../src/commands/eval-matching-awards.js');
    const awards = loadRealAwards(SHARED_DATA);
    const r = evaluateAwardSplit(awards, { localWeight: 0.25, highPotentialBoost: 0.05 });
    expect(r.testAwards).toBeGreaterThanOrEqual(500);
    expect(r.trainAwards).toBeGreaterThan(100);
    // Profiles come only from awards before the cut-off.
    expect(awards.filter((a) => a.date < r.cutoff)).toHaveLength(r.trainAwards);
    expect(r.knownWinner).toBeGreaterThan(50);
    for (const table of [r.all, r.known]) {
      for (const base of ['random', 'most frequent winner', 'CPV back-off']) {
        expect(table.matcher.mrr).toBeGreaterThan(table[base].mrr);
        expect(table.matcher.hit10).toBeGreaterThanOrEqual(table[base].hit10);
      }
    }
  }, 120_000);
});
