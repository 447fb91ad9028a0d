import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { drainSupplierMatchQueue, matchTenders } from '../../jobs/match.js';
import { matchCommand } from '../../src/commands/match.js';
import { testDeps } from '../support/helpers.js';
import { glasgowInspection, registration, storeTenders } from '../support/matching-fixtures.js';

const glasgow = glasgowInspection;

async function setup() {
  const deps = await testDeps();
  const app = createApp(deps);
  const post = async (body: Record<string, unknown>) => {
    const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return ((await res.json()) as { supplier: { id: string; matching: string }; key: string });
  };
  const stored = async () =>
    deps.db.selectFrom('matches').select(['supplier_id', 'ocid', 'lot_id', 'score', 'reasons', 'deadline']).orderBy('supplier_id').execute();
  return { deps, app, post, stored };
}

const sparks = registration({
  name: 'Glasgow Sparks',
  postcode: 'G21 1AA',
  home_region: 'UKM82',
  cpv_codes: ['50711000'],
  description: 'Electrical inspection, testing and condition reports (EICR) for housing associations.',
  keywords: ['electrical inspection'],
  max_contract_value: 500000,
});
// Each its own Companies House number: one supplier per number (migration 006).
const cardiff = registration({ name: 'Cardiff Electrics', company_number: '07654321', postcode: 'CF10 1AA', home_region: null, cpv_codes: ['50711000'], max_contract_value: 500000 });

