import { describe, expect, it } from 'vitest';
import { CompanyNumberTaken, insertSupplier, updateSupplier } from '../../db/queries/suppliers.js';
import { createApp } from '../../src/app.js';
import { jsonCaller, STORE_ENGINES, storesPerTest, testDeps, fieldNames } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

const ADMIN = 'admin-key-for-tests-0123456789';


describe.each(STORE_ENGINES)('one supplier per Companies House number, on %s', (_engine, openStore) => {
  const open = storesPerTest(openStore);

  async function setup() {
    const db = await open();
    const deps = await testDeps({ db, env: { ADMIN_KEY: ADMIN } });
    const app = createApp(deps);
    const request = jsonCaller(app);
    const call = async (method: string, path: string, body?: unknown, key?: string) => {
      const res = await request(method, path, body, key);
      return { status: res.status, text: await res.text() };
    };
    const rows = () => db.selectFrom('suppliers').select(['name', 'company_number']).orderBy('name').execute();
    return { db, call, rows };
  }

  it('answers a second registration or a PATCH to a number already held with 409, naming the field, writing nothing', async () => {
    const { call, rows } = await setup();
    const first = await call('POST', '/suppliers', registration());
    expect(first.status).toBe(201);
    const { supplier, key } = JSON.parse(first.text) as { supplier: { id: string }; key: string };

    for (const number of ['SC123456', 'sc 123456']) {
      const again = await call('POST', '/suppliers', registration({ name: 'Copycat Ltd', company_number: number }));
      expect(again.status).toBe(409);
      const body = JSON.parse(again.text) as { error: { code: string; message: string; details: { fields: Array<{ field: string }> } } };
      expect(body.error.code).toBe('conflict');
      expect(body.error.message).toMatch(/^company_number SC123456 is already registered/);
      expect(fieldNames(body)).toEqual(['company_number']);
      expect(again.text).not.toContain(key);
      expect(again.text).not.toContain(supplier.id);
    }
    expect(await rows()).toEqual([{ name: 'Ayrshire Green Spaces Ltd', company_number: 'SC123456' }]);

    // Without a number, as many as like; then one of them tries to take the number.
    const other = JSON.parse((await call('POST', '/suppliers', registration({ name: 'Irvine Mowers', company_number: null }))).text) as { supplier: { id: string }; key: string };
    expect((await call('POST', '/suppliers', registration({ name: 'Kilmarnock Hedges', company_number: null }))).status).toBe(201);
    const taken = await call('PATCH', `/suppliers/${other.supplier.id}`, { name: 'Irvine Mowers Renamed', company_number: 'SC123456' }, other.key);
    expect(taken.status).toBe(409);
    expect(JSON.parse(taken.text).error.code).toBe('conflict');
    expect(taken.text).not.toContain(key);
    expect(await rows()).toEqual([
      { name: 'Ayrshire Green Spaces Ltd', company_number: 'SC123456' },
      { name: 'Irvine Mowers', company_number: null },
      { name: 'Kilmarnock Hedges', company_number: null },
    ]);
    // Its own number again is no conflict; a free one is taken.
    expect((await call('PATCH', `/suppliers/${supplier.id}`, { company_number: 'SC123456', name: 'Ayrshire Green Spaces' }, key)).status).toBe(200);
    expect((await call('PATCH', `/suppliers/${other.supplier.id}`, { company_number: 'SC654321' }, other.key)).status).toBe(200);
  });

  it('gives one of two registrations racing for the same number a 409', async () => {
    const { call, rows } = await setup();
    const answers = await Promise.all([
      call('POST', '/suppliers', registration({ name: 'Racer One' })),
      call('POST', '/suppliers', registration({ name: 'Racer Two' })),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect((await rows()).map((r) => r.company_number)).toEqual(['SC123456']);
  });

  it('the store itself refuses a second holder, as CompanyNumberTaken', async () => {
    const { db } = await setup();
    const row = (id: string, company_number: string | null) => ({
      id, name: id, kind: 'small', company_number, postcode: 'KA1 1HU', home_region: 'TLM93', serves: '[]', national: 0, cpv_codes: '["77310000"]',
      description: null, keywords: '[]', max_contract_value: null, turnover_band: null, staff_band: null, certifications: '[]', contact_email: null,
      key_hash: 'h', growth: null, high_potential_derived: 0, high_potential_override: null, created_at: 'x', updated_at: 'x',
    });
    await insertSupplier(db, row('sup_a', 'SC123456'));
    await insertSupplier(db, row('sup_b', null));
    await insertSupplier(db, row('sup_c', null));
    await expect(insertSupplier(db, row('sup_d', 'SC123456'))).rejects.toBeInstanceOf(CompanyNumberTaken);
    await expect(updateSupplier(db, 'sup_b', { company_number: 'SC123456' })).rejects.toBeInstanceOf(CompanyNumberTaken);
    // Another constraint is not passed off as a number conflict.
    await expect(insertSupplier(db, row('sup_a', 'SC999999'))).rejects.not.toBeInstanceOf(CompanyNumberTaken);
  });
});
