/**
 * The same procurement published twice — on Find a Tender and again on Contracts Finder, or republished under a
 * new ocid — is one opportunity. Pure: two notices in, whether they are twins (and why) out.
 *
 * How twins are recognised:
 * - found by one of three keys, which the store indexes: the buyer's name made plain (`buyerKey`), the title made
 *   plain (`titleKey`), or the buyer's postcode;
 * - then the pair must be the same buyer (the same plain name, identifier or postcode, or names sharing most of their
 *   words), published within 60 days of each other, with titles sharing at least 80% of their words (50% when they
 *   carry the same buyer's reference);
 * - and nothing may disagree: both values given and more than 5% apart, both deadlines given and more than a day
 *   apart, or numbers in each title that the other lacks ("project 10043709" and "project 10044059", "Lot 2" and
 *   "Lot 3") mean two procurements (next year's repeat, a second lot tendered alone), unless the buyer's reference
 *   is the same;
 * - and something beyond buyer and title must agree: the same deadline, the same value, the same buyer's reference
 *   (`tender.id`, if it is more than a bare number), or an identical title and CPV division published within 7 days.
 * Buyers often publish several call-offs or bus contracts with near-identical titles on one day: those differ in
 * value, deadline or reference, so the rule keeps them apart. Measured with `npm run cli -- eval-twins`.
 */

export interface TwinCandidate {
  ocid: string;
  title: string | null;
  buyerName: string | null;
  buyerIdentifier: string | null;
  buyerPostcode: string | null;
  /** The buyer's own reference for the procurement (`tender.id`). */
  reference: string | null;
  publishedAt: string | null;
  deadline: string | null;
  value: number | null;
  cpv: string[];
}

export interface TwinVerdict {
  twins: boolean;
  /** 0..1, for ordering: how much agrees. */
  score: number;
  /** What agrees (or, when not twins, what tells them apart), in words. */
  reasons: string[];
}

const STOP = new Set(['the', 'a', 'an', 'of', 'for', 'and', 'to', 'in', 'on', 'at', 'by', 'with', 'ltd', 'limited', 'plc', 'llp']);

const wordCache = new Map<string, string[]>();

function plainWords(text: string | null): string[] {
  if (!text) return [];
  const cached = wordCache.get(text);
  if (cached) return cached;
  if (wordCache.size > 20_000) wordCache.clear();
  const words = text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP.has(w));
  wordCache.set(text, words);
  return words;
}

/** A buyer's name made plain: "THE FINANCIAL CONDUCT AUTHORITY" and "Financial Conduct Authority" are one key. */
export function buyerKey(name: string | null): string | null {
  const words = plainWords(name);
  return words.length ? words.join(' ') : null;
}

/** A title made plain: case, punctuation and small words aside. */
export function titleKey(title: string | null): string | null {
  const words = plainWords(title);
  return words.length ? words.join(' ') : null;
}

function overlap(a: string[], b: string[]): number {
  const x = new Set(a);
  const y = new Set(b);
  if (!x.size || !y.size) return 0;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / Math.max(x.size, y.size);
}

const DAY = 86_400_000;
const days = (a: string | null, b: string | null) => {
  const x = a ? Date.parse(a) : NaN;
  const y = b ? Date.parse(b) : NaN;
  return Number.isNaN(x) || Number.isNaN(y) ? null : Math.abs(x - y) / DAY;
};
/** A reference that names one procurement: not a bare number or a word every notice has. */
const meaningfulReference = (r: string | null): r is string => !!r && r.trim().length >= 4 && !/^\d{1,4}$/.test(r.trim());
const plainReference = (r: string) => r.toLowerCase().replace(/[^a-z0-9]+/g, '');

