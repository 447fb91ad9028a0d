/**
 * `npm run eval:relevance [-- --data DIR --release REV]`: would a firm call its first matches relevant?
 *
 * The hand-judged set (tests/support/fixtures/relevance/: twelve West Midlands firm profiles, each notice judged
 * 2/1/0 by reading it) against every tender notice in the shared data: the profiles are registered, every notice is
 * tagged as ingest tags it (published and inferred codes), opened and given a deadline three weeks ahead, and each
 * firm's notices are ranked by each system. Per profile and overall (the mean over profiles, and over the tuning
 * and test folds apart): precision over the first min(10, R) notices (R = notices judged 1 or 2) and nDCG@10
 * (gain 2^grade − 1, the ideal from every judged notice). A notice nobody judged counts as not relevant, as in
 * TREC pooling.
 *
 * Systems in the same run: this code's matcher; the last release's matcher, run from its git revision
 * (RELEASE_REVISION, or --release); a CPV-prefix alert; BM25 keyword search; the classifier's codes.
 *
 * The second measure, feedback: the firm reads its top ten in the order notices were published and marks each
 * notice it judged 0 "not for us" (and each judged 2 "good match"); with that feedback held, how many of the notices
 * it later judged 0 that the matcher would have shown it were kept out of its top ten.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { feedbackOf, type FeedbackMark } from '../domain/matching/feedback.js';
import { DEFAULT_SETTINGS, type MatchSettings, type SupplierProfile } from '../domain/matching/types.js';
import { scoreMatch } from '../domain/matching/verdict.js';
import { DEFAULT_DATA } from './eval-matching.js';
import { loadRelevanceNotices } from './relevance-notices.js';
import { JUDGMENTS_PATH, PROFILES_PATH, loadRelevanceProfiles, readJudgments, type Judgment, type RelevanceProfile } from './relevance-set.js';
import {
  RELEASE_REVISION,
  classifierRanker,
  cpvPrefixRanker,
  keywordRanker,
  matcherRanker,
  rankableNotice,
  releaseScoreMatch,
  type RankableNotice,
  type Ranked,
  type Ranker,
} from './relevance-systems.js';
import { stringOption, type Command } from './types.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ProfileScores {
  /** Notices judged relevant (1 or 2). */
  relevant: number;
  /** Precision over the first min(10, R). */
  precision: number;
  ndcg10: number;
}

const gain = (g: number) => 2 ** g - 1;

/** P@min(10,R) and nDCG@10 of a ranking against one profile's judgments; unjudged notices count as 0. */
export function scoreRanking(ranking: Array<{ ocid: string }>, judged: Map<string, Judgment>): ProfileScores {
  const grades: number[] = [...judged.values()].map((j) => j.grade);
  const relevant = grades.filter((g) => g > 0).length;
  const k = Math.min(10, relevant);
  const top: number[] = ranking.slice(0, 10).map((r) => judged.get(r.ocid)?.grade ?? 0);
  const precision = k === 0 ? 0 : top.slice(0, k).filter((g) => g > 0).length / k;
  const dcg = top.reduce((s, g, i) => s + gain(g) / Math.log2(i + 2), 0);
  const ideal = grades
    .sort((a, b) => b - a)
    .slice(0, 10)
    .reduce((s, g, i) => s + gain(g) / Math.log2(i + 2), 0);
  return { relevant, precision: round(precision), ndcg10: round(ideal === 0 ? 0 : dcg / ideal) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);

export interface FeedbackScores {
  /** Notices judged 0 the matcher showed in the top ten without feedback, after the firm's first mark. */
  rejectedShown: number;
  /** Of those, kept out of the top ten by the firm's earlier feedback. */
  spared: number;
  /** Relevant notices in the top ten without feedback that feedback pushed out (the cost). */
  relevantLost: number;
}

/**
 * The feedback measure for one firm: notices in publication order; after each one the firm has seen (it was in the
 * top ten of what had been published so far), its judgment becomes a mark. A later notice is then ranked with
 * the marks made before it was published.
 */
export function feedbackReplay(
  profile: SupplierProfile,
  notices: RankableNotice[],
  judged: Map<string, Judgment>,
  settings: MatchSettings,
  now: Date,
): FeedbackScores {
  const ordered = [...notices].sort((a, b) => ((a.publishedAt ?? '') < (b.publishedAt ?? '') ? -1 : (a.publishedAt ?? '') > (b.publishedAt ?? '') ? 1 : a.ocid < b.ocid ? -1 : 1));
  const plainScore = new Map<string, number>();
  for (const n of ordered) {
    const v = scoreMatch(n.opportunity, profile, settings, now);
    if (v.eligible) plainScore.set(n.ocid, v.score);
  }
  // The firm's top ten without feedback, as notices arrive: the tenth best score so far is the bar to be shown.
  const marks: FeedbackMark[] = [];
  const seenScores: number[] = [];
  const withMarks: number[] = [];
  const scores: FeedbackScores = { rejectedShown: 0, spared: 0, relevantLost: 0 };
  for (const n of ordered) {
    const plain = plainScore.get(n.ocid);
    if (plain === undefined) continue;
    const bar = seenScores.length < 10 ? -1 : seenScores[9];
    const shown = plain > bar;
    const grade = judged.get(n.ocid)?.grade ?? 0;
    if (shown && marks.length > 0) {
      const v = scoreMatch(n.opportunity, { ...profile, feedback: marks.slice() }, settings, now);
      const adjusted = v.eligible ? v.score : -1;
      const barWith = withMarks.length < 10 ? -1 : withMarks[9];
      const shownWith = adjusted > barWith;
      if (grade === 0) {
        scores.rejectedShown++;
        if (!shownWith) scores.spared++;
      } else if (!shownWith) scores.relevantLost++;
      insertSorted(withMarks, adjusted);
    } else insertSorted(withMarks, plain);
    insertSorted(seenScores, plain);
    if (shown && (grade === 0 || grade === 2)) marks.push(feedbackOf(n.opportunity, grade === 0 ? 'not_for_us' : 'good_match', n.record.buyer?.name ?? null));
  }
  return scores;
}

function insertSorted(list: number[], x: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1] < x) i--;
  list.splice(i, 0, x);
}

