import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { regionCodesFor } from '../../db/queries/places.js';
import { storeReleases } from '../../src/ingest/store.js';
import { createApp } from '../../src/app.js';
import { cfTender, pcsTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';

const ADMIN = 'admin-key-for-places-tests-0123456789';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** The app on a real HTTP server on 127.0.0.1, with one Scottish and one West Midlands tender stored. */
async function start() {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN } });
  const releases = [pcsTender(1), cfTender(1)].map((v) => ({ raw: JSON.stringify(v), value: v }));
  await storeReleases(deps.db, 'test', releases, deps.clock.now().toISOString());
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const call = async (method: string, path: string, body?: unknown, key: string | null = ADMIN) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { deps, call };
}

const WMCA = ['TLG31', 'TLG32', 'TLG33', 'TLG36', 'TLG37', 'TLG38', 'TLG39'];

describe('named places', () => {
  it('an administrator defines, lists, replaces and deletes a place; the store follows', async () => {
    const { deps, call } = await start();
    const put = await call('PUT', `/places/${encodeURIComponent('West Midlands Combined Authority')}`, {
      codes: ['UKG31', 'UKG32', 'UKG33', 'UKG36', 'UKG37', 'UKG38', 'TLG39'],
      description: 'The seven metropolitan boroughs',
    });
    expect(put.status).toBe(201);
    expect(put.body.place.codes.map((c: { code: string }) => c.code)).toEqual(WMCA);
    expect(put.body.place.codes[0]).toEqual({ code: 'TLG31', name: 'Birmingham', level: 3 });
    const row = await deps.db.selectFrom('places').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'West Midlands Combined Authority', name_key: 'west midlands combined authority', codes: JSON.stringify(WMCA) });

    const list = await call('GET', '/places');
    expect(list.status).toBe(200);
    expect(list.body.places.map((p: { name: string }) => p.name)).toEqual(['West Midlands Combined Authority']);

    // Same name, other case: replaces, keeps the creation time.
    const again = await call('PUT', `/places/${encodeURIComponent('west midlands combined authority')}`, { codes: ['TLG31'] });
    expect(again.status).toBe(200);
    const rows = await deps.db.selectFrom('places').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].codes)).toEqual(['TLG31']);

    const del = await call('DELETE', `/places/${encodeURIComponent('West Midlands Combined Authority')}`);
    expect(del.status).toBe(200);
    expect(await deps.db.selectFrom('places').selectAll().execute()).toEqual([]);
    expect((await call('DELETE', '/places/Nowhere')).status).toBe(404);
  });

  it('needs the admin key for every verb', async () => {
    const { deps, call } = await start();
    expect((await call('GET', '/places', undefined, null)).status).toBe(401);
    expect((await call('PUT', '/places/Somewhere', { codes: ['TLG31'] }, 'not-the-admin-key-at-all')).status).toBe(403);
    expect((await call('DELETE', '/places/Somewhere', undefined, null)).status).toBe(401);
    expect(await deps.db.selectFrom('places').selectAll().execute()).toEqual([]);
  });

  it('rejects unknown codes and bad names with a message, storing nothing', async () => {
    const { deps, call } = await start();
    const bad = await call('PUT', '/places/Somewhere', { codes: ['TLG31', 'FR101', 'Atlantis'] });
    // Codes in the body that are not regions: 422 naming each; a name in the path that is a code: 400.
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_body');
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['codes[1]', 'codes[2]']);
    expect((await call('PUT', '/places/UKG31', { codes: ['TLG31'] })).status).toBe(400);
    expect((await call('PUT', '/places/Somewhere', { codes: [] })).status).toBe(422);
    expect((await call('PUT', '/places/Somewhere', { codes: ['TLG31'], colour: 'blue' })).status).toBe(422);
    expect(await deps.db.selectFrom('places').selectAll().execute()).toEqual([]);
  });

  it('lets every region filter take a place name: GET /tenders?region=', async () => {
    const { deps, call } = await start();
    await call('PUT', `/places/${encodeURIComponent('Glasgow and Clyde')}`, { codes: ['UKM82', 'UKM83'] });
    const tagged = await deps.db.selectFrom('tender_places').select(['ocid', 'code']).where('role', '=', 'delivery').where('lot_id', '=', '').execute();
    expect(tagged.map((t) => t.code).sort()).toEqual(['TLG', 'TLM82']);
    const glasgow = await call('GET', `/tenders?region=${encodeURIComponent('Glasgow and Clyde')}`, undefined, null);
    expect(glasgow.status).toBe(200);
    expect(glasgow.body.tenders).toHaveLength(1);
    expect(glasgow.body.tenders[0].ocid).toBe(tagged.find((t) => t.code === 'TLM82')!.ocid);
  });
});

describe('regionCodesFor', () => {
  it.each([
    ['UKG31', ['TLG31']],
    ['TLM82', ['TLM82']],
    ['UKM21', ['TLM71']],
    ['Yorkshire and the Humber', ['TLE']],
    ['England', ['TLC', 'TLD', 'TLE', 'TLF', 'TLG', 'TLH', 'TLI', 'TLJ', 'TLK']],
    ['United Kingdom', ['TL']],
    ['Atlantis', null],
    ['', null],
  ])('%j → %j', async (input, codes) => {
    const { deps } = await start();
    expect(await regionCodesFor(deps.db, input)).toEqual(codes);
  });
  it('prefers an administrator place over a built-in region name', async () => {
    const { deps, call } = await start();
    await call('PUT', '/places/West%20Midlands', { codes: WMCA });
    expect(await regionCodesFor(deps.db, 'west midlands')).toEqual(WMCA);
  });
});
