import { describe, expect, it } from 'vitest';
import { storeReleases, type IncomingRelease } from '../../src/ingest/store.js';
import type { Db } from '../../db/client.js';
import { cfAward, cfTender, pcsTender } from '../support/fixtures/releases.js';
import { STORE_ENGINES, storesPerTest } from '../support/helpers.js';
import { hash64 } from '../../db/digest.js';

const NOW = '2026-11-24T09:00:00.000Z';
const incoming = (...values: unknown[]): IncomingRelease[] => values.map((v) => ({ raw: JSON.stringify(v), value: v }));

async function tableCounts(db: Db) {
  const out: Record<string, number> = {};
  for (const t of ['releases', 'tenders', 'lots', 'items', 'awards', 'award_suppliers', 'quarantine'] as const) {
    const row = await db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[t] = Number(row.n);
  }
  return out;
}

async function snapshot(db: Db) {
  return {
    tenders: await db.selectFrom('tenders').selectAll().orderBy('ocid').execute(),
    lots: await db.selectFrom('lots').selectAll().orderBy('ocid').orderBy('lot_id').execute(),
    releases: await db.selectFrom('releases').select(['source', 'release_id', 'content_hash']).orderBy('release_id').execute(),
  };
}


describe.each(STORE_ENGINES)('storeReleases on %s', (_engine, makeDb) => {
  const freshDb = storesPerTest(makeDb);

  it('stores tenders with lots, items, awards and suppliers, and a second run changes nothing', async () => {
    const db = await freshDb();
    const batch = incoming(cfAward(1), pcsTender(1), cfTender(1));
    const first = await storeReleases(db, 'file', batch, NOW);
    expect(first).toMatchObject({ fetched: 3, inserted: 3, updated: 0, unchanged: 0, quarantined: 0 });
    expect(first.changedOcids.sort()).toEqual(['ocds-b5fd17-test-cf-1', 'ocds-b5fd17-test-open-1', 'ocds-r6ebe6-test-1']);
    expect(await tableCounts(db)).toEqual({ releases: 3, tenders: 3, lots: 2, items: 4, awards: 1, award_suppliers: 1, quarantine: 0 });
    const before = await snapshot(db);

    const second = await storeReleases(db, 'file', batch, '2026-11-25T00:00:00.000Z');
    expect(second).toMatchObject({ fetched: 3, inserted: 0, updated: 0, unchanged: 3, changedOcids: [] });
    expect(await snapshot(db)).toEqual(before);
  });

  it('gives a release without id a stable derived id, so it is stored once', async () => {
    const db = await freshDb();
    await storeReleases(db, 'pcs', incoming(pcsTender(7)), NOW);
    await storeReleases(db, 'pcs', incoming(pcsTender(7)), NOW);
    const rows = await db.selectFrom('releases').select('release_id').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].release_id).toMatch(/^derived-/);
  });

  it('compiles a later release on top, keeping fields it omits', async () => {
    const db = await freshDb();
    await storeReleases(db, 'cf', incoming(cfTender(1)), NOW);
    const amendment = {
      ocid: 'ocds-b5fd17-test-open-1',
      id: 'open-1-amendment',
      date: '2026-11-10T09:00:00Z',
      tag: ['tenderAmendment'],
      tender: { tenderPeriod: { endDate: '2027-01-10T12:00:00Z' } },
    };
    const counts = await storeReleases(db, 'cf', incoming(amendment), NOW);
    expect(counts).toMatchObject({ inserted: 0, updated: 1, changedOcids: ['ocds-b5fd17-test-open-1'] });
    const t = await db.selectFrom('tenders').selectAll().executeTakeFirstOrThrow();
    expect(t).toMatchObject({ title: 'Software development for bus passenger app 1', deadline: '2027-01-10T12:00:00.000Z', release_count: 2, value_amount: 250000 });
  });

  it('recompiles from every stored release when an older release arrives late', async () => {
    const db = await freshDb();
    const later = { ocid: 'ocds-b5fd17-test-open-1', id: 'late', date: '2026-11-20T09:00:00Z', tag: ['tenderUpdate'], tender: { status: 'cancelled' } };
    await storeReleases(db, 'cf', incoming(later), NOW);
    await storeReleases(db, 'cf', incoming(cfTender(1)), NOW); // dated 2026-11-01: older
    const t = await db.selectFrom('tenders').selectAll().executeTakeFirstOrThrow();
    expect(t.status).toBe('cancelled');
    expect(t.title).toBe('Software development for bus passenger app 1');
    expect(t.release_count).toBe(2);
  });

  it('quarantines what cannot be read, with its reason, and stores the rest', async () => {
    const db = await freshDb();
    const batch: IncomingRelease[] = [
      { raw: '{"ocid": "ocds-b5fd17-x", "tender": {"title": "cut o', parseError: 'not valid JSON: Unterminated string' },
      ...incoming({ id: 'no-ocid', tender: { title: 'orphan' } }, { ocid: 'ocds-b5fd17-y', id: 'y', tender: 'closed' }, cfTender(3)),
    ];
    const counts = await storeReleases(db, 'cf', batch, NOW);
    expect(counts).toMatchObject({ fetched: 4, inserted: 1, quarantined: 3 });
    const q = await db.selectFrom('quarantine').select(['reason', 'ocid', 'raw']).orderBy('reason').execute();
    expect(q.map((r) => r.reason)).toEqual(['not valid JSON: Unterminated string', 'release has no ocid', 'tender is not an object']);
    expect(q.find((r) => r.reason === 'tender is not an object')?.ocid).toBe('ocds-b5fd17-y');
    // Quarantining the same bad input again does not duplicate it.
    await storeReleases(db, 'cf', batch, NOW);
    expect((await tableCounts(db)).quarantine).toBe(3);
  });

  it('counts the same release published again with other spacing and escapes as unchanged, and knows that text at a glance afterwards', async () => {
    const db = await freshDb();
    const release = cfTender(1, { description: 'Caf\u00e9 / works' });
    await storeReleases(db, 'cf', incoming(release), NOW);
    const pretty = JSON.stringify(release, null, 2).replace('Caf\u00e9', 'Caf\\u00e9').replace(' / ', ' \\/ ');
    expect(pretty).not.toBe(JSON.stringify(release));
    const again = await storeReleases(db, 'cf', [{ raw: pretty, value: JSON.parse(pretty) }], NOW);
    expect(again).toMatchObject({ updated: 0, unchanged: 1, changedOcids: [] });
    const stored = await db.selectFrom('releases').select(['raw', 'content_hash']).executeTakeFirstOrThrow();
    expect(stored.raw).toBe(JSON.stringify(release));
    // The stored digest now names the new text, so its next copy needs no second look.
    expect(stored.content_hash).toBe(hash64(pretty));
  });

  it('replaces a republished release with changed content', async () => {
    const db = await freshDb();
    await storeReleases(db, 'cf', incoming(cfTender(1)), NOW);
    const republished = cfTender(1);
    (republished.tender as { title: string }).title = 'Corrected title';
    const counts = await storeReleases(db, 'cf', incoming(republished), NOW);
    expect(counts).toMatchObject({ updated: 1, unchanged: 0 });
    const t = await db.selectFrom('tenders').select(['title', 'release_count']).executeTakeFirstOrThrow();
    expect(t).toEqual({ title: 'Corrected title', release_count: 1 });
    expect((await tableCounts(db)).releases).toBe(1);
  });
});
