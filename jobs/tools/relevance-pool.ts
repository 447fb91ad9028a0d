/**
 * Builds the judging pool of the relevance set (how it was made: tests/support/fixtures/relevance/README.md): for
 * each profile, the union of the top `--depth` notices of the matcher, the CPV-prefix alert, keyword search and
 * the classifier, every notice whose title holds one of the firm's keyword phrases, plus a seeded random sample of `--sample` notices, minus what is already judged. Prints each
 * pooled notice's title, buyer and text for a person to read and judge; it never judges.
 *
 *   npx tsx jobs/tools/relevance-pool.ts [--depth 15] [--sample 25] [--profile rel-cleaning] > pool.txt
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA } from '../../src/commands/eval-matching.js';
import { loadRelevanceNotices } from '../../src/commands/relevance-notices.js';
import { classifierRanker, cpvPrefixRanker, keywordRanker, matcherRanker, rankableNotice } from '../../src/commands/relevance-systems.js';
import { JUDGMENTS_PATH, PROFILES_PATH, loadRelevanceProfiles, readJudgments } from '../../src/commands/relevance-set.js';
import { scoreMatch } from '../../src/domain/matching/verdict.js';
import { DEFAULT_SETTINGS } from '../../src/domain/matching/types.js';
import { prng } from './seeded-random.js';

const { values } = parseArgs({ options: { depth: { type: 'string' }, sample: { type: 'string' }, profile: { type: 'string' }, data: { type: 'string' } } });
const depth = Number(values.depth ?? 15);
const sampleSize = Number(values.sample ?? 25);
const now = new Date('2026-12-08T00:00:00Z');
const notices = loadRelevanceNotices(values.data ?? DEFAULT_DATA).map((n) => rankableNotice(n.record, now));
const profiles = loadRelevanceProfiles(PROFILES_PATH).filter((p) => !values.profile || p.id === values.profile);
const judged = existsSync(JUDGMENTS_PATH) ? readJudgments(readFileSync(JUDGMENTS_PATH, 'utf8')) : new Map();
const systems = {
  matcher: matcherRanker(notices, scoreMatch, DEFAULT_SETTINGS, now),
  cpv: cpvPrefixRanker(notices),
  keyword: keywordRanker(notices),
  classifier: classifierRanker(notices),
};
const byOcid = new Map(notices.map((n) => [n.ocid, n]));
for (const p of profiles) {
  const pooled = new Map<string, string[]>();
  for (const [name, rank] of Object.entries(systems)) {
    for (const r of rank(p.supplier).slice(0, depth)) pooled.set(r.ocid, [...(pooled.get(r.ocid) ?? []), name]);
  }
  // A person's own search: every notice whose title holds one of the firm's keyword phrases, at any depth.
  for (const n of notices) {
    const title = (n.record.title ?? '').toLowerCase();
    if (p.supplier.keywords.some((k) => k.length >= 4 && title.includes(k.toLowerCase()))) pooled.set(n.ocid, [...(pooled.get(n.ocid) ?? []), 'title']);
  }
  const random = prng([...p.id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
  const ocids = notices.map((n) => n.ocid);
  for (let k = 0; k < sampleSize; k++) {
    const o = ocids[Math.floor(random() * ocids.length)];
    pooled.set(o, [...(pooled.get(o) ?? []), 'random']);
  }
  const done = judged.get(p.id) ?? new Map();
  console.log(`\n## ${p.id}: ${p.supplier.name}: ${p.supplier.description}`);
  for (const [ocid, from] of pooled) {
    if (done.has(ocid)) continue;
    const n = byOcid.get(ocid)!;
    const text = n.text.replace(/\s+/g, ' ').slice((n.record.title ?? '').length, 330);
    console.log(`${ocid} [${from.join(',')}] ${n.record.title} | ${n.record.buyer?.name ?? ''} |${text}`);
  }
}
