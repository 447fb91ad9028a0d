import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { cfAward } from '../support/fixtures/releases.js';
import { tfgmBusAward, toOldContractsFinderShape } from '../support/fixtures/old-contracts-finder.js';
import { STORE_ENGINES, storesPerTest } from '../support/helpers.js';

const incoming = (values: JsonObject[]) => values.map((v) => ({ raw: JSON.stringify(v), value: v }));
const NOW = '2026-11-24T09:00:00.000Z';

describe.each(STORE_ENGINES)('nothing lost on the way into the store (%s)', (_engine, open) => {
  const fresh = storesPerTest(open);

  it('an old-shape Contracts Finder award keeps every supplier as a row, with its flags and postcode', async () => {
    const db = await fresh();
    const releases = [1, 2, 3].map((n) => toOldContractsFinderShape(tfgmBusAward(n)));
    const counts = await storeReleases(db, 'cf', incoming(releases), NOW);
    expect(counts).toMatchObject({ inserted: 3, quarantined: 0 });
    const rows = await db.selectFrom('award_suppliers').selectAll().orderBy('ocid').orderBy('party_id').execute();
    expect(rows).toHaveLength(12);
    const one = rows.filter((r) => r.ocid === 'ocds-b5fd17-test-tfgm-1');
    expect(one.map((r) => [r.party_id, r.name, r.postcode, r.scale, r.vcse])).toEqual([
      ['#1', 'First Manchester Limited', 'OL1 3TR', 'large', 0],
      ['#2', 'Go North West', 'M8 8UT', 'large', 0],
      ['#3', 'Stagecoach Manchester', 'M12 6JS', 'large', 0],
      ['#4', 'Stotts Tours (Oldham) Ltd', 'OL3 6ED', 'sme', 1],
    ]);
    // The inline buyer's postcode places the tender: Manchester, in Greater Manchester.
    const tender = await db.selectFrom('tenders').select(['buyer_postcode']).where('ocid', '=', 'ocds-b5fd17-test-tfgm-1').executeTakeFirstOrThrow();
    expect(tender.buyer_postcode).toBe('M1 3BG');
    const buyer = await db.selectFrom('tender_places').select(['code', 'lad', 'lad_confidence']).where('ocid', '=', 'ocds-b5fd17-test-tfgm-1').where('role', '=', 'buyer').execute();
    expect(buyer).toEqual([{ code: 'TLD33', lad: 'E08000003', lad_confidence: 1 }]);
    const supplierPlaces = await db.selectFrom('tender_places').select(['party_id']).where('ocid', '=', 'ocds-b5fd17-test-tfgm-1').where('role', '=', 'supplier').execute();
    expect(supplierPlaces).toHaveLength(4);
    // Storing the same releases again changes nothing.
    expect(await storeReleases(db, 'cf', incoming(releases), NOW)).toMatchObject({ unchanged: 3, inserted: 0, updated: 0 });
    expect(await db.selectFrom('award_suppliers').select('party_id').execute()).toHaveLength(12);
  });

  it('a release with "date": "" is stored, dated from the notice, not quarantined', async () => {
    const db = await fresh();
    const counts = await storeReleases(db, 'cf', incoming([cfAward(7, { date: '' })]), NOW);
    expect(counts).toMatchObject({ inserted: 1, quarantined: 0 });
    expect(await db.selectFrom('quarantine').selectAll().execute()).toEqual([]);
    const release = await db.selectFrom('releases').select(['release_date']).executeTakeFirstOrThrow();
    expect(release.release_date).toBe('2022-10-18T17:08:58+01:00');
    const tender = await db.selectFrom('tenders').select(['published_at', 'last_release_date']).executeTakeFirstOrThrow();
    expect(tender.published_at).toBe('2022-10-18T16:08:58.000Z');
    expect(await db.selectFrom('award_suppliers').select('name').execute()).toEqual([{ name: 'BYTES SOFTWARE SERVICES LIMITED' }]);
  });
});
