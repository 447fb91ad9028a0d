/**
 * The judged relevance set (tests/support/fixtures/relevance/): the firms' profiles and the judgments, one line
 * each, `profile<TAB>ocid<TAB>grade<TAB>reason`, grade 2 = clearly relevant, 1 = plausibly, 0 = not; every
 * positive has its one-line reason. Lines starting with `#` are comments.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SupplierKind, SupplierProfile } from '../domain/matching/types.js';

export const RELEVANCE_DIR = fileURLToPath(new URL('../../tests/support/fixtures/relevance/', import.meta.url));
export const PROFILES_PATH = `${RELEVANCE_DIR}profiles.json`;
export const JUDGMENTS_PATH = `${RELEVANCE_DIR}judgments.tsv`;

export interface RelevanceProfile {
  id: string;
  /** 'tune': settings may be chosen on it; 'test': only reported. */
  fold: 'tune' | 'test';
  supplier: SupplierProfile;
}

interface ProfileFile {
  profiles: Array<{ id: string; fold: 'tune' | 'test'; name: string; kind: SupplierKind; homeRegion: string; cpv: string[]; description: string; keywords: string[]; exclude: string[] }>;
}

/**
 * The profiles as the matcher reads them. Judging is of trade, not of place (README of the set): each firm is
 * registered as serving the whole UK and with no stated capacity, so that no place or size gate hides a notice.
 */
export function loadRelevanceProfiles(path = PROFILES_PATH): RelevanceProfile[] {
  const file = JSON.parse(readFileSync(path, 'utf8')) as ProfileFile;
  return file.profiles.map((p) => ({
    id: p.id,
    fold: p.fold,
    supplier: {
      id: p.id,
      name: p.name,
      kind: p.kind,
      homeRegion: p.homeRegion,
      serves: [],
      national: true,
      cpv: p.cpv,
      description: p.description,
      keywords: p.keywords,
      excludeWords: p.exclude,
      maxContractValue: null,
      highPotential: false,
    },
  }));
}

export interface Judgment {
  grade: 0 | 1 | 2;
  reason: string;
}

/** Judgments by profile, then ocid. A malformed line is refused with its number: the set is hand-written. */
export function readJudgments(text: string): Map<string, Map<string, Judgment>> {
  const out = new Map<string, Map<string, Judgment>>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const [profile, ocid, grade, reason = ''] = line.split('\t');
    if (!profile || !ocid || !['0', '1', '2'].includes(grade)) throw new Error(`judgments line ${i + 1}: expected profile<TAB>ocid<TAB>0|1|2<TAB>reason`);
    if (grade !== '0' && !reason.trim()) throw new Error(`judgments line ${i + 1}: a positive judgment needs its reason`);
    const byOcid = out.get(profile) ?? new Map<string, Judgment>();
    byOcid.set(ocid, { grade: Number(grade) as 0 | 1 | 2, reason: reason.trim() });
    out.set(profile, byOcid);
  });
  return out;
}
