import { describe, expect, it } from 'vitest';
import { drainSupplierMatchQueue } from '../../jobs/match.js';
import { queueSuppliersForMatching, queuedSupplierCount, supplierMatchingPending } from '../../db/queries/match-queue.js';
import { createApp } from '../../src/app.js';
import type { Db } from '../../db/client.js';
import { jsonCaller, STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { glasgowInspection, registration, storeTenders, type TenderSpec } from '../support/matching-fixtures.js';
import { faultyStore } from '../support/faulty-store.js';

const sparks = registration({
  name: 'Glasgow Sparks',
  company_number: 'SC765432',
  postcode: 'G21 1AA',
  home_region: 'UKM82',
  cpv_codes: ['50711000'],
  description: 'Electrical inspection and testing.',
  keywords: ['electrical inspection'],
  max_contract_value: 500000,
});
/** Open tenders enough for several batches of the job's read of open tenders (100 at a time). */
const tenders: TenderSpec[] = Array.from({ length: 230 }, (_, i) => ({ ...glasgowInspection, ocid: `ocds-test-glasgow-${String(i).padStart(3, '0')}` }));

const matchRows = async (db: Db) =>
  (await db.selectFrom('matches').select(['supplier_id', 'ocid', 'lot_id', 'score']).orderBy('ocid').execute()).map((r) => `${r.supplier_id} ${r.ocid} ${r.lot_id} ${r.score}`);

describe.each(STORE_ENGINES)('the supplier match queue (%s)', (_name, open) => {
  const openStore = storesPerTest(open);

  async function setup(db?: Db) {
    const deps = await testDeps({ db: db ?? (await openStore()) });
    const app = createApp(deps);
    const call = jsonCaller(app);
    await storeTenders(deps.db, tenders);
    const res = await call('POST', '/suppliers', sparks);
    expect(res.status).toBe(201);
    const { supplier, key } = (await res.json()) as { supplier: { id: string; matching: string }; key: string };
    return { deps, call, id: supplier.id, key };
  }

  it('holds a registered supplier until the job has written its matches over every batch of open tenders', async () => {
    const { deps, id } = await setup();
    expect(await supplierMatchingPending(deps.db, id)).toBe(true);
    expect(await deps.db.selectFrom('matches').selectAll().execute()).toEqual([]);
    const run = await drainSupplierMatchQueue(deps);
    expect(run).toMatchObject({ matched: 1, queued: 0, suppliers: 1, openTenders: 230, written: 230, removed: 0 });
    expect(await supplierMatchingPending(deps.db, id)).toBe(false);
    const rows = await matchRows(deps.db);
    expect(rows).toHaveLength(230);
    // Queued again with nothing changed: the same matches, none written twice.
    await queueSuppliersForMatching(deps.db, [id], '2026-11-24T10:00:00.000Z');
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 1, written: 230, removed: 0 });
    expect(await matchRows(deps.db)).toEqual(rows);
  });

  it('keeps a supplier queued when it changes again while the job matches it', async () => {
    const { deps, id } = await setup();
    let requeued = false;
    // The job yields between batches of open tenders (deps.sleep): the profile changes in that gap.
    deps.sleep = async () => {
      if (requeued) return;
      requeued = true;
      await queueSuppliersForMatching(deps.db, [id], '2026-11-24T09:00:01.000Z');
    };
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 0, queued: 1, written: 230 });
    expect(await supplierMatchingPending(deps.db, id)).toBe(true);
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 1, queued: 0 });
  });

  it('a queued id that is no longer registered loses its matches and leaves the queue', async () => {
    const { deps, id } = await setup();
    await drainSupplierMatchQueue(deps);
    await deps.db.deleteFrom('suppliers').where('id', '=', id).execute();
    await queueSuppliersForMatching(deps.db, [id, 'sup_never_registered'], '2026-11-24T10:00:00.000Z');
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 2, suppliers: 0, written: 0, removed: 230 });
    expect(await queuedSupplierCount(deps.db)).toBe(0);
  });
});

describe('the supplier match queue through a crash', () => {
  async function registered() {
    const store = await faultyStore();
    const deps = await testDeps({ db: store.db });
    const call = jsonCaller(createApp(deps));
    await storeTenders(deps.db, tenders);
    const id = ((await (await call('POST', '/suppliers', sparks)).json()) as { supplier: { id: string } }).supplier.id;
    return { store, deps, id };
  }

  it('at any write of the job leaves the supplier queued until its matches are complete; the next run ends as an uninterrupted one', async () => {
    const clean = await registered();
    clean.store.failWhen(() => false);
    await drainSupplierMatchQueue(clean.deps);
    const writes = clean.store.writes();
    expect(writes).toBeGreaterThanOrEqual(5);
    const expected = (await matchRows(clean.deps.db)).map((r) => r.replace(clean.id, 'S'));
    for (let crashAt = 1; crashAt <= writes; crashAt++) {
      const { store, deps, id } = await registered();
      store.failWhen((_sql, n) => n === crashAt);
      await expect(drainSupplierMatchQueue(deps), `crash at write ${crashAt}`).rejects.toThrow(/simulated crash/);
      store.failWhen(null);
      expect(await supplierMatchingPending(deps.db, id), `crash at write ${crashAt}`).toBe(true);
      await drainSupplierMatchQueue(deps);
      expect(await supplierMatchingPending(deps.db, id)).toBe(false);
      expect((await matchRows(deps.db)).map((r) => r.replace(id, 'S')), `crash at write ${crashAt}`).toEqual(expected);
    }
  });
});
