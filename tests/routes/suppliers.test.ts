import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { hashKey } from '../../src/routes/auth.js';
import { jsonCaller, testDeps, fieldNames } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

const ADMIN = 'admin-key-for-tests-0123456789';

async function setup() {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN } });
  const app = createApp(deps);
  const call = jsonCaller(app);
  const register = async (over: Record<string, unknown> = {}) => {
    const res = await call('POST', '/suppliers', registration(over));
    const body = (await res.json()) as { supplier: { id: string }; key: string };
    if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(body)}`);
    return body;
  };
  const count = async () => (await deps.db.selectFrom('suppliers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  return { deps, app, call, register, count };
}

describe('POST /suppliers', () => {
  it('registers a supplier, returns its key once and stores only the hash', async () => {
    const { deps, call } = await setup();
    const res = await call('POST', '/suppliers', registration());
    expect(res.status).toBe(201);
    const body = (await res.json()) as { supplier: Record<string, unknown>; key: string };
    expect(body.key).toMatch(/^tmk_/);
    expect(body.supplier).toMatchObject({
      name: 'Ayrshire Green Spaces Ltd',
      kind: 'small',
      company_number: 'SC123456',
      postcode: 'KA1 1HU',
      home_region: 'TLM93',
      cpv_codes: [{ code: '77310000', label: 'Planting and maintenance services of green areas' }],
      high_potential: false,
    });
    const row = await deps.db.selectFrom('suppliers').selectAll().where('id', '=', body.supplier.id as string).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashKey(body.key));
    expect(JSON.stringify(row)).not.toContain(body.key);
    // Later reads never show the key again.
    const again = await call('GET', `/suppliers/${row.id}`);
    expect(JSON.stringify(await again.json())).not.toContain(body.key);
  });

  it('names every bad field and writes nothing', async () => {
    const { call, count } = await setup();
    const res = await call(
      'POST',
      '/suppliers',
      registration({ postcode: 'ZZ99 ZZZ', company_number: 'XX12', cpv_codes: ['77310000', '99999999'], max_contract_value: -5, serves: ['Atlantis'] }),
    );
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; details: { fields: Array<{ field: string }> } } };
    expect(body.error.code).toBe('invalid_body');
    expect(fieldNames(body).sort()).toEqual(['company_number', 'cpv_codes[1]', 'max_contract_value', 'postcode', 'serves[0]'].sort());
    expect(body.error.message).toContain('cpv_codes[1] "99999999" is not a CPV 2008 code');
    expect(await count()).toBe(0);
  });

  it('rejects an unknown cooperative member and leaves nothing half-written', async () => {
    const { deps, call, register, count } = await setup();
    const a = await register();
    const res = await call('POST', '/suppliers', registration({ name: 'Ayrshire Co-op', kind: 'cooperative', members: [a.supplier.id, 'sup_nobody'] }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { fields: Array<{ field: string }> } } };
    expect(fieldNames(body)).toEqual(['members[1]']);
    expect(await count()).toBe(1);
    expect(await deps.db.selectFrom('cooperative_members').selectAll().execute()).toEqual([]);
  });

  it('answers bad JSON with 400', async () => {
    const { app } = await setup();
    const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(res.status).toBe(400);
  });

  it('derives the high-potential flag from growth figures, and only an admin may override it', async () => {
    const { deps, call, register } = await setup();
    const growth = [
      { year: 2022, employees: 12, turnover: 800000 },
      { year: 2025, employees: 25, turnover: 1500000 },
    ];
    const { supplier, key } = await register({ growth });
    expect(supplier).toMatchObject({ high_potential: true, high_potential_derived: true });
    const denied = await call('PATCH', `/suppliers/${supplier.id}`, { high_potential_override: false }, key);
    expect(denied.status).toBe(403);
    const ok = await call('PATCH', `/suppliers/${supplier.id}`, { high_potential_override: false }, ADMIN);
    expect(ok.status).toBe(200);
    const row = await deps.db.selectFrom('suppliers').selectAll().where('id', '=', supplier.id).executeTakeFirstOrThrow();
    expect([row.high_potential_derived, row.high_potential_override]).toEqual([1, 0]);
  });
});

describe('keys on writes', () => {
  it('PATCH and DELETE need the supplier’s own key or the admin key', async () => {
    const { deps, call, register } = await setup();
    const a = await register();
    const b = await register({ name: 'Other Ltd', company_number: null });
    const path = `/suppliers/${a.supplier.id}`;

    expect((await call('PATCH', path, { name: 'Renamed' })).status).toBe(401);
    expect((await call('PATCH', path, { name: 'Renamed' }, 'tmk_wrong')).status).toBe(403);
    expect((await call('PATCH', path, { name: 'Renamed' }, b.key)).status).toBe(403);
    expect((await deps.db.selectFrom('suppliers').select('name').where('id', '=', a.supplier.id).executeTakeFirstOrThrow()).name).toBe(
      'Ayrshire Green Spaces Ltd',
    );

    const own = await call('PATCH', path, { name: 'Renamed', max_contract_value: 400000 }, a.key);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ supplier: { name: 'Renamed', max_contract_value: 400000 } });
    expect(await deps.db.selectFrom('suppliers').select(['name', 'max_contract_value']).where('id', '=', a.supplier.id).executeTakeFirstOrThrow()).toEqual({
      name: 'Renamed',
      max_contract_value: 400000,
    });

    const bad = await call('PATCH', path, { cpv_codes: ['123'], postcode: 'nope' }, a.key);
    expect(bad.status).toBe(422);
    expect(fieldNames((await bad.json()) as { error: { details: { fields: Array<{ field: string }> } } }).sort()).toEqual(['cpv_codes[0]', 'postcode']);

    expect((await call('DELETE', path, undefined, b.key)).status).toBe(403);
    const admin = await call('DELETE', path, undefined, ADMIN);
    expect(admin.status).toBe(200);
    expect(await deps.db.selectFrom('suppliers').select('id').where('id', '=', a.supplier.id).executeTakeFirst()).toBeUndefined();
    expect((await call('GET', path)).status).toBe(404);
  });

  it('shows contact details only to the supplier itself', async () => {
    const { call, register } = await setup();
    const a = await register();
    const pub = (await (await call('GET', `/suppliers/${a.supplier.id}`)).json()) as { supplier: Record<string, unknown> };
    expect(pub.supplier.contact_email).toBeUndefined();
    const own = (await (await call('GET', `/suppliers/${a.supplier.id}`, undefined, a.key)).json()) as { supplier: Record<string, unknown> };
    expect(own.supplier.contact_email).toBe('hello@example.org');
  });
});

describe('officer search GET /suppliers', () => {
  it('filters by CPV, region, kind and high potential', async () => {
    const { call, register } = await setup();
    await register();
    await register({ name: 'Glasgow Sparks', postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'], kind: 'micro', company_number: null });
    await register({
      name: 'Cardiff Growth Electrics',
      postcode: 'CF10 1AA',
      home_region: null,
      cpv_codes: ['50700000'],
      company_number: '01234567',
      growth: [
        { year: 2022, employees: 10, turnover: 1e6 },
        { year: 2025, employees: 20, turnover: 1e6 },
      ],
    });
    const names = async (q: string) =>
      ((await (await call('GET', `/suppliers?${q}`)).json()) as { suppliers: Array<{ name: string }> }).suppliers.map((s) => s.name);
    expect(await names('cpv=50000000')).toEqual(['Cardiff Growth Electrics', 'Glasgow Sparks']);
    expect(await names('cpv=50711000-2')).toEqual(['Cardiff Growth Electrics', 'Glasgow Sparks']);
    expect(await names('region=Scotland')).toEqual(['Ayrshire Green Spaces Ltd', 'Glasgow Sparks']);
    expect(await names('region=UKM82')).toEqual(['Glasgow Sparks']);
    expect(await names('kind=micro')).toEqual(['Glasgow Sparks']);
    expect(await names('high_potential=true')).toEqual(['Cardiff Growth Electrics']);
    const bad = await call('GET', '/suppliers?cpv=12&region=Narnia');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/cpv .*region/);
  });

  it('searches by words (typos tolerated, every word must match), size and certification', async () => {
    const { call, register } = await setup();
    await register({ certifications: ['ISO 14001'] });
    await register({
      name: 'Glasgow Sparks',
      postcode: 'G21 1AA',
      home_region: 'UKM82',
      cpv_codes: ['50711000'],
      company_number: null,
      description: 'Electrical inspection, testing and condition reports (EICR) for housing associations.',
      keywords: ['electrical inspection'],
      certifications: ['NICEIC', 'ISO 9001:2015'],
      max_contract_value: 500000,
    });
    await register({
      name: 'Cardiff Electrics',
      postcode: 'CF10 1AA',
      home_region: null,
      cpv_codes: ['45310000'],
      company_number: '01234567',
      description: 'Electrical installation and rewiring of council housing.',
      keywords: [],
      certifications: ['Cyber Essentials'],
      max_contract_value: null,
    });
    const found = async (q: string) => {
      const res = await call('GET', `/suppliers?${q}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { total: number; suppliers: Array<{ name: string; relevance?: number }> }).suppliers;
    };
    const names = async (q: string) => (await found(q)).map((s) => s.name);
    expect(await names('q=electrical+inspection')).toEqual(['Glasgow Sparks']);
    // A typo still finds both electricians, and nobody else.
    expect((await names('q=electricl')).sort()).toEqual(['Cardiff Electrics', 'Glasgow Sparks']);
    expect(await names('q=rewiring+housing')).toEqual(['Cardiff Electrics']);
    expect(await names('q=plumbing')).toEqual([]);
    const ranked = await found('q=electrical');
    expect(ranked.every((s) => typeof s.relevance === 'number' && s.relevance > 0 && s.relevance <= 1)).toBe(true);
    expect(ranked.map((s) => s.relevance)).toEqual([...ranked.map((s) => s.relevance!)].sort((a, b) => b - a));
    // Size: able to take £400k on alone; an unstated capacity is not ruled out.
    expect(await names('min_value=400000')).toEqual(['Cardiff Electrics', 'Glasgow Sparks']);
    expect(await names('min_value=600000')).toEqual(['Cardiff Electrics']);
    expect(await names('certification=iso9001')).toEqual(['Glasgow Sparks']);
    expect(await names('certification=ISO+14001')).toEqual(['Ayrshire Green Spaces Ltd']);
    expect(await names('q=electrical&certification=cyber+essentials')).toEqual(['Cardiff Electrics']);
    const bad = await call('GET', '/suppliers?q=the+services&min_value=-5&certification=');
    expect(bad.status).toBe(400);
    const fields = ((await bad.json()) as { error: { details: { fields: Array<{ field: string }> } } }).error.details.fields.map((f) => f.field);
    expect(fields).toEqual(['q', 'min_value', 'certification']);
  });
});
