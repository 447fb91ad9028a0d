import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { areaFor } from '../../db/queries/places.js';
import { findTenders } from '../../db/queries/tenders.js';
import { createApp } from '../../src/app.js';
import { placeQuery } from '../../src/domain/geo/index.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { cfTender } from '../support/fixtures/releases.js';
import { STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';

/** Open tenders delivered where real Contracts Finder notices say: a postcode, a region name, England, "Any region". */
function delivered(n: number, name: string, address: JsonObject): JsonObject {
  const t = cfTender(n);
  return { ...t, tender: { ...(t.tender as JsonObject), title: name, items: [{ id: '1', deliveryAddresses: [address] }] } };
}
const TENDERS = [
  delivered(1, 'Birmingham by postcode', { postalCode: 'B9 4XE' }),
  delivered(2, 'West Midlands region', { region: 'West Midlands' }),
  delivered(3, 'England-wide', { region: 'England' }),
  delivered(4, 'UK-wide', { region: 'Any region' }),
  delivered(5, 'Leeds by postcode', { postalCode: 'LS2 7UA' }),
  delivered(6, 'Doncaster by postcode', { postalCode: 'DN1 3BU' }),
  delivered(7, 'Barnsley, Doncaster and Rotherham by NUTS code', { region: 'UKE31' }),
  delivered(8, 'Solihull by name', { region: 'Solihull' }),
];
const NOW = '2026-11-24T09:00:00.000Z';
const store = async (db: Parameters<typeof storeReleases>[0]) =>
  storeReleases(db, 'cf', TENDERS.map((v) => ({ raw: JSON.stringify(v), value: v })), NOW);

describe.each(STORE_ENGINES)('tenders found by place (%s)', (_engine, open) => {
  const fresh = storesPerTest(open);
  it.each([
    ['WMCA', false, [1, 2, 3, 4, 8]],
    ['WMCA', true, [1, 8]],
    ['Birmingham', false, [1, 2, 3, 4]],
    ['E08000025', true, [1]],
    ['Doncaster', false, [3, 4, 6, 7]],
    ['Doncaster', true, [6]],
    ['TLE31', true, [6, 7]],
    ['England', true, [1, 2, 3, 5, 6, 7, 8]],
    ['Leeds', false, [3, 4, 5]],
    ['Scotland', false, [4]],
  ])('%s (inside only: %s) → tenders %j', async (asked, inside, expected) => {
    const db = await fresh();
    await store(db);
    const area = (await areaFor(db, asked))!;
    const { tenders } = await findTenders(db, { place: placeQuery(area), placeInside: inside, limit: 50 });
    expect(tenders.map((t) => Number(t.ocid.split('-').at(-1))).sort((a, b) => a - b)).toEqual(expected);
  });
});

describe('GET /tenders?region= says how each tender stands to the place', () => {
  it('inside or wider area, for any kind of place, with the LAD in the stored tags', async () => {
    const deps = await testDeps();
    await store(deps.db);
    const app = createApp(deps);
    const get = async (q: string) => (await (await app.request(`/tenders?${q}`)).json()) as { region: { name: string; kind: string }; tenders: Array<{ title: string; match: string }> };
    const wmca = await get('region=West%20Midlands%20Combined%20Authority');
    expect(wmca.region).toEqual({ name: 'West Midlands Combined Authority', kind: 'combined authority' });
    expect(Object.fromEntries(wmca.tenders.map((t) => [t.title, t.match]))).toEqual({
      'Birmingham by postcode': 'inside',
      'Solihull by name': 'inside',
      'West Midlands region': 'wider area',
      'England-wide': 'wider area',
      'UK-wide': 'wider area',
    });
    for (const q of ['region=TLG31', 'region=Birmingham', 'region=E08000025', 'region=Birmingham%20City%20Council']) {
      expect((await get(q)).tenders.find((t) => t.title === 'Birmingham by postcode')?.match, q).toBe('inside');
    }
    expect((await get('region=WMCA&region_match=inside')).tenders.map((t) => t.title).sort()).toEqual(['Birmingham by postcode', 'Solihull by name']);
    const tags = await deps.db.selectFrom('tender_places').select(['code', 'lad', 'lad_confidence', 'postcode']).where('ocid', '=', 'ocds-b5fd17-test-open-1').where('role', '=', 'delivery').execute();
    expect(tags).toEqual([{ code: 'TLG31', lad: 'E08000025', lad_confidence: 1, postcode: 'B9 4XE' }]);
    const one = (await (await app.request('/tenders/ocds-b5fd17-test-open-1')).json()) as { places: Array<{ role: string; lad: string; lad_name: string }> };
    expect(one.places.find((p) => p.role === 'delivery')).toMatchObject({ lad: 'E08000025', lad_name: 'Birmingham' });
    const bad = await app.request('/tenders?region=Atlantis');
    expect(bad.status).toBe(400);
  });
});
