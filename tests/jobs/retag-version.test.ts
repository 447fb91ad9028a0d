import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { drainMatchQueue } from '../../jobs/match.js';
import { checkTaggerVersion, retagIfStale, storedTaggerVersion } from '../../jobs/retag.js';
import { TAGGER_VERSION } from '../../src/domain/tagging/index.js';
import { cfTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';
import type { Db } from '../../db/client.js';

const queued = async (db: Db) => (await db.selectFrom('match_queue').select('ocid').orderBy('ocid').execute()).map((r) => r.ocid);

/**
 * Two stored tenders tagged by an older model: one published with a code (its tags will not change), one without
 * any, whose inferred code the old model got wrong. The match queue is empty, as after a match run.
 */
async function taggedByAnOlderModel(db: Db) {
  const withCode = cfTender(1);
  const withoutCode = cfTender(2, {});
  delete (withoutCode.tender as Record<string, unknown>).classification;
  await storeReleases(db, 'cf', [withCode, withoutCode].map((v) => ({ raw: JSON.stringify(v), value: v })), '2026-11-24T09:00:00.000Z');
  await db.deleteFrom('match_queue').execute();
  await db.deleteFrom('tender_cpv').where('ocid', '=', 'ocds-b5fd17-test-open-2').execute();
  await db
    .insertInto('tender_cpv')
    .values({ ocid: 'ocds-b5fd17-test-open-2', lot_id: '', code: '03111100', method: 'inferred', confidence: 0.4, reason: 'no_code', tagger_version: 'nb-groups-2', tagged_at: '2026-01-01T00:00:00Z' })
    .execute();
  await db.updateTable('tender_cpv').set({ tagger_version: 'nb-groups-2' }).execute();
  await db.insertInto('tagger_state').values({ id: 1, version: 'nb-groups-2', retagged_at: '2026-01-01T00:00:00Z' }).execute();
}

describe('a new tagger model version', () => {
  it('is recorded on a store with no tenders, with nothing to retag', async () => {
    const deps = await testDeps();
    expect(await checkTaggerVersion(deps)).toEqual({ state: 'recorded', version: TAGGER_VERSION });
    expect(await storedTaggerVersion(deps.db)).toBe(TAGGER_VERSION);
    expect(await checkTaggerVersion(deps)).toEqual({ state: 'current', version: TAGGER_VERSION });
  });

  it('retags every tender, queues the ones whose tags changed, records the version, and the match job matches them', async () => {
    const deps = await testDeps();
    await taggedByAnOlderModel(deps.db);
    const { check, retag } = await retagIfStale(deps);
    expect(check).toEqual({ state: 'stale', version: TAGGER_VERSION, storedVersion: 'nb-groups-2', tenders: 2 });
    expect(retag).toMatchObject({ taggerVersion: TAGGER_VERSION, previousVersion: 'nb-groups-2', tenders: 2, tagsChanged: 1, queued: 1 });
    expect(await queued(deps.db)).toEqual(['ocds-b5fd17-test-open-2']);
    expect(await storedTaggerVersion(deps.db)).toBe(TAGGER_VERSION);
    const rows = await deps.db.selectFrom('tender_cpv').select(['ocid', 'code', 'method', 'tagger_version']).orderBy(['ocid', 'code']).execute();
    expect(rows.every((r) => r.tagger_version === TAGGER_VERSION)).toBe(true);
    expect(rows.filter((r) => r.ocid === 'ocds-b5fd17-test-open-2').every((r) => r.method === 'inferred' && r.code.startsWith('72'))).toBe(true);
    expect(deps.log.lines.map((l) => l.msg)).toContain(`stored CPV tags come from tagger nb-groups-2, this is ${TAGGER_VERSION}: retagging 2 tenders`);

    expect(await drainMatchQueue(deps)).toMatchObject({ matched: 1 });
    expect(await queued(deps.db)).toEqual([]);
    // The same version again: nothing to do.
    expect(await retagIfStale(deps)).toEqual({ check: { state: 'current', version: TAGGER_VERSION }, retag: null });
  });

  it('with RETAG_ON_START=false only says that `retag` should run, and changes nothing', async () => {
    const deps = await testDeps({ env: { RETAG_ON_START: 'false' } });
    await taggedByAnOlderModel(deps.db);
    expect(await retagIfStale(deps)).toMatchObject({ check: { state: 'stale' }, retag: null });
    expect(deps.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: `stored CPV tags come from tagger nb-groups-2, this is ${TAGGER_VERSION}: run \`npm run cli -- retag\` to retag 2 tenders` }),
    );
    expect(await queued(deps.db)).toEqual([]);
    expect(await storedTaggerVersion(deps.db)).toBe('nb-groups-2');
    expect((await deps.db.selectFrom('tender_cpv').select('code').where('ocid', '=', 'ocds-b5fd17-test-open-2').execute()).map((r) => r.code)).toEqual(['03111100']);
  });
});
