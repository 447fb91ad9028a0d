import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { refreshHighPotential } from '../../jobs/high-potential.js';
import { drainSupplierMatchQueue } from '../../jobs/match.js';
import { registryVersion } from '../../db/queries/suppliers.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { glasgowInspection, registration, storeTenders, type TenderSpec } from '../support/matching-fixtures.js';

const ADMIN = 'admin-key-for-tests-0123456789';
// Open until after the clock moves to 2027 below.
const glasgow: TenderSpec = { ...glasgowInspection, deadline: '2027-03-01T12:00:00Z' };
const electrician = (name: string, company: string, growth: Array<{ year: number; employees: number; turnover: number }>) =>
  registration({ name, company_number: company, postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'], max_contract_value: 500000, growth });
// Grew from 10 to 18 staff over 2021–2024 (22% a year): high-growth while 2024 is recent enough.
const grew2021to2024 = [
  { year: 2021, employees: 10, turnover: 1e6 },
  { year: 2024, employees: 18, turnover: 1.1e6 },
];

async function setup() {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN } });
  const app = createApp(deps);
  const call = jsonCaller(app);
  const register = async (body: Record<string, unknown>) => {
    const res = await call('POST', '/suppliers', body);
    expect(res.status).toBe(201);
    return (await res.json()) as { supplier: { id: string; high_potential: boolean; high_potential_reason: string }; key: string };
  };
  const profile = async (id: string, key: string) =>
    ((await (await call('GET', `/suppliers/${id}`, undefined, key)).json()) as { supplier: { high_potential: boolean; high_potential_derived: boolean; high_potential_reason: string } }).supplier;
  const reasons = async (id: string) => {
    const rows = await deps.db.selectFrom('matches').select('reasons').where('supplier_id', '=', id).execute();
    return rows.flatMap((r) => JSON.parse(r.reasons) as string[]);
  };
  return { deps, call, register, profile, reasons };
}

describe('high-potential flags as the years pass', () => {
  it('drops the flag once the figures are too old, matches the firm again, and changes nothing on a second run', async () => {
    const { deps, register, profile, reasons } = await setup();
    await storeTenders(deps.db, [glasgow]);
    const a = await register(electrician('Glasgow Sparks', 'SC111111', grew2021to2024));
    expect(a.supplier).toMatchObject({ high_potential: true, high_potential_reason: 'employees grew 22% a year 2021–2024' });
    await drainSupplierMatchQueue(deps);
    expect(await reasons(a.supplier.id)).toContain('You are flagged as a high-potential firm.');

    // Still 2026: nothing to change.
    expect(await refreshHighPotential(deps)).toMatchObject({ year: 2026, checked: 1, changed: [] });

    // In 2027 figures must run to 2025.
    deps.clock.set('2027-01-05T03:30:00Z');
    const before = await registryVersion(deps.db);
    expect(await refreshHighPotential(deps)).toMatchObject({ year: 2027, checked: 1, changed: [a.supplier.id] });
    expect(await registryVersion(deps.db)).toBeGreaterThan(before);
    expect(await profile(a.supplier.id, a.key)).toMatchObject({
      high_potential: false,
      high_potential_derived: false,
      high_potential_reason: 'the latest figures are for 2024; growth is judged on figures up to 2025 or later',
    });
    const now = await reasons(a.supplier.id);
    expect(now.length).toBeGreaterThan(0);
    expect(now).not.toContain('You are flagged as a high-potential firm.');
    expect(await refreshHighPotential(deps)).toMatchObject({ changed: [] });
  });

  it('never flags a firm on growth that ended years before it registered', async () => {
    const { register, profile } = await setup();
    const old = await register(
      electrician('Old Growth Electrics', 'SC222222', [
        { year: 2019, employees: 10, turnover: 1e6 },
        { year: 2022, employees: 40, turnover: 4e6 },
      ]),
    );
    expect(old.supplier.high_potential).toBe(false);
    expect((await profile(old.supplier.id, old.key)).high_potential_reason).toBe('the latest figures are for 2022; growth is judged on figures up to 2024 or later');
  });

  it("keeps an administrator's setting over the derived flag", async () => {
    const { deps, call, register, profile } = await setup();
    const a = await register(electrician('Glasgow Sparks', 'SC111111', grew2021to2024));
    expect((await call('PATCH', `/suppliers/${a.supplier.id}`, { high_potential_override: true }, ADMIN)).status).toBe(200);
    deps.clock.set('2027-01-05T03:30:00Z');
    expect(await refreshHighPotential(deps)).toMatchObject({ changed: [a.supplier.id] });
    expect(await profile(a.supplier.id, a.key)).toMatchObject({ high_potential: true, high_potential_derived: false });
  });
});
