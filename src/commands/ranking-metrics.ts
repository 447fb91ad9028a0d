/** Hit rates and reciprocal rank of real winners in a ranking, shared by the matching evaluations. */

export interface Metrics {
  hit1: number;
  hit5: number;
  hit10: number;
  mrr: number;
}

/**
 * Expected hit@k and reciprocal rank of the best-placed winner when equal scores are ordered at random.
 * `scores` holds every candidate's score; ties with the winner share positions.
 */
export function expectedRank(scores: Map<string, number>, winners: string[]): Metrics {
  const present = winners.filter((w) => scores.has(w));
  if (!present.length) return { hit1: 0, hit5: 0, hit10: 0, mrr: 0 };
  const best = Math.max(...present.map((w) => scores.get(w)!));
  let above = 0;
  let tied = 0;
  for (const [id, s] of scores) {
    if (s > best) above++;
    else if (s === best && !present.includes(id)) tied++;
  }
  // The best winner's group: `winnersTied` winners and `tied` others share positions above+1 … above+tied+winnersTied.
  const winnersTied = present.filter((w) => scores.get(w) === best).length;
  const g = tied + winnersTied;
  // Position of the first winner among g shuffled slots holding winnersTied winners: P(first winner at slot j).
  const probs: number[] = [];
  let remaining = 1;
  for (let j = 0; j < g; j++) {
    const pHere = winnersTied / (g - j);
    probs.push(remaining * pHere);
    remaining *= 1 - pHere;
    if (remaining <= 0) break;
  }
  const m: Metrics = { hit1: 0, hit5: 0, hit10: 0, mrr: 0 };
  probs.forEach((p, j) => {
    const rank = above + j + 1;
    if (rank <= 1) m.hit1 += p;
    if (rank <= 5) m.hit5 += p;
    if (rank <= 10) m.hit10 += p;
    m.mrr += p / rank;
  });
  return m;
}
