import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';
import { addLot, addMatch, addTender } from '../support/alerts-seed.js';

async function setup() {
  const deps = await testDeps();
  const app = createApp(deps);
  const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration()) });
  expect(res.status).toBe(201);
  const { supplier } = (await res.json()) as { supplier: { id: string } };
  const matches = async (query = '') => {
    const r = await app.request(`/suppliers/${supplier.id}/matches${query}`);
    return { status: r.status, body: (await r.json()) as { matches: Array<{ ocid: string; lot_id: string }>; error: { code: string; message: string; details: { fields: Array<{ field: string }> } } } };
  };
  return { deps, db: deps.db, id: supplier.id, matches };
}

describe('GET /suppliers/:id/matches', () => {
  it('lists only tenders and lots still open: not cancelled, closed or past their deadline', async () => {
    const { db, id, matches } = await setup();
    const tenders: Array<[string, string | null]> = [
      ['ocds-active', 'active'],
      ['ocds-planned', 'planned'],
      ['ocds-no-status', null],
      ['ocds-cancelled', 'cancelled'],
      ['ocds-unsuccessful', 'unsuccessful'],
      ['ocds-complete', 'complete'],
      ['ocds-withdrawn', 'withdrawn'],
      ['ocds-lots', 'active'],
    ];
    for (const [ocid, status] of tenders) {
      await addTender(db, { ocid, status });
      if (ocid !== 'ocds-lots') await addMatch(db, { supplier: id, ocid, score: 0.6 });
    }
    await addLot(db, { ocid: 'ocds-lots', lotId: '1', status: 'active' });
    await addLot(db, { ocid: 'ocds-lots', lotId: '2', status: 'cancelled' });
    await addMatch(db, { supplier: id, ocid: 'ocds-lots', lotId: '1', score: 0.7 });
    await addMatch(db, { supplier: id, ocid: 'ocds-lots', lotId: '2', score: 0.9 });
    await addTender(db, { ocid: 'ocds-expired' });
    await addMatch(db, { supplier: id, ocid: 'ocds-expired', score: 0.95 });
    await db.updateTable('matches').set({ deadline: '2026-11-20T12:00:00Z' }).where('ocid', '=', 'ocds-expired').execute();

    const { status, body } = await matches();
    expect(status).toBe(200);
    expect(body.matches.map((m) => `${m.ocid}/${m.lot_id}`).sort()).toEqual(['ocds-active/', 'ocds-lots/1', 'ocds-no-status/', 'ocds-planned/']);
  });

  it('answers a bad limit or offset with 400 naming each field, and pages with good ones', async () => {
    const { db, id, matches } = await setup();
    for (const [i, ocid] of ['ocds-a', 'ocds-b', 'ocds-c'].entries()) {
      await addTender(db, { ocid });
      await addMatch(db, { supplier: id, ocid, score: 0.9 - i / 10 });
    }
    const bad = await matches('?limit=abc&offset=-4');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_query');
    expect(bad.body.error.details.fields.map((f) => f.field)).toEqual(['limit', 'offset']);
    expect(bad.body.error.message).toMatch(/limit .*offset/);
    for (const q of ['?limit=0', '?limit=501', '?limit=2.5', '?limit=', '?offset=1.5', '?offset=x']) {
      expect((await matches(q)).status, q).toBe(400);
    }
    const page = await matches('?limit=1&offset=1');
    expect(page.status).toBe(200);
    expect(page.body.matches.map((m) => m.ocid)).toEqual(['ocds-b']);
    expect((await matches()).body.matches.map((m) => m.ocid)).toEqual(['ocds-a', 'ocds-b', 'ocds-c']);
  });
});
