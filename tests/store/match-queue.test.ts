import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bulkWriter } from '../../db/bulk.js';
import type { Db } from '../../db/client.js';
import { claimQueued, dequeueClaimed, queueForMatching } from '../../db/queries/match-queue.js';
import { storeReleases, type IncomingRelease } from '../../src/ingest/store.js';
import { ingestFile } from '../../jobs/ingest-file.js';
import { drainMatchQueue } from '../../jobs/match.js';
import { createApp } from '../../src/app.js';
import { cfAward, cfTender, pcsTender } from '../support/fixtures/releases.js';
import { faultyStore } from '../support/faulty-store.js';
import { ingestRows, STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { registration, tenderRelease, type TenderSpec } from '../support/matching-fixtures.js';

const NOW = '2026-11-24T09:00:00.000Z';
const LATER = '2026-11-25T09:00:00.000Z';
const incoming = (...values: unknown[]): IncomingRelease[] => values.map((v) => ({ raw: JSON.stringify(v), value: v }));

async function queue(db: Db) {
  return db.selectFrom('match_queue').select(['ocid', 'queued_at', 'claimed_by']).orderBy('ocid').execute();
}

// Electrical inspection tenders in Scotland and one for software, and suppliers that fit some of them.
const tenders: TenderSpec[] = [
  { ocid: 'ocds-test-q1', title: 'Electrical inspection, North Glasgow', cpv: '50711000', region: 'UKM82', value: 200000, sme: true },
  { ocid: 'ocds-test-q2', title: 'Electrical condition reports, Ayrshire', cpv: '50711000', region: 'UKM93', value: 90000 },
  { ocid: 'ocds-test-q3', title: 'Electrical testing of council housing, UK-wide', cpv: '50711000', region: 'UK', value: 400000 },
  { ocid: 'ocds-test-q4', title: 'Bus passenger app', cpv: '72212000', region: 'UKG', value: 250000 },
  { ocid: 'ocds-test-q5', title: 'Electrical inspection, closed', cpv: '50711000', region: 'UKM82', status: 'cancelled' },
];
const suppliers = [
  registration({ name: 'Glasgow Sparks', company_number: 'SC700001', postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'], max_contract_value: 500000, description: 'Electrical inspection and testing of housing', keywords: ['electrical inspection'] }),
  registration({ name: 'Ayr Electrics', company_number: 'SC700002', postcode: 'KA1 1HU', home_region: 'UKM93', serves: ['Scotland'], cpv_codes: ['50711000'], description: 'Electrical condition reports and rewires', keywords: ['electrical'] }),
  registration({ name: 'Brum Apps', company_number: '07000003', postcode: 'B1 1AA', home_region: 'UKG31', cpv_codes: ['72212000'], description: 'Mobile app development for passenger transport', keywords: ['app'] }),
];

/** A store with the suppliers registered and the tenders stored (so queued), and nothing matched yet. */
async function matchingStore(db: Db) {
  const deps = await testDeps({ db });
  const app = createApp(deps);
  for (const body of suppliers) {
    const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  const releases = tenders.map((t) => tenderRelease(t));
  await storeReleases(db, 'test', incoming(...releases), NOW);
  return deps;
}

/** The stored matches by supplier name (ids differ between stores), in a stable order. */
async function matchesByName(db: Db) {
  const rows = await db
    .selectFrom('matches as m')
    .innerJoin('suppliers as s', 's.id', 'm.supplier_id')
    .select(['s.name', 'm.ocid', 'm.lot_id', 'm.score', 'm.reasons', 'm.deadline', 'm.computed_at'])
    .execute();
  return rows.map((r) => JSON.stringify(r)).sort();
}


describe.each(STORE_ENGINES)('the match queue on %s', (_engine, makeDb) => {
  const open = storesPerTest(makeDb);

  it('holds every tender that storing releases created or changed, and only those', async () => {
    const db = await open();
    const first = await storeReleases(db, 'file', incoming(cfAward(1), pcsTender(1), cfTender(1)), NOW);
    expect((await queue(db)).map((q) => q.ocid)).toEqual([...first.changedOcids].sort());
    expect(await queue(db)).toEqual([
      { ocid: 'ocds-b5fd17-test-cf-1', queued_at: NOW, claimed_by: null },
      { ocid: 'ocds-b5fd17-test-open-1', queued_at: NOW, claimed_by: null },
      { ocid: 'ocds-r6ebe6-test-1', queued_at: NOW, claimed_by: null },
    ]);

    // The same releases again, and one published again with other spacing: nothing changed, nothing queued again.
    await db.deleteFrom('match_queue').execute();
    await storeReleases(db, 'file', incoming(cfAward(1), pcsTender(1)), LATER);
    await storeReleases(db, 'file', [{ raw: JSON.stringify(cfTender(1), null, 2), value: cfTender(1) }], LATER);
    expect(await queue(db)).toEqual([]);

    // An amendment changes one tender; a new one arrives: those two are queued, each once.
    const amendment = cfTender(1, { id: 'open-1-amendment', date: '2026-11-05T09:00:00Z', tag: ['tenderAmendment'], tender: { ...(cfTender(1).tender as object), title: 'Amended' } });
    await storeReleases(db, 'file', incoming(amendment, cfTender(2), cfTender(2)), LATER);
    expect(await queue(db)).toEqual([
      { ocid: 'ocds-b5fd17-test-open-1', queued_at: LATER, claimed_by: null },
      { ocid: 'ocds-b5fd17-test-open-2', queued_at: LATER, claimed_by: null },
    ]);
  });

  it('is matched by the match job, which takes each tender off once its matches are written; a second run changes nothing', async () => {
    const db = await open();
    const deps = await matchingStore(db);
    expect(await db.selectFrom('matches').selectAll().execute()).toEqual([]);
    expect(await queue(db)).toHaveLength(tenders.length);

    const run = await drainMatchQueue(deps, { tendersPerBatch: 2 });
    expect(run).toMatchObject({ job: 'match-queue', matched: 5, queued: 0, tenders: 5, closed: 1, suppliers: 3 });
    const matches = await matchesByName(db);
    const pairs = matches.map((m) => JSON.parse(m) as { name: string; ocid: string }).map((m) => `${m.name} ${m.ocid}`).sort();
    expect(pairs).toEqual(expect.arrayContaining(['Glasgow Sparks ocds-test-q1', 'Ayr Electrics ocds-test-q2', 'Brum Apps ocds-test-q4']));
    expect(pairs.filter((p) => p.endsWith('q5'))).toEqual([]);
    expect(run.written).toBe(matches.length);
    expect(await queue(db)).toEqual([]);

    const again = await drainMatchQueue(deps);
    expect(again).toMatchObject({ matched: 0, queued: 0, tenders: 0, written: 0, removed: 0 });
    expect(await matchesByName(db)).toEqual(matches);

    // The tender is cancelled: queued with its change, its matches go at the next run.
    await storeReleases(db, 'test', incoming(tenderRelease({ ...tenders[0], status: 'cancelled', date: '2026-11-10' })), LATER);
    expect((await queue(db)).map((q) => q.ocid)).toEqual(['ocds-test-q1']);
    const cancelled = await drainMatchQueue(deps);
    expect(cancelled).toMatchObject({ matched: 1, queued: 0, closed: 1 });
    expect((await matchesByName(db)).filter((m) => m.includes('ocds-test-q1'))).toEqual([]);
  });

  it('keeps a tender queued when it is queued again while a run is matching it', async () => {
    const db = await open();
    await storeReleases(db, 'file', incoming(cfTender(1), cfTender(2)), NOW);
    const ocids = (await queue(db)).map((q) => q.ocid);
    await claimQueued(db, 'run-1', ocids);
    expect((await queue(db)).map((q) => q.claimed_by)).toEqual(['run-1', 'run-1']);
    // While run-1 matches, tender 2 changes again (at the same instant, as a file ingest's batches all are).
    await queueForMatching(bulkWriter(db), [ocids[1]], NOW);
    expect(await dequeueClaimed(db, 'run-1', ocids)).toBe(1);
    expect(await queue(db)).toEqual([{ ocid: ocids[1], queued_at: NOW, claimed_by: null }]);
    // A claim left by a run that stopped is taken over by the next.
    await claimQueued(db, 'run-2', [ocids[1]]);
    expect(await dequeueClaimed(db, 'run-3', [ocids[1]])).toBe(0);
    await claimQueued(db, 'run-3', [ocids[1]]);
    expect(await dequeueClaimed(db, 'run-3', [ocids[1]])).toBe(1);
    expect(await queue(db)).toEqual([]);
  });
});

describe('the match queue and the bulk file ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-queue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds each tender the file created or changed once, across batches and commits', async () => {
    const deps = await testDeps();
    // 600 lines in batches of 20: tenders, awards, and amendments of early tenders far down the file.
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(JSON.stringify(i % 3 === 0 ? pcsTender(i) : i % 3 === 1 ? cfTender(i) : cfAward(i)));
    for (let i = 1; i < 60; i += 3) {
      const t = cfTender(i);
      lines.push(JSON.stringify({ ...t, id: `open-${i}-amendment`, date: '2026-11-05T09:00:00Z', tag: ['tenderAmendment'], tender: { ...(t.tender as object), status: 'cancelled' } }));
    }
    const file = join(dir, 'releases.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const summary = await ingestFile(deps, file, { workers: 0 });
    expect(summary).toMatchObject({ fetched: 620, changed: 600 });
    const queued = await queue(deps.db);
    expect(queued.map((q) => q.ocid)).toEqual([...summary.changedOcids].sort());
    expect(new Set(queued.map((q) => q.queued_at))).toEqual(new Set([queued[0].queued_at]));

    // The same file again changes no tender and queues none.
    await deps.db.deleteFrom('match_queue').execute();
    const again = await ingestFile(deps, file, { workers: 0 });
    expect(again).toMatchObject({ unchanged: 620, changed: 0 });
    expect(await queue(deps.db)).toEqual([]);
  });
});

describe('a crash', () => {
  it('at any write while storing releases on D1 (no transactions) leaves every changed tender queued once the batch is stored again', async () => {
    const before = incoming(cfAward(1), pcsTender(1), cfTender(1), cfTender(3));
    const amendment = cfTender(1, { id: 'open-1-amendment', date: '2026-11-05T09:00:00Z', tag: ['tenderAmendment'], tender: { ...(cfTender(1).tender as object), title: 'Amended' } });
    const pcsAmendment = { ...pcsTender(1), id: 'pcs-1-amendment', date: '2019-05-10T00:00:00Z', tender: { ...(pcsTender(1).tender as object), title: 'Amended' } };
    // Changes of stored tenders (new ones are covered by tests/store-crash-d1.test.ts).
    const batch = incoming(amendment, pcsAmendment, cfAward(1), cfTender(3, { id: 'open-3-republished', date: '2026-11-06T09:00:00Z' }));

    const whole = await faultyStore('d1');
    await storeReleases(whole.db, 'file', before, NOW);
    await whole.db.deleteFrom('match_queue').execute();
    whole.failWhen(() => false);
    await storeReleases(whole.db, 'file', batch, LATER);
    const writes = whole.writes();
    const expectedQueue = await queue(whole.db);
    const expectedRows = await ingestRows(whole.db);
    // Tender 3's new release leaves its record as it was: it is not queued.
    expect(expectedQueue.map((q) => q.ocid)).toEqual(['ocds-b5fd17-test-open-1', 'ocds-r6ebe6-test-1']);
    expect(writes).toBeGreaterThan(8);

    for (let crashAt = 1; crashAt <= writes; crashAt++) {
      const store = await faultyStore('d1');
      await storeReleases(store.db, 'file', before, NOW);
      await store.db.deleteFrom('match_queue').execute();
      store.failWhen((_sql, n) => n === crashAt);
      await expect(storeReleases(store.db, 'file', batch, LATER), `crash at write ${crashAt}`).rejects.toThrow(/simulated crash/);
      store.failWhen(null);
      await storeReleases(store.db, 'file', batch, LATER);
      expect({ crashAt, queue: await queue(store.db) }).toEqual({ crashAt, queue: expectedQueue });
      expect(await ingestRows(store.db)).toEqual(expectedRows);
      await store.db.destroy();
    }
    await whole.db.destroy();
  });

  it('at any write of the match job leaves queued every tender whose matches are not written, and the next run ends as an uninterrupted one', async () => {
    const whole = await faultyStore('d1');
    const wholeDeps = await matchingStore(whole.db);
    whole.failWhen(() => false);
    await drainMatchQueue(wholeDeps, { tendersPerBatch: 2 });
    const writes = whole.writes();
    const expected = await matchesByName(whole.db);
    const expectedFor = (ocid: string) => expected.filter((m) => m.includes(`"ocid":"${ocid}"`));
    expect(expected.length).toBeGreaterThan(3);
    expect(await queue(whole.db)).toEqual([]);

    for (let crashAt = 1; crashAt <= writes; crashAt++) {
      const store = await faultyStore('d1');
      const deps = await matchingStore(store.db);
      store.failWhen((_sql, n) => n === crashAt);
      await expect(drainMatchQueue(deps, { tendersPerBatch: 2 }), `crash at write ${crashAt}`).rejects.toThrow(/simulated crash/);
      store.failWhen(null);
      // Every tender already off the queue has exactly its final matches.
      const left = new Set((await queue(store.db)).map((q) => q.ocid));
      const now = await matchesByName(store.db);
      for (const t of tenders.filter((t) => !left.has(t.ocid))) {
        expect({ crashAt, ocid: t.ocid, matches: now.filter((m) => m.includes(`"ocid":"${t.ocid}"`)) }).toEqual({ crashAt, ocid: t.ocid, matches: expectedFor(t.ocid) });
      }
      const rerun = await drainMatchQueue(deps, { tendersPerBatch: 2 });
      expect(rerun).toMatchObject({ matched: left.size, queued: 0 });
      expect(await matchesByName(store.db)).toEqual(expected);
      expect(await drainMatchQueue(deps)).toMatchObject({ matched: 0, written: 0, removed: 0 });
      await store.db.destroy();
    }
    await whole.db.destroy();
  });
});
