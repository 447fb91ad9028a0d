/**
 * The rankers the relevance evaluation compares, each giving one firm's notices best first: the matcher (this
 * code's kernel, and the last release's, run from its git revision), a CPV-prefix alert (what most portals send),
 * plain keyword search (BM25) and the classifier's codes. All but the release's are also what the judged set was
 * pooled from (tests/support/fixtures/relevance/README.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpvSignificant } from '../domain/cpv/index.js';
import { cpvRelation } from '../domain/matching/closeness.js';
import { wholeTenderOpportunity } from '../domain/matching/opportunity.js';
import type { MatchSettings, Opportunity, SupplierProfile, Verdict } from '../domain/matching/types.js';
import type { TenderRecord } from '../domain/ocds/types.js';
import { tagTender } from '../domain/tagging/index.js';
import { classifyNotice } from '../domain/tagging/classifier.js';
import { words as taggingWords } from '../domain/tagging/text.js';

/** A notice ready to rank: its opportunity as the matcher sees it (open, deadline ahead) and its text. */
export interface RankableNotice {
  ocid: string;
  record: TenderRecord;
  opportunity: Opportunity;
  /** Title, description and lots: what keyword search and the classifier read. */
  text: string;
  publishedAt: string | null;
}

export interface Ranked {
  ocid: string;
  score: number;
  reasons?: string[];
}

export type Ranker = (profile: SupplierProfile) => Ranked[];

const DAY_MS = 86_400_000;

/**
 * The notice as the store would match it after ingest and tagging: the tagger's published and inferred codes and
 * delivery places, with the status made active and the deadline moved `daysAhead` days past `now` (the shared
 * notices closed long ago; the evaluation judges fit, not timing). One unit per notice: the whole tender.
 */
export function rankableNotice(record: TenderRecord, now: Date, daysAhead = 21): RankableNotice {
  const tags = tagTender(record);
  const opp = wholeTenderOpportunity(record, {
    places: tags.places.filter((p) => p.role === 'delivery').map((p) => ({ lotId: p.lotId, code: p.code, national: p.national })),
    cpv: tags.cpv.map((c) => ({ lotId: c.lotId, code: c.code })),
  });
  const deadline = new Date(now.getTime() + daysAhead * DAY_MS).toISOString();
  return {
    ocid: record.ocid,
    record,
    opportunity: { ...opp, status: 'active', deadline },
    text: opp.text,
    publishedAt: record.publishedAt,
  };
}

const byScore = (a: Ranked, b: Ranked) => b.score - a.score || (a.ocid < b.ocid ? -1 : a.ocid > b.ocid ? 1 : 0);

/** A matcher's ranking: every notice the firm is eligible for, best score first (ties by ocid). */
export function matcherRanker(
  notices: RankableNotice[],
  scoreMatch: (o: Opportunity, s: SupplierProfile, settings: MatchSettings, now: Date) => Verdict,
  settings: MatchSettings,
  now: Date,
): Ranker {
  return (profile) => {
    const out: Ranked[] = [];
    for (const n of notices) {
      const v = scoreMatch(n.opportunity, profile, settings, now);
      if (v.eligible) out.push({ ocid: n.ocid, score: v.score, reasons: v.reasons });
    }
    return out.sort(byScore);
  };
}

/**
 * The CPV-prefix alert: a notice is sent when one of its published codes falls under one of the firm's codes or
 * shares its CPV group (three digits); deeper shared digits rank first. Published codes only, as portals do.
 */
export function cpvPrefixRanker(notices: RankableNotice[]): Ranker {
  return (profile) => {
    const own = profile.cpv.map(cpvSignificant);
    const out: Ranked[] = [];
    for (const n of notices) {
      let best = 0;
      for (const code of n.record.cpv) {
        const digits = code.slice(0, 8);
        for (const s of own) {
          let d = 0;
          while (d < s.length && d < digits.length && s[d] === digits[d]) d++;
          const score = d === s.length ? 10 + d : d >= 3 ? d : 0;
          if (score > best) best = score;
        }
      }
      if (best > 0) out.push({ ocid: n.ocid, score: best });
    }
    return out.sort(byScore);
  };
}

/** Plain keyword search: Okapi BM25 (k1 1.2, b 0.75) of the firm's keywords and description over title, description and lots. */
export function keywordRanker(notices: RankableNotice[]): Ranker {
  const docs = notices.map((n) => {
    const tf = new Map<string, number>();
    const ws = tokens(n.text);
    for (const w of ws) tf.set(w, (tf.get(w) ?? 0) + 1);
    return { ocid: n.ocid, tf, len: ws.length };
  });
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d.tf.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const avg = docs.reduce((s, d) => s + d.len, 0) / Math.max(1, docs.length);
  const N = docs.length;
  return (profile) => {
    const query = [...new Set(tokens([profile.description ?? '', ...profile.keywords].join(' ')))];
    const out: Ranked[] = [];
    for (const d of docs) {
      let score = 0;
      for (const q of query) {
        const f = d.tf.get(q);
        if (!f) continue;
        const idf = Math.log(1 + (N - df.get(q)! + 0.5) / (df.get(q)! + 0.5));
        score += (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * d.len) / avg));
      }
      if (score > 0) out.push({ ocid: d.ocid, score });
    }
    return out.sort(byScore);
  };
}

function tokens(text: string): string[] {
  // The classifier's words keep repeats out; BM25 needs counts, so split each sentence's words again.
  const out: string[] = [];
  for (const part of text.split(/[.\n;]+/)) out.push(...taggingWords(part));
  return out;
}

/** The classifier as a ranker: confidence of each inferred code times how closely it answers the firm's codes. */
export function classifierRanker(notices: RankableNotice[]): Ranker {
  const predictions = notices.map((n) => ({ ocid: n.ocid, codes: classifyNotice(n.record.title ?? '', n.text, 10).codes }));
  return (profile) => {
    const own = profile.cpv.map(cpvSignificant);
    const out: Ranked[] = [];
    for (const p of predictions) {
      let score = 0;
      for (const c of p.codes) {
        const sig = cpvSignificant(c.code);
        let r = 0;
        for (const s of own) r = Math.max(r, cpvRelation(sig, s));
        if (r >= 0.2) score += c.confidence * r;
      }
      if (score > 0.05) out.push({ ocid: p.ocid, score });
    }
    return out.sort(byScore);
  };
}

/** The matcher of the last release, whose ranking the evaluation reports beside this code's. */
export const RELEASE_REVISION = '48fd9ef';

/**
 * The scoring call of a git revision of this project: its `src/` is extracted from git into a temporary folder
 * and its verdict module imported (the running tsx compiles it), so the release is measured exactly as it was,
 * not from a hand-kept copy. Needs git and the revision in this clone.
 */
export async function releaseScoreMatch(repoRoot: string, revision: string): Promise<{ scoreMatch: (o: Opportunity, s: SupplierProfile, st: MatchSettings, now: Date) => Verdict; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-release-'));
  const tar = execFileSync('git', ['-C', repoRoot, 'archive', '--format=tar', revision, 'src'], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const mod = (await import(pathToFileURL(join(dir, 'src/domain/matching/verdict.ts')).href)) as {
    scoreMatch: (o: Opportunity, s: SupplierProfile, st: MatchSettings, now: Date) => Verdict;
  };
  return { scoreMatch: mod.scoreMatch, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
