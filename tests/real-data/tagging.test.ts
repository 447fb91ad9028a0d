import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contradictionFlags, evaluateCapability, evaluatePlaces, evaluateSpendLines } from '../../src/commands/eval-tagging.js';
import { allNotices, foldOf } from '../../jobs/tools/tagging-corpus.js';
import { modelFile, train } from '../../jobs/tools/train-tagger.js';
import { SHARED_DATA } from '../support/helpers.js';

const present = existsSync(`${SHARED_DATA}ted`) && existsSync(`${SHARED_DATA}ocds`) && existsSync(`${SHARED_DATA}contracts-finder-csv`);
const shipped = fileURLToPath(new URL('../../src/domain/tagging/model.generated.ts', import.meta.url));

describe.skipIf(!present)('tagging on the real shared data (skipped: ../shared/data not present)', () => {
  it('ships exactly the model the trainer builds, never from the test split', () => {
    const notices = allNotices(SHARED_DATA);
    const trained = train(SHARED_DATA, undefined, notices);
    expect(modelFile(trained)).toBe(readFileSync(shipped, 'utf8'));
    expect(trained.notices).toBe(notices.filter((n) => foldOf(n) !== 'test').length);
    expect(readFileSync(shipped).length).toBeLessThanOrEqual(5 * 1024 * 1024);
  }, 180_000);

  it('predicts the division of held-out UK and TED notices well above both baselines', () => {
    // The fuse.js baseline takes minutes here; `npm run eval:tagging` prints it (0.226 UK top-1).
    const result = evaluateCapability(allNotices(SHARED_DATA), { fuse: false });
    expect(result.uk.tagger.notices).toBeGreaterThanOrEqual(200);
    expect(result.ted.tagger.notices).toBeGreaterThanOrEqual(150);
    // Measured 0.62 / 0.80 (n=230); the 0.75 / 0.90 is not reached (README says so). Keep it from sliding back.
    expect(result.uk.tagger.divisionTop1).toBeGreaterThanOrEqual(0.58);
    expect(result.uk.tagger.divisionRecall3).toBeGreaterThanOrEqual(0.77);
    expect(result.uk.tagger.divisionTop1).toBeGreaterThan(result.uk.mostFrequentDivision.divisionTop1 + 0.4);
    expect(result.uk.tagger.groupRecall5).toBeGreaterThan(result.uk.mostFrequentDivision.groupRecall5 + 0.4);
    expect(result.ted.tagger.divisionTop1).toBeGreaterThanOrEqual(0.88);
  }, 300_000);

  it('puts hand-labelled spend lines in their division far more often than notice mode and the baselines', () => {
    const spend = evaluateSpendLines();
    expect(spend.lines).toBeGreaterThanOrEqual(200);
    expect(spend.spendLine.top1).toBeGreaterThanOrEqual(0.65);
    expect(spend.spendLine.top3).toBeGreaterThanOrEqual(0.8);
    for (const other of [spend.noticeMode, spend.fuseNearestLabel, spend.mostFrequentDivision]) expect(spend.spendLine.top1).toBeGreaterThan(other.top1 + 0.2);
  }, 120_000);

  it('flags few real notices as contradicting their published code, and not "QS Cost Consultancy"', () => {
    const c = contradictionFlags(SHARED_DATA);
    expect(c.notices).toBeGreaterThan(1300);
    expect(c.flagged / c.notices).toBeLessThanOrEqual(0.03);
    expect(c.flags.some((f) => /QS Cost Consultancy/.test(f.title))).toBe(false);
    for (const f of c.flags) expect(f.inferred.every((i) => !f.published.some((p) => p.slice(0, 2) === i.code.slice(0, 2)))).toBe(true);
  }, 120_000);

  it('reads a delivery place for most real tenders and the buyer postcode for nearly all', () => {
    const places = evaluatePlaces(SHARED_DATA);
    expect(places.tenders).toBe(360);
    expect(places.deliveryResolvedShare).toBeGreaterThanOrEqual(0.85);
    expect(places.buyerPostcodeResolvesShare).toBeGreaterThanOrEqual(0.99);
    expect(places.bySource['public-contracts-scotland']).toMatchObject({ tenders: 90, withDelivery: 90 });
    for (const p of places.unresolved) expect(p.reason).toMatch(/no delivery place published|not understood/);
  }, 60_000);
});