export const evalRelevanceCommand: Command = {
  summary: 'Relevance of the first matches on the hand-judged profiles: P@min(10,R) and nDCG@10 beside baselines',
  usage: 'eval-relevance [--data DIR] [--release REV]',
  flags: { data: { type: 'string' }, release: { type: 'string' } },
  async run(deps, options, io) {
    const dir = stringOption(options, 'data') ?? DEFAULT_DATA;
    if (!existsSync(dir)) throw new Error(`no shared data at ${dir}: it sits beside the project (../shared/data); pass --data DIR`);
    const now = deps.clock.now();
    const settings = DEFAULT_SETTINGS;
    const profiles = loadRelevanceProfiles(PROFILES_PATH);
    const judgments = readJudgments(readFileSync(JUDGMENTS_PATH, 'utf8'));
    io.progress('reading and tagging the shared notices…');
    const notices = loadRelevanceNotices(dir).map((n) => rankableNotice(n.record, now));
    const revision = stringOption(options, 'release') ?? RELEASE_REVISION;
    const release = await releaseScoreMatch(REPO_ROOT, revision);
    try {
      const systems: Record<string, Ranker> = {
        matcher: matcherRanker(notices, scoreMatch, settings, now),
        release: matcherRanker(notices, release.scoreMatch, settings, now),
        cpv_prefix: cpvPrefixRanker(notices),
        keyword: keywordRanker(notices),
        classifier: classifierRanker(notices),
      };
      const perProfile: Record<string, Record<string, ProfileScores & { fold: string }>> = {};
      const rankings = new Map<string, Map<string, Ranked[]>>();
      for (const p of profiles) {
        const judged = judgments.get(p.id) ?? new Map<string, Judgment>();
        perProfile[p.id] = {};
        rankings.set(p.id, new Map());
        for (const [name, rank] of Object.entries(systems)) {
          const ranking = rank(p.supplier);
          rankings.get(p.id)!.set(name, ranking);
          perProfile[p.id][name] = { fold: p.fold, ...scoreRanking(ranking, judged) };
        }
      }
      const overall = (fold?: RelevanceProfile['fold']) =>
        Object.fromEntries(
          Object.keys(systems).map((name) => {
            const rows = profiles.filter((p) => !fold || p.fold === fold).map((p) => perProfile[p.id][name]);
            return [name, { precision: mean(rows.map((r) => r.precision)), ndcg10: mean(rows.map((r) => r.ndcg10)), lowest_precision: Math.min(...rows.map((r) => r.precision)) }];
          }),
        );
      const feedback = Object.fromEntries(profiles.map((p) => [p.id, feedbackReplay(p.supplier, notices, judgments.get(p.id) ?? new Map(), settings, now)]));
      const totals = Object.values(feedback).reduce((a, b) => ({ rejectedShown: a.rejectedShown + b.rejectedShown, spared: a.spared + b.spared, relevantLost: a.relevantLost + b.relevantLost }), { rejectedShown: 0, spared: 0, relevantLost: 0 });

      io.progress(`\n${'profile'.padEnd(16)} fold  R   ${Object.keys(systems).map((s) => `${s} P/nDCG`.padEnd(22)).join('')}`);
      for (const p of profiles) {
        const cells = Object.keys(systems).map((s) => `${perProfile[p.id][s].precision.toFixed(2)} / ${perProfile[p.id][s].ndcg10.toFixed(2)}`.padEnd(22));
        io.progress(`${p.id.padEnd(16)} ${p.fold.padEnd(5)} ${String(perProfile[p.id].matcher.relevant).padEnd(3)} ${cells.join('')}`);
      }
      for (const [label, o] of [['overall', overall()], ['tune fold', overall('tune')], ['test fold', overall('test')]] as const) {
        io.progress(`${label.padEnd(26)} ${Object.keys(systems).map((s) => `${o[s].precision.toFixed(2)} / ${o[s].ndcg10.toFixed(2)}`.padEnd(22)).join('')}`);
      }
      io.progress(`feedback: ${totals.spared} of ${totals.rejectedShown} notices the firms later rejected were kept out of their top ten by earlier feedback; ${totals.relevantLost} relevant notices pushed out`);
      const judgedCount = [...judgments.values()].reduce((s, m) => s + m.size, 0);
      return {
        command: 'eval-relevance',
        notices: notices.length,
        profiles: profiles.length,
        judged: judgedCount,
        release: revision,
        overall: overall(),
        tune: overall('tune'),
        test: overall('test'),
        per_profile: perProfile,
        feedback: { ...totals, spared_share: totals.rejectedShown ? round(totals.spared / totals.rejectedShown) : 0, per_profile: feedback },
        targets: { precision: 0.8, ndcg10: 0.85, lowest_precision: 0.6 },
      };
    } finally {
      release.cleanup();
    }
  },
};
