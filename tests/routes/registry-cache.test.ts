import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { RegistryCache } from '../../src/registry-cache.js';
import { registryVersion, setMembers } from '../../db/queries/suppliers.js';
import { jsonCaller, STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { glasgowInspection, registration, storeTenders } from '../support/matching-fixtures.js';

const glasgow = glasgowInspection;
const sparks = registration({ name: 'Glasgow Sparks', postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'], max_contract_value: 500000 });
const cardiff = registration({ name: 'Cardiff Electrics', company_number: '07654321', postcode: 'CF10 1AA', home_region: null, national: true, cpv_codes: ['50711000'], max_contract_value: 500000 });

type App = ReturnType<typeof createApp>;
type Listing = { opportunities: Array<{ suppliers: Array<{ supplier_id: string }> }> };

async function register(app: App, body: Record<string, unknown>) {
  const res = await jsonCaller(app)('POST', '/suppliers', body);
  expect(res.status).toBe(201);
  return (await res.json()) as { supplier: { id: string }; key: string };
}

async function listed(app: App): Promise<string[]> {
  const res = await app.request(`/tenders/${glasgow.ocid}/suppliers`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Listing).opportunities[0].suppliers.map((s) => s.supplier_id).sort();
}


describe.each(STORE_ENGINES)('the supplier registry held in memory for officers, on %s', (_engine, openStore) => {
  const open = storesPerTest(openStore);

  it('shows every write at once, made through this instance or another over the same store', async () => {
    const db = await open();
    const deps = await testDeps({ db });
    const here = createApp(deps);
    const there = createApp(deps);
    await storeTenders(deps.db, [glasgow]);
    const a = await register(here, sparks);
    expect(await listed(here)).toEqual([a.supplier.id]);

    const b = await register(there, cardiff);
    expect(await listed(here)).toEqual([a.supplier.id, b.supplier.id].sort());

    // B stops doing electrical inspection: gone from the listing.
    expect((await jsonCaller(there)('PATCH', `/suppliers/${b.supplier.id}`, { cpv_codes: ['72000000'] }, b.key)).status).toBe(200);
    expect(await listed(here)).toEqual([a.supplier.id]);

    expect((await jsonCaller(there)('DELETE', `/suppliers/${a.supplier.id}`, undefined, a.key)).status).toBe(200);
    expect(await listed(here)).toEqual([]);
  });
});

describe.each(STORE_ENGINES)('the supplier registry changed in place, on %s', (_engine, openStore) => {
  const open = storesPerTest(openStore);

  it('shows an add, a change and a remove on the next officer search and who-could-bid, as a full load would, without reloading', async () => {
    const db = await open();
    const deps = await testDeps({ db });
    const cache = new RegistryCache();
    const here = createApp(deps, { registry: cache });
    await storeTenders(deps.db, [glasgow]);
    const a = await register(here, sparks);
    const b = await register(here, registration({ name: 'Clyde Testing', company_number: 'SC111222', postcode: 'G1 1AA', home_region: 'UKM82', cpv_codes: ['50711000', '71631000'], description: 'Electrical testing and inspection of schools', max_contract_value: 300000 }));
    const answers = async (app: App) => {
      const search = await app.request('/suppliers?q=electrical');
      const listing = await app.request(`/tenders/${glasgow.ocid}/suppliers`);
      const place = await app.request('/suppliers?region=TLM82&cpv=5071');
      return { search: await search.json(), listing: await listing.json(), place: await place.json() };
    };
    const same = async () => {
      const mine = await answers(here);
      // A fresh holder loads the store whole.
      expect(mine).toEqual(await answers(createApp(deps)));
      return mine as { search: { suppliers: Array<{ id: string; name: string }> }; listing: Listing };
    };
    // Built (index and search) before the changes, so that they are changed in place.
    const before = await same();
    expect(before.search.suppliers.map((s) => s.id)).toContain(b.supplier.id);
    expect(before.listing.opportunities[0].suppliers.map((s) => s.supplier_id).sort()).toEqual([a.supplier.id, b.supplier.id].sort());
    expect(cache.loads).toBe(1);

    // Added.
    const c = await register(here, registration({ name: 'Electrical Glasgow Co', company_number: 'SC333444', postcode: 'G21 2AA', home_region: 'UKM82', cpv_codes: ['50711000'], max_contract_value: 900000 }));
    let seen = await same();
    expect(seen.search.suppliers.map((s) => s.id)).toContain(c.supplier.id);
    expect(seen.listing.opportunities[0].suppliers.map((s) => s.supplier_id)).toContain(c.supplier.id);

    // Changed: renamed and no longer electrical.
    expect((await jsonCaller(here)('PATCH', `/suppliers/${a.supplier.id}`, { name: 'Glasgow Gardens', cpv_codes: ['77310000'] }, a.key)).status).toBe(200);
    seen = await same();
    expect(seen.listing.opportunities[0].suppliers.map((s) => s.supplier_id)).not.toContain(a.supplier.id);

    // Removed.
    expect((await jsonCaller(here)('DELETE', `/suppliers/${b.supplier.id}`, undefined, b.key)).status).toBe(200);
    seen = await same();
    expect(seen.search.suppliers.map((s) => s.id)).toEqual([c.supplier.id]);
    expect(seen.listing.opportunities[0].suppliers.map((s) => s.supplier_id)).toEqual([c.supplier.id]);

    // Every change was taken in place: one load in all.
    expect(cache.loads).toBe(1);
    expect(cache.updates).toBe(3);
  });
});

describe('the supplier registry held in memory for officers', () => {
  it('loads once while nothing changes, changes in place after any supplier or membership write, and loads again after its maximum age', async () => {
    const deps = await testDeps({ env: { REGISTRY_MAX_AGE_SECONDS: '60' } });
    const app = createApp(deps);
    const cache = new RegistryCache();
    const a = await register(app, sparks);

    const first = await cache.current(deps);
    expect(first.profiles.map((p) => p.id)).toEqual([a.supplier.id]);
    // Requests arriving together share one load.
    const [x, y] = await Promise.all([cache.current(deps), cache.current(deps)]);
    expect(x).toBe(first);
    expect(y).toBe(first);
    expect(cache.loads).toBe(1);

    const before = await registryVersion(deps.db);
    const coop = await register(app, registration({ name: 'Clyde Co-op', kind: 'cooperative', company_number: 'SC765432', postcode: 'G1 1AA', cpv_codes: [], members: [a.supplier.id] }));
    expect(await registryVersion(deps.db)).toBeGreaterThan(before);
    const second = await cache.current(deps);
    expect(cache.loads).toBe(1);
    expect(cache.updates).toBe(1);
    // Named, not yet a member: its capabilities do not count for the cooperative.
    expect(second.byId.get(coop.supplier.id)?.cpv).toEqual([]);

    // The firm accepts: the version moves, and the cooperative now does what its member does.
    const atInvited = await registryVersion(deps.db);
    expect((await jsonCaller(app)('PUT', `/suppliers/${a.supplier.id}/memberships/${coop.supplier.id}`, undefined, a.key)).status).toBe(200);
    expect(await registryVersion(deps.db)).toBeGreaterThan(atInvited);
    expect((await cache.current(deps)).byId.get(coop.supplier.id)?.cpv).toEqual(['50711000']);
    expect(cache.updates).toBe(2);

    // The member changes what it does: the cooperative it counts for changes with it.
    expect((await jsonCaller(app)('PATCH', `/suppliers/${a.supplier.id}`, { cpv_codes: ['50711000', '45310000'] }, a.key)).status).toBe(200);
    expect((await cache.current(deps)).byId.get(coop.supplier.id)?.cpv).toEqual(['50711000', '45310000']);
    expect(cache.updates).toBe(3);

    // A membership change alone moves the version too.
    const atMembers = await registryVersion(deps.db);
    await setMembers(deps.db, coop.supplier.id, [], deps.clock.now().toISOString());
    expect(await registryVersion(deps.db)).toBeGreaterThan(atMembers);
    expect((await cache.current(deps)).byId.get(coop.supplier.id)?.cpv).toEqual([]);
    expect(cache.updates).toBe(4);
    expect(cache.loads).toBe(1);

    // Nothing written, but older than REGISTRY_MAX_AGE_SECONDS: loaded again (award notices may have added track records).
    deps.clock.advance(59_000);
    await cache.current(deps);
    expect(cache.loads).toBe(1);
    deps.clock.advance(2_000);
    await cache.current(deps);
    expect(cache.loads).toBe(2);
  });

  it('loads whole when the store no longer holds every change it missed', async () => {
    const deps = await testDeps();
    const app = createApp(deps);
    const cache = new RegistryCache();
    await register(app, sparks);
    await cache.current(deps);
    const b = await register(app, cardiff);
    // As if trimmed: the change is gone, so the holder cannot know what moved.
    await deps.db.deleteFrom('registry_changes').execute();
    const held = await cache.current(deps);
    expect(cache.loads).toBe(2);
    expect(held.byId.has(b.supplier.id)).toBe(true);
  });

  it('reloads on every request when the maximum age is 0', async () => {
    const deps = await testDeps({ env: { REGISTRY_MAX_AGE_SECONDS: '0' } });
    const cache = new RegistryCache();
    await cache.current(deps);
    await cache.current(deps);
    expect(cache.loads).toBe(2);
  });
});
