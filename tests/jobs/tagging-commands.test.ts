import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { classifyCommand } from '../../src/commands/classify.js';
import { retagCommand } from '../../src/commands/retag.js';
import { cfTender, pcsTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';
import { faultyStore } from '../support/faulty-store.js';
import type { Db } from '../../db/client.js';

const queued = async (db: Db) => (await db.selectFrom('match_queue').select('ocid').orderBy('ocid').execute()).map((r) => r.ocid);

/** Three stored tenders, matched (the queue emptied), then one tender's delivery places lost and another's CPV code changed. */
async function staleTags(db: Db) {
  const releases = [pcsTender(1), cfTender(1), cfTender(2)].map((v) => ({ raw: JSON.stringify(v), value: v }));
  await storeReleases(db, 'test', releases, '2026-11-24T09:00:00.000Z');
  await db.deleteFrom('match_queue').execute();
  await db.deleteFrom('tender_places').where('ocid', '=', 'ocds-b5fd17-test-open-1').execute();
  const cpv = await db.selectFrom('tender_cpv').select(['lot_id', 'code']).where('ocid', '=', 'ocds-r6ebe6-test-1').orderBy(['lot_id', 'code']).executeTakeFirstOrThrow();
  await db.updateTable('tender_cpv').set({ code: '03111100' }).where('ocid', '=', 'ocds-r6ebe6-test-1').where('lot_id', '=', cpv.lot_id).where('code', '=', cpv.code).execute();
}

function io(input: string) {
  const out: string[] = [];
  const progress: string[] = [];
  return { io: { stdin: Readable.from([input]), out: (l: string) => out.push(l), progress: (l: string) => progress.push(l) }, out, progress };
}

describe('classify command', () => {
  it('writes one JSON line per notice with CPV codes best first, and a reason for bad lines', async () => {
    const deps = await testDeps();
    const input = [
      JSON.stringify({ id: 'n1', title: 'Lift Preventative Maintenance', description: 'maintain lifts and escalators in council buildings' }),
      '{not json',
      JSON.stringify({ id: 'n2' }),
      JSON.stringify({ id: 'n3', title: 'Portering services' }),
    ].join('\n');
    const { io: cio, out } = io(input);
    const summary = await classifyCommand.run(deps, { top: '3' }, cio);
    expect(summary).toMatchObject({ command: 'classify', classified: 2, rejected: 2 });
    const lines = out.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].id).toBe('n1');
    expect(lines[0].cpv[0].code.slice(0, 2)).toBe('50');
    expect(lines[0].cpv.length).toBeLessThanOrEqual(3);
    expect(lines[0].cpv[0].label).toEqual(expect.any(String));
    expect(lines[1]).toEqual({ line: 2, error: 'not valid JSON' });
    expect(lines[2]).toMatchObject({ line: 3, id: 'n2' });
    expect(lines[3].cpv[0]).toMatchObject({ code: '98341120', label: 'Portering services' });
  });
});

describe('classify command in spend-line mode', () => {
  it('reads each title as a council payment line, and refuses an unknown mode', async () => {
    const deps = await testDeps();
    const input = [JSON.stringify({ id: 'a', title: 'shell kings 587' }), JSON.stringify({ id: 'b', title: 'Waste Disposal & Skip Hire' })].join('\n');
    const { io: cio, out } = io(input);
    expect(await classifyCommand.run(deps, { mode: 'spend-line', top: '2' }, cio)).toMatchObject({ classified: 2, rejected: 0 });
    expect(out.map((l) => JSON.parse(l).divisions[0].code)).toEqual(['09000000', '90000000']);
    await expect(classifyCommand.run(deps, { mode: 'tweets' }, io('').io)).rejects.toThrow(/--mode is notice or spend-line/);
  });
});

describe('retag command', () => {
  it('recomputes the tags of every stored tender from its compiled release', async () => {
    const deps = await testDeps();
    const releases = [pcsTender(1), cfTender(1), cfTender(2)].map((v) => ({ raw: JSON.stringify(v), value: v }));
    await storeReleases(deps.db, 'test', releases, deps.clock.now().toISOString());
    const before = await deps.db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'code']).orderBy(['ocid', 'lot_id', 'role', 'code']).execute();
    expect(before.length).toBeGreaterThan(0);

    // Tags lost or stale (as after a tagger change): retag puts them back as the tagger says now.
    await deps.db.deleteFrom('tender_places').execute();
    await deps.db.updateTable('tender_cpv').set({ tagger_version: 'old', tagged_at: '2000-01-01T00:00:00Z' }).execute();
    deps.clock.set('2026-11-25T00:00:00Z');
    const { io: rio } = io('');
    const summary = await retagCommand.run(deps, {}, rio);
    expect(summary).toMatchObject({ command: 'retag', tenders: 3, failed: 0 });
    const after = await deps.db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'code']).orderBy(['ocid', 'lot_id', 'role', 'code']).execute();
    expect(after).toEqual(before);
    const cpv = await deps.db.selectFrom('tender_cpv').select(['tagger_version', 'tagged_at']).distinct().execute();
    expect(cpv).toHaveLength(1);
    expect(cpv[0].tagged_at).toBe('2026-11-25T00:00:00.000Z');
    expect(cpv[0].tagger_version).not.toBe('old');
  });

  it('queues for matching the tenders whose places or CPV codes changed, and only those', async () => {
    const deps = await testDeps();
    await staleTags(deps.db);
    const { io: rio } = io('');
    const summary = await retagCommand.run(deps, {}, rio);
    expect(summary).toMatchObject({ command: 'retag', tenders: 3, failed: 0, tagsChanged: 2, queued: 2 });
    expect(await queued(deps.db)).toEqual(['ocds-b5fd17-test-open-1', 'ocds-r6ebe6-test-1']);

    // Retagged again, only the times and the tagger's version move: nothing more is queued.
    await deps.db.deleteFrom('match_queue').execute();
    await deps.db.updateTable('tender_cpv').set({ tagger_version: 'old' }).execute();
    deps.clock.set('2026-11-26T00:00:00Z');
    expect(await retagCommand.run(deps, {}, rio)).toMatchObject({ tenders: 3, tagsChanged: 0, queued: 0 });
    expect(await queued(deps.db)).toEqual([]);
  });

  it('stopped at any write, leaves queued on the next run every tender whose tags it changed', async () => {
    const { io: rio } = io('');
    const whole = await faultyStore();
    await staleTags(whole.db);
    whole.failWhen(() => false);
    await retagCommand.run(await testDeps({ db: whole.db }), {}, rio);
    const writes = whole.writes();
    expect(await queued(whole.db)).toEqual(['ocds-b5fd17-test-open-1', 'ocds-r6ebe6-test-1']);
    expect(writes).toBeGreaterThanOrEqual(5);
    for (let crashAt = 1; crashAt <= writes; crashAt++) {
      const store = await faultyStore();
      await staleTags(store.db);
      const deps = await testDeps({ db: store.db });
      store.failWhen((_sql, n) => n === crashAt);
      await expect(retagCommand.run(deps, {}, rio)).rejects.toThrow(/simulated crash/);
      store.failWhen(null);
      await retagCommand.run(deps, {}, rio);
      // A tender whose tags the stopped run had half rewritten is queued too: more than needed, never less.
      expect({ crashAt, queued: await queued(store.db) }).toEqual({ crashAt, queued: expect.arrayContaining(['ocds-b5fd17-test-open-1', 'ocds-r6ebe6-test-1']) });
      await store.db.destroy();
    }
    await whole.db.destroy();
  });
});