describe('match job and match routes', () => {
  it('matches a new tender, replaces the matches when it changes and drops them when it closes', async () => {
    const { deps, app, post, stored } = await setup();
    const a = await post(sparks);
    const b = await post(cardiff);
    const ocids = await storeTenders(deps.db, [glasgow]);
    const first = await matchTenders(deps, { ocids });
    expect(first).toMatchObject({ tenders: 1, opportunities: 1, written: 1 });
    let rows = await stored();
    expect(rows.map((r) => r.supplier_id)).toEqual([a.supplier.id]);
    expect(JSON.parse(rows[0].reasons)).toContain('The buyer marked it as suitable for SMEs.');

    // Twice changes nothing.
    await matchTenders(deps, { ocids });
    expect(await stored()).toEqual(rows);

    const res = await app.request(`/suppliers/${a.supplier.id}/matches`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { matches: Array<{ ocid: string; title: string; reasons: string[] }> };
    expect(body.matches).toHaveLength(1);
    expect(body.matches[0]).toMatchObject({ ocid: glasgow.ocid, title: glasgow.title });
    expect(body.matches[0].reasons[0]).toMatch(/50711000/);
    const none = (await (await app.request(`/suppliers/${b.supplier.id}/matches`)).json()) as { matches: unknown[] };
    expect(none.matches).toEqual([]);

    // The tender becomes UK-wide and bigger: Cardiff now qualifies too, and the stored set is replaced.
    const changed = await storeTenders(deps.db, [{ ...glasgow, region: 'UK', date: '2026-11-10' }]);
    await matchTenders(deps, { ocids: changed });
    rows = await stored();
    expect(rows.map((r) => r.supplier_id).sort()).toEqual([a.supplier.id, b.supplier.id].sort());

    // Cancelled: every stored match goes.
    const cancelled = await storeTenders(deps.db, [{ ...glasgow, status: 'cancelled', date: '2026-11-12' }]);
    const last = await matchTenders(deps, { ocids: cancelled });
    expect(last.closed).toBe(1);
    expect(await stored()).toEqual([]);
  });

  it('never matches an expired tender, and drops stored matches once the deadline passes', async () => {
    const { deps, post, stored } = await setup();
    await post(sparks);
    const expired = await storeTenders(deps.db, [{ ...glasgow, ocid: 'ocds-test-expired', deadline: '2026-11-20T12:00:00Z' }]);
    const r = await matchTenders(deps, { ocids: expired });
    expect(r).toMatchObject({ closed: 1, written: 0 });
    expect(await stored()).toEqual([]);

    const open = await storeTenders(deps.db, [{ ...glasgow, deadline: '2026-11-25T12:00:00Z' }]);
    await matchTenders(deps, { ocids: open });
    expect(await stored()).toHaveLength(1);
    deps.clock.set('2026-11-26T00:00:00Z');
    const later = await matchTenders(deps, { ocids: [] });
    expect(later.expiredDropped).toBe(1);
    expect(await stored()).toEqual([]);
  });

  it('queues a supplier for matching when it registers and when its profile changes; the job writes its matches', async () => {
    const { deps, app, post, stored } = await setup();
    await storeTenders(deps.db, [glasgow]);
    const b = await post(cardiff);
    // The answer does not wait for matching: it says the matches are pending, and the job has been kicked.
    expect(b.supplier.matching).toBe('pending');
    expect(deps.jobs.kicked).toEqual(['match-suppliers']);
    const pending = async () => ((await (await app.request(`/suppliers/${b.supplier.id}/matches`)).json()) as { matching: string; matches: unknown[] });
    expect(await pending()).toEqual({ supplier_id: b.supplier.id, matching: 'pending', matches: [], up_for_renewal: [] });
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 1, queued: 0, suppliers: 1, openTenders: 1, written: 0 });
    expect(await pending()).toEqual({ supplier_id: b.supplier.id, matching: 'done', matches: [], up_for_renewal: [] });

    const patched = await app.request(`/suppliers/${b.supplier.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${b.key}` },
      body: JSON.stringify({ serves: ['Scotland'] }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ supplier: { id: b.supplier.id, matching: 'pending' } });
    expect(deps.jobs.kicked).toEqual(['match-suppliers', 'match-suppliers']);
    expect(await stored()).toEqual([]);
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 1, queued: 0, written: 1, removed: 0 });
    expect((await stored()).map((r) => r.supplier_id)).toEqual([b.supplier.id]);
    expect((await pending()).matching).toBe('done');
    expect((await pending()).matches).toHaveLength(1);
    // Matching again changes nothing; a profile that no longer fits loses its match.
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 0, written: 0 });
    await app.request(`/suppliers/${b.supplier.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${b.key}` },
      body: JSON.stringify({ serves: [] }),
    });
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 1, written: 0, removed: 1 });
    expect(await stored()).toEqual([]);
  });

  it('links a supplier to the contracts it has won by its Companies House number, and says so', async () => {
    const { deps, post, stored } = await setup();
    await storeTenders(deps.db, [
      { ...glasgow, ocid: 'ocds-test-won-before', status: 'complete', deadline: '2025-01-10T12:00:00Z', date: '2025-01-01', awardedTo: ['SC765432'] },
    ]);
    const a = await post({ ...sparks, company_number: 'SC765432' });
    const b = await post({ ...sparks, name: 'Glasgow Sparks Two', company_number: 'SC111111' });
    const ocids = await storeTenders(deps.db, [glasgow]);
    await matchTenders(deps, { ocids });
    const rows = await stored();
    const byId = new Map(rows.map((r) => [r.supplier_id, r]));
    expect(JSON.parse(byId.get(a.supplier.id)!.reasons)).toContain('You have won 1 similar public contract before (published award notices).');
    expect(JSON.parse(byId.get(b.supplier.id)!.reasons).join(' ')).not.toMatch(/won/);
    expect(byId.get(a.supplier.id)!.score).toBeGreaterThan(byId.get(b.supplier.id)!.score);
  });

  it('lists, for an officer, the suppliers who could bid: local first, with reasons, high-potential filter', async () => {
    const { deps, app, post } = await setup();
    await storeTenders(deps.db, [{ ...glasgow, region: 'UK' }]);
    const local = await post(sparks);
    const far = await post({
      ...cardiff,
      growth: [
        { year: 2022, employees: 10, turnover: 1e6 },
        { year: 2025, employees: 30, turnover: 1e6 },
      ],
    });
    await post(registration({ name: 'Unrelated Software', company_number: 'SC222222', postcode: 'G1 1AA', cpv_codes: ['72000000'] }));
    const res = await app.request(`/tenders/${glasgow.ocid}/suppliers`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { opportunities: Array<{ suppliers: Array<{ supplier_id: string; high_potential: boolean; reasons: string[] }> }> };
    const ids = body.opportunities[0].suppliers.map((s) => s.supplier_id);
    expect(ids.sort()).toEqual([far.supplier.id, local.supplier.id].sort());
    const hp = (await (await app.request(`/tenders/${glasgow.ocid}/suppliers?high_potential=true`)).json()) as typeof body;
    expect(hp.opportunities[0].suppliers.map((s) => s.supplier_id)).toEqual([far.supplier.id]);
    expect(hp.opportunities[0].suppliers[0].reasons).toContain('It is flagged as a high-potential firm.');
    expect((await app.request('/tenders/ocds-nope/suppliers')).status).toBe(404);
  });

  it('speaks of the supplier to officers and to the supplier itself, with the same numbers', async () => {
    const { deps, app, post } = await setup();
    await storeTenders(deps.db, [glasgow]);
    const local = await post(sparks);
    await matchTenders(deps, { ocids: [glasgow.ocid] });
    const own = (await (await app.request(`/suppliers/${local.supplier.id}/matches`, { headers: { authorization: `Bearer ${local.key}` } })).json()) as {
      matches: Array<{ ocid: string; score: number; reasons: string[] }>;
    };
    const officer = (await (await app.request(`/tenders/${glasgow.ocid}/suppliers`)).json()) as {
      opportunities: Array<{ suppliers: Array<{ supplier_id: string; score: number; reasons: string[] }> }>;
    };
    const mine = own.matches.find((m) => m.ocid === glasgow.ocid)!;
    const theirs = officer.opportunities[0].suppliers.find((s) => s.supplier_id === local.supplier.id)!;
    expect(theirs.score).toBe(mine.score);
    expect(mine.reasons.join(' ')).toMatch(/\bYou are based in Glasgow City \(TLM82\), where the work is delivered\./);
    expect(theirs.reasons.join(' ')).toMatch(/\bIt is based in Glasgow City \(TLM82\), where the work is delivered\./);
    expect(theirs.reasons.length).toBe(mine.reasons.length);
    for (const r of theirs.reasons) expect(r).not.toMatch(/\b(you|your)\b/i);
  });

  it('puts local suppliers before distant ones for a place-bound tender', async () => {
    const { deps, app, post } = await setup();
    await storeTenders(deps.db, [glasgow]);
    const local = await post(sparks);
    const national = await post({ ...cardiff, national: true, name: 'National Electrics' });
    const body = (await (await app.request(`/tenders/${glasgow.ocid}/suppliers`)).json()) as {
      opportunities: Array<{ suppliers: Array<{ supplier_id: string; local: string }> }>;
    };
    expect(body.opportunities[0].suppliers.map((s) => [s.supplier_id, s.local])).toEqual([
      [local.supplier.id, 'same area'],
      [national.supplier.id, 'not local'],
    ]);
  });
});

