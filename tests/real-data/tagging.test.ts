import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateCapability, evaluatePlaces } from '../../src/commands/eval-tagging.js';
import { GROUPS, PRIOR, TERMS, TOTALS } from '../../src/domain/tagging/model.generated.js';
import { allNotices, isHeldOut } from '../../jobs/tools/tagging-corpus.js';
import { train } from '../../jobs/tools/train-tagger.js';
import { SHARED_DATA } from '../support/helpers.js';

const present = existsSync(`${SHARED_DATA}ted`) && existsSync(`${SHARED_DATA}ocds`);

describe.skipIf(!present)('tagging on the real shared data (skipped: ../shared/data not present)', () => {
  it('ships exactly the model the trainer builds from the training split', () => {
    const model = train(SHARED_DATA);
    expect(model.groups.join(' ')).toBe(GROUPS);
    expect(model.prior.join(' ')).toBe(PRIOR);
    expect(model.totals.join(' ')).toBe(TOTALS);
    expect(model.terms.join('\n')).toBe(TERMS);
    const notices = allNotices(SHARED_DATA);
    expect(model.notices).toBe(notices.filter((n) => !isHeldOut(n.id)).length);
  }, 60_000);

  it('predicts the division of held-out notices at the targets', () => {
    const result = evaluateCapability(allNotices(SHARED_DATA), { baselines: false });
    expect(result.heldOut).toBeGreaterThan(400);
    expect(result.all.tagger.divisionTop1).toBeGreaterThanOrEqual(0.8);
    expect(result.all.tagger.divisionRecall3).toBeGreaterThanOrEqual(0.93);
    // The UK OCDS notices are much harder than TED titles; keep them from sliding back.
    expect(result.bySource.ocds.tagger.divisionTop1).toBeGreaterThanOrEqual(0.38);
  }, 60_000);

  it('reads a delivery place for most real tenders and the buyer postcode for nearly all', () => {
    const places = evaluatePlaces(SHARED_DATA);
    expect(places.tenders).toBe(360);
    expect(places.deliveryResolvedShare).toBeGreaterThanOrEqual(0.85);
    expect(places.buyerPostcodeResolvesShare).toBeGreaterThanOrEqual(0.99);
    expect(places.bySource['public-contracts-scotland']).toMatchObject({ tenders: 90, withDelivery: 90 });
    for (const p of places.unresolved) expect(p.reason).toMatch(/no delivery place published|not understood/);
  }, 60_000);
});
