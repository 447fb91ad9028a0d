import { describe, expect, it } from 'vitest';
import { storeReleases, type IncomingRelease } from '../../src/ingest/store.js';
import { cfAward, cfTender, pcsTender } from '../support/fixtures/releases.js';
import { faultyStore } from '../support/faulty-store.js';
import { ingestRows } from '../support/helpers.js';

const NOW = '2026-11-24T09:00:00.000Z';
const incoming = (...values: unknown[]): IncomingRelease[] => values.map((v) => ({ raw: JSON.stringify(v), value: v }));

describe('storing new tenders on D1 (no transactions)', () => {
  it('ends, after a crash at any write and a second run, with exactly the rows of an uninterrupted run', async () => {
    // New tenders with lots, items, awards and award suppliers: their child rows are written before the tender row.
    const batch = incoming(pcsTender(1), cfAward(1), cfTender(1), pcsTender(2));
    const whole = await faultyStore('d1');
    whole.failWhen(() => false);
    await storeReleases(whole.db, 'file', batch, NOW);
    const writes = whole.writes();
    const expected = await ingestRows(whole.db);
    expect(expected.lots.length).toBeGreaterThan(0);
    await whole.db.destroy();

    for (let crashAt = 1; crashAt <= writes; crashAt++) {
      const store = await faultyStore('d1');
      store.failWhen((_sql, n) => n === crashAt);
      await expect(storeReleases(store.db, 'file', batch, NOW), `crash at write ${crashAt}`).rejects.toThrow(/simulated crash/);
      store.failWhen(null);
      await storeReleases(store.db, 'file', batch, NOW);
      expect({ crashAt, rows: await ingestRows(store.db) }).toEqual({ crashAt, rows: expected });
      await store.db.destroy();
    }
  });
});
