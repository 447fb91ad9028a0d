import { describe, expect, it } from 'vitest';
import { matchTenders } from '../../jobs/match.js';
import { createApp } from '../../src/app.js';
import { registration, storeTenders } from '../support/matching-fixtures.js';
import { jsonCaller, testDeps } from '../support/helpers.js';

const ADMIN = 'admin-key-for-supplier-places-0123456789';

async function setup() {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN } });
  const call = jsonCaller(createApp(deps));
  const register = async (over: Record<string, unknown>) => {
    const res = await call('POST', '/suppliers', registration({ company_number: null, home_region: null, ...over }));
    const body = (await res.json()) as { supplier: { id: string; serves: string[]; home_region: string }; error?: unknown };
    if (res.status !== 201) throw new Error(JSON.stringify(body));
    return body.supplier;
  };
  return { deps, call, register };
}

describe('serves takes every kind of place, stored as the ITL codes the matcher reads', () => {
  it('combined authorities, local authorities by name or code, ITL codes and named places', async () => {
    const { deps, call, register } = await setup();
    expect((await call('PUT', '/places/Black%20Country', { codes: ['TLG36', 'TLG37', 'TLG38', 'TLG39'] }, ADMIN)).status).toBe(201);
    const s = await register({ name: 'Solihull Grounds', postcode: 'B91 3QB', serves: ['WMCA', 'Wirral Borough Council', 'E08000016', 'UKM82', 'Black Country'] });
    expect(s.serves).toEqual(['TLG31', 'TLG33', 'TLG36', 'TLG37', 'TLG32', 'TLG38', 'TLG39', 'TLD74', 'TLE31', 'TLM82']);
    const row = await deps.db.selectFrom('suppliers').select(['serves', 'home_region']).where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.serves)).toEqual(s.serves);
    const bad = await call('POST', '/suppliers', registration({ serves: ['Narnia City Council'] }));
    expect(bad.status).toBe(422);
  });

  it('a firm in Sheffield serving WMCA is matched to a grounds tender in Solihull', async () => {
    const { deps, register } = await setup();
    const s = await register({ name: 'Sheffield Grounds', postcode: 'S1 2HH', serves: ['West Midlands Combined Authority'] });
    const ocids = await storeTenders(deps.db, [{ ocid: 'ocds-test-solihull', title: 'Grounds maintenance, Solihull parks', cpv: '77310000', region: 'UKG32', value: 90000 }]);
    await matchTenders(deps, { ocids });
    const matches = await deps.db.selectFrom('matches').select(['supplier_id', 'ocid']).execute();
    expect(matches).toEqual([{ supplier_id: s.id, ocid: 'ocds-test-solihull' }]);
  });
});

describe('GET /suppliers?region= with the one meaning of "in a place"', () => {
  it('based there (by postcode) is inside; serving a wider area or the whole UK is a wider area; the rest are left out', async () => {
    const { call, register } = await setup();
    await register({ name: 'Birmingham Grounds', postcode: 'B19 3SD' });
    await register({ name: 'Midlands Grounds', postcode: 'S1 2HH', serves: ['West Midlands'] });
    await register({ name: 'National Grounds', postcode: 'LS2 7UA', national: true });
    await register({ name: 'Glasgow Grounds', postcode: 'G2 5JF' });
    const found = async (q: string) => ((await (await call('GET', `/suppliers?${q}`)).json()) as { suppliers: Array<{ name: string; match: string }> }).suppliers.map((x) => [x.name, x.match]);
    expect(await found('region=WMCA')).toEqual([
      ['Birmingham Grounds', 'inside'],
      ['Midlands Grounds', 'wider area'],
      ['National Grounds', 'wider area'],
    ]);
    expect(await found('region=Birmingham&region_match=inside')).toEqual([['Birmingham Grounds', 'inside']]);
    expect(await found('region=Glasgow%20City')).toEqual([
      ['Glasgow Grounds', 'inside'],
      ['National Grounds', 'wider area'],
    ]);
    expect((await call('GET', '/suppliers?region_match=inside')).status).toBe(400);
  });
});
