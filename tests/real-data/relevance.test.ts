import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { feedbackReplay, scoreRanking } from '../../src/commands/eval-relevance.js';
import { loadRelevanceNotices } from '../../src/commands/relevance-notices.js';
import { JUDGMENTS_PATH, loadRelevanceProfiles, readJudgments, type Judgment } from '../../src/commands/relevance-set.js';
import { cpvPrefixRanker, keywordRanker, matcherRanker, rankableNotice } from '../../src/commands/relevance-systems.js';
import { DEFAULT_SETTINGS } from '../../src/domain/matching/types.js';
import { scoreMatch } from '../../src/domain/matching/verdict.js';
import { SHARED_DATA } from '../support/helpers.js';

const judged = (grades: Record<string, 0 | 1 | 2>) => new Map<string, Judgment>(Object.entries(grades).map(([o, g]) => [o, { grade: g, reason: g ? 'fits' : '' }]));
const ranking = (...ocids: string[]) => ocids.map((ocid) => ({ ocid }));

describe('relevance measures', () => {
  it.each([
    // ranking, judgments, P@min(10,R), nDCG@10
    [ranking('a', 'b', 'c'), { a: 2, b: 1, c: 0 }, 1, 1],
    [ranking('c', 'a', 'b'), { a: 2, b: 1, c: 0 }, 0.5, (3 / Math.log2(3) + 1 / 2) / (3 + 1 / Math.log2(3))],
    [ranking('x', 'y'), { a: 2 }, 0, 0],
    // Unjudged notices count as not relevant; R = 12 caps the precision depth at 10.
    [ranking(...'abcdefghij'.split('')), Object.fromEntries('abcdefghijkl'.split('').map((o) => [o, 1])) as Record<string, 1>, 1, 1],
    [ranking('a', 'q', 'b'), { a: 1, b: 1 }, 0.5, (1 + 1 / 2) / (1 + 1 / Math.log2(3))],
  ])('%j against %j', (r, grades, precision, ndcg) => {
    const s = scoreRanking(r, judged(grades as Record<string, 0 | 1 | 2>));
    expect(s.precision).toBeCloseTo(precision, 3);
    expect(s.ndcg10).toBeCloseTo(ndcg, 3);
  });

  it('refuses a judgment line without its reason or grade', () => {
    expect(() => readJudgments('p\tocds-1\t2\t')).toThrow(/needs its reason/);
    expect(() => readJudgments('p\tocds-1\t3\tgood')).toThrow(/line 1/);
    expect(readJudgments('# comment\np\tocds-1\t0\t\np\tocds-2\t2\tschool cleaning').get('p')?.get('ocds-2')).toEqual({ grade: 2, reason: 'school cleaning' });
  });
});

describe.skipIf(!existsSync(join(SHARED_DATA, 'ocds')))('relevance on the hand-judged profiles (skipped: ../shared/data is not beside the project)', () => {
  const now = new Date('2026-12-08T00:00:00Z');
  const notices = existsSync(join(SHARED_DATA, 'ocds')) ? loadRelevanceNotices(SHARED_DATA).map((n) => rankableNotice(n.record, now)) : [];
  const profiles = loadRelevanceProfiles();
  const judgments = readJudgments(readFileSync(JUDGMENTS_PATH, 'utf8'));

  it('judges every profile against notices that exist, each positive with its reason', () => {
    const ocids = new Set(notices.map((n) => n.ocid));
    expect(notices.length).toBeGreaterThan(1300);
    expect(profiles.length).toBeGreaterThanOrEqual(10);
    for (const p of profiles) {
      const j = judgments.get(p.id)!;
      expect(j.size).toBeGreaterThan(30);
      expect([...j.values()].filter((x) => x.grade > 0).length).toBeGreaterThanOrEqual(10);
      for (const ocid of j.keys()) expect(ocids.has(ocid)).toBe(true);
    }
  });

  it('meets the targets (P@min(10,R) 0.80, nDCG@10 0.85, no profile under 0.6) and beats the CPV-prefix alert and keyword search', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const systems = { matcher: matcherRanker(notices, scoreMatch, DEFAULT_SETTINGS, now), cpv: cpvPrefixRanker(notices), keyword: keywordRanker(notices) };
    const scores = Object.fromEntries(Object.entries(systems).map(([name, rank]) => [name, profiles.map((p) => scoreRanking(rank(p.supplier), judgments.get(p.id)!))]));
    const m = scores.matcher;
    expect(mean(m.map((s) => s.precision))).toBeGreaterThanOrEqual(0.8);
    expect(mean(m.map((s) => s.ndcg10))).toBeGreaterThanOrEqual(0.85);
    expect(Math.min(...m.map((s) => s.precision))).toBeGreaterThanOrEqual(0.6);
    for (const base of ['cpv', 'keyword']) expect(mean(m.map((s) => s.ndcg10))).toBeGreaterThan(mean(scores[base].map((s) => s.ndcg10)));
  }, 120_000);

  it('feedback spares a firm some notices it later rejects', () => {
    const p = profiles.find((x) => x.id === 'rel-print')!;
    const r = feedbackReplay(p.supplier, notices, judgments.get(p.id)!, DEFAULT_SETTINGS, now);
    expect(r.rejectedShown).toBeGreaterThan(5);
    expect(r.spared).toBeGreaterThan(0);
  }, 60_000);
});
