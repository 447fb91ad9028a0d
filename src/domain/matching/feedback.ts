/**
 * A firm's "not for us" and "good match" marks on notices, and how much a new notice is like a marked one: the
 * same CPV group (three digits), the same words in the title, the same buyer. The scoring kernel lowers a notice
 * like one marked "not for us" and raises one like a "good match" (fitFactor in score.ts); reasons.ts says so.
 */
import { cpvSignificant } from '../cpv/index.js';
import type { CompiledOpportunity } from './compiled.js';
import { words, type Vocabulary } from './text.js';
import type { CompiledMark, FeedbackMark, FeedbackVerdict, Opportunity } from './types.js';

export type { CompiledMark, FeedbackMark, FeedbackVerdict };

const MARK_WORDS = 12;

export function foldBuyer(name: string | null | undefined): string | null {
  const folded = (name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return folded || null;
}

/** The mark a firm makes on a tender or lot. */
export function feedbackOf(opportunity: Opportunity, verdict: FeedbackVerdict, buyer: string | null | undefined): FeedbackMark {
  const groups = [...new Set(opportunity.cpv.map((c) => cpvSignificant(c).slice(0, 3)).filter((g) => g.length === 3))];
  return { verdict, groups, words: words(opportunity.lotTitle ?? opportunity.title).slice(0, MARK_WORDS), buyer: foldBuyer(buyer ?? opportunity.buyer) };
}

export function compileMarks(marks: readonly FeedbackMark[], vocab: Vocabulary): CompiledMark[] {
  return marks.map((m) => ({ sign: m.verdict === 'good_match' ? 1 : -1, groups: m.groups, wordIds: m.words.map((w) => vocab.id(w)), buyer: m.buyer }));
}

/**
 * Likeness at or above which a marked notice counts as like this one: the same CPV group and two shared title
 * words, or the same group and the same buyer. The group with one word is not enough: marking a vehicle cleaning
 * notice "not for us" must not lower every cleaning notice for a cleaning firm.
 */
export const LIKE_THRESHOLD = 0.7;

/** How much a notice is like a marked one, 0..1: same CPV group 0.5, shared title words 0.1 each up to 0.3, same buyer 0.2. */
export function likeness(co: CompiledOpportunity, mark: CompiledMark): number {
  let group = false;
  for (const s of co.sig) {
    if (s.length >= 3 && mark.groups.includes(s.slice(0, 3))) {
      group = true;
      break;
    }
  }
  let shared = 0;
  const set = co.tokenSet;
  for (const id of mark.wordIds) if (id < set.length && set[id] === 1) shared++;
  const sameBuyer = mark.buyer !== null && co.buyer !== null && mark.buyer === co.buyer;
  return (group ? 0.5 : 0) + Math.min(0.3, 0.1 * shared) + (sameBuyer ? 0.2 : 0);
}

/**
 * The feedback part, -1..1: the likeness of the most similar "good match" minus that of the most similar "not for
 * us", each counted only at LIKE_THRESHOLD or above. `which` gets the verdict that decided it (for the reasons).
 */
export function feedbackPart(co: CompiledOpportunity, marks: readonly CompiledMark[]): number {
  let up = 0;
  let down = 0;
  for (const m of marks) {
    const l = likeness(co, m);
    if (l < LIKE_THRESHOLD) continue;
    if (m.sign > 0) up = Math.max(up, l);
    else down = Math.max(down, l);
  }
  return up - down;
}
