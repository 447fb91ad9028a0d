import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { glasgowInspection, registration, storeTenders, type TenderSpec } from '../support/matching-fixtures.js';

type Body = { limit: number; opportunities: Array<{ lot_id: string; total: number; next_cursor: string | null; suppliers: Array<{ supplier_id: string }> }> };

async function setup() {
  const deps = await testDeps();
  const call = jsonCaller(createApp(deps));
  for (let i = 0; i < 7; i++) {
    const res = await call('POST', '/suppliers', registration({ name: `Sparks ${i}`, company_number: `SC30000${i}`, postcode: i % 2 ? 'G21 1AA' : 'EH1 1AA', home_region: null, cpv_codes: ['50711000'], max_contract_value: 300000 * (i + 1) }));
    expect(res.status).toBe(201);
  }
  const get = async (path: string) => {
    const res = await call('GET', path);
    return { status: res.status, body: (await res.json()) as Body };
  };
  return { deps, get };
}

describe('GET /tenders/:ocid/suppliers pages', () => {
  it('pages one tender by cursor in the order of the whole list', async () => {
    const { deps, get } = await setup();
    await storeTenders(deps.db, [{ ...glasgowInspection, region: 'UK' }]);
    const whole = (await get(`/tenders/${glasgowInspection.ocid}/suppliers?limit=100`)).body.opportunities[0];
    expect(whole.total).toBe(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await get(`/tenders/${glasgowInspection.ocid}/suppliers?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      seen.push(...body.opportunities[0].suppliers.map((s) => s.supplier_id));
      cursor = body.opportunities[0].next_cursor;
    } while (cursor);
    expect(seen).toEqual(whole.suppliers.map((s) => s.supplier_id));
    expect((await get(`/tenders/${glasgowInspection.ocid}/suppliers?cursor=garbage`)).status).toBe(400);
    expect((await get(`/tenders/${glasgowInspection.ocid}/suppliers?limit=101`)).status).toBe(400);
  });

  it('shares a hundred places between the lots of a big tender unless asked for more', async () => {
    const { deps, get } = await setup();
    const lots = Array.from({ length: 25 }, (_, i) => ({ id: String(i + 1), title: `Lot ${i + 1}`, cpv: '50711000', region: 'UK', value: 50000 }));
    const big: TenderSpec = { ...glasgowInspection, ocid: 'ocds-test-many-lots', lots };
    await storeTenders(deps.db, [big]);
    const { body } = await get(`/tenders/${big.ocid}/suppliers`);
    expect(body.limit).toBe(5);
    expect(body.opportunities).toHaveLength(25);
    for (const o of body.opportunities) {
      expect(o.suppliers).toHaveLength(5);
      expect(o.total).toBe(7);
      expect(o.next_cursor).not.toBeNull();
    }
    // A lot's cursor pages that lot.
    const rest = (await get(`/tenders/${big.ocid}/suppliers?lot=3&cursor=${body.opportunities[2].next_cursor}`)).body;
    expect(rest.opportunities.map((o) => o.lot_id)).toEqual(['3']);
    expect(rest.opportunities[0].suppliers).toHaveLength(2);
    expect((await get(`/tenders/${big.ocid}/suppliers?lot=4&cursor=${body.opportunities[2].next_cursor}`)).status).toBe(400);
  });
});