describe('match command', () => {
  const io = { stdin: process.stdin, out: () => {}, progress: () => {} };

  it('alone matches the tenders waiting in the match queue; --ocid, --all and --supplier work as before', async () => {
    const { deps, post, stored } = await setup();
    const a = await post({ ...sparks, company_number: 'SC700021' });
    await storeTenders(deps.db, [glasgow, { ...glasgow, ocid: 'ocds-test-glasgow-2', title: 'Electrical inspection, South Glasgow' }]);
    expect(await stored()).toEqual([]);

    const drained = await matchCommand.run(deps, {}, io);
    expect(drained).toMatchObject({ command: 'match', job: 'match-queue', matched: 2, queued: 0, tenders: 2, written: 2 });
    expect((await stored()).map((m) => m.ocid).sort()).toEqual([glasgow.ocid, 'ocds-test-glasgow-2']);
    expect(await deps.db.selectFrom('match_queue').selectAll().execute()).toEqual([]);
    expect(await matchCommand.run(deps, {}, io)).toMatchObject({ matched: 0, queued: 0, written: 0 });

    await deps.db.deleteFrom('matches').execute();
    expect(await matchCommand.run(deps, { ocid: glasgow.ocid }, io)).toMatchObject({ job: 'match-tenders', tenders: 1, written: 1, queued: 0 });
    expect((await stored()).map((m) => m.ocid)).toEqual([glasgow.ocid]);

    await deps.db.deleteFrom('matches').execute();
    expect(await matchCommand.run(deps, { all: true }, io)).toMatchObject({ job: 'match-tenders', tenders: 2, written: 2 });

    await deps.db.deleteFrom('matches').execute();
    expect(await matchCommand.run(deps, { supplier: a.supplier.id }, io)).toMatchObject({ job: 'match-supplier', written: 2 });
    expect((await stored()).map((m) => m.supplier_id)).toEqual([a.supplier.id, a.supplier.id]);
  });
});