export function sameProcurement(a: TwinCandidate, b: TwinCandidate): TwinVerdict {
  const reasons: string[] = [];
  if (a.ocid === b.ocid) return { twins: false, score: 0, reasons: ['the same notice'] };
  const buyerA = buyerKey(a.buyerName);
  const buyerB = buyerKey(b.buyerName);
  const sameBuyer =
    (!!buyerA && buyerA === buyerB) ||
    (!!a.buyerIdentifier && a.buyerIdentifier === b.buyerIdentifier) ||
    (!!a.buyerPostcode && a.buyerPostcode === b.buyerPostcode && overlap(plainWords(a.buyerName), plainWords(b.buyerName)) >= 0.5) ||
    overlap(plainWords(a.buyerName), plainWords(b.buyerName)) >= 0.75;
  if (!sameBuyer) return { twins: false, score: 0, reasons: ['other buyers'] };
  reasons.push('same buyer');
  const sameReference = meaningfulReference(a.reference) && meaningfulReference(b.reference) && plainReference(a.reference) === plainReference(b.reference);
  const titles = overlap(plainWords(a.title), plainWords(b.title));
  // The buyer's own reference carries a title reworded for the other portal, down to half its words.
  if (titles < (sameReference ? 0.5 : 0.8)) return { twins: false, score: titles / 2, reasons: [...reasons, 'other titles'] };
  reasons.push(titles === 1 ? 'same title' : 'nearly the same title');
  const published = days(a.publishedAt, b.publishedAt);
  if (published !== null && published > 60) return { twins: false, score: 0.4, reasons: [...reasons, `published ${Math.round(published)} days apart`] };

  const deadlineGap = days(a.deadline, b.deadline);
  const valueGap = a.value !== null && b.value !== null && Math.max(a.value, b.value) > 0 ? Math.abs(a.value - b.value) / Math.max(a.value, b.value) : null;
  // "ITT for project 10043709" and "ITT for project 10044059", "Lot 2" and "Lot 3": numbers each title has and the
  // other lacks name other procurements.
  const numbers = (t: string | null) => new Set(plainWords(t).filter((w) => /\d/.test(w)));
  const numbersA = numbers(a.title);
  const numbersB = numbers(b.title);
  if (!sameReference && [...numbersA].some((n) => !numbersB.has(n)) && [...numbersB].some((n) => !numbersA.has(n))) {
    return { twins: false, score: 0.5, reasons: [...reasons, 'other numbers in the titles'] };
  }
  if (!sameReference && deadlineGap !== null && deadlineGap > 1) return { twins: false, score: 0.5, reasons: [...reasons, 'other deadlines'] };
  if (!sameReference && valueGap !== null && valueGap > 0.05) return { twins: false, score: 0.5, reasons: [...reasons, 'other values'] };

  const supports: string[] = [];
  if (sameReference) supports.push(`same reference ${a.reference!.trim()}`);
  if (deadlineGap !== null && deadlineGap <= 1) supports.push(`same deadline (${a.deadline!.slice(0, 10)})`);
  if (valueGap !== null && valueGap <= 0.05) supports.push(`same value (£${Math.round(a.value!).toLocaleString('en-GB')})`);
  const division = (codes: string[]) => new Set(codes.map((c) => c.slice(0, 2)));
  const sharedDivision = [...division(a.cpv)].some((d) => division(b.cpv).has(d));
  if (!supports.length && titles === 1 && sharedDivision && published !== null && published <= 7) supports.push('same kind of work, published within a week');
  if (!supports.length) return { twins: false, score: 0.6, reasons: [...reasons, 'nothing else to tell them one'] };
  const score = Math.min(1, 0.5 + 0.2 * supports.length + (titles === 1 ? 0.1 : 0));
  return { twins: true, score: Math.round(score * 100) / 100, reasons: [...reasons, ...supports] };
}

/**
 * Of a set of twins, the one that stands for them all (matched and alerted): the first published, then the
 * smallest ocid, so that every instance chooses the same one.
 */
export function standsFor(group: Array<Pick<TwinCandidate, 'ocid' | 'publishedAt'>>): string {
  const order = (t: Pick<TwinCandidate, 'publishedAt'>) => (t.publishedAt && !Number.isNaN(Date.parse(t.publishedAt)) ? Date.parse(t.publishedAt) : Infinity);
  return [...group].sort((x, y) => order(x) - order(y) || (x.ocid < y.ocid ? -1 : 1))[0].ocid;
}
