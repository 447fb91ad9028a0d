import { describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';
import { SqliteDialect, sql } from 'kysely';
import { fromDialect, type Db } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { createApp } from '../../src/app.js';
import { jsonCaller, testDeps, fieldNames } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

const ADMIN = 'admin-key-for-tests-0123456789';

async function setup(db?: Db) {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN }, ...(db ? { db } : {}) });
  const app = createApp(deps);
  const request = jsonCaller(app);
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const res = await request(method, path, body, key);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };
  const register = async (over: Record<string, unknown> = {}) => {
    const res = await call('POST', '/suppliers', registration({ company_number: null, ...over }));
    if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(res.body)}`);
    return res.body as { supplier: { id: string; home_region: string }; key: string };
  };
  const stored = (id: string) => deps.db.selectFrom('suppliers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const members = async (id: string) =>
    (await deps.db.selectFrom('cooperative_members').select('member_id').where('cooperative_id', '=', id).orderBy('member_id').execute()).map((r) => r.member_id);
  return { deps, db: deps.db, call, register, stored, members };
}

describe('a cooperative is made of firms', () => {
  it('refuses to turn an accepted member of a cooperative into a cooperative (422 naming kind), and writes nothing', async () => {
    const { call, register, stored } = await setup();
    const firm = await register();
    const other = await register({ name: 'Irvine Mowers' });
    const coop = await register({ name: 'Ayrshire Co-op', kind: 'cooperative', members: [firm.supplier.id, other.supplier.id] });
    expect((await call('PUT', `/suppliers/${firm.supplier.id}/memberships/${coop.supplier.id}`, undefined, firm.key)).status).toBe(200);
    const before = await stored(firm.supplier.id);

    const res = await call('PATCH', `/suppliers/${firm.supplier.id}`, { kind: 'cooperative', name: 'Ayrshire Green Co-op' }, firm.key);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_body');
    expect(fieldNames(res.body)).toEqual(['kind']);
    expect(await stored(firm.supplier.id)).toEqual(before);

    // A firm that is nobody's member (only invited) may become a cooperative.
    expect((await call('PATCH', `/suppliers/${other.supplier.id}`, { kind: 'cooperative' }, other.key)).status).toBe(200);
  });
});

describe('home region and postcode', () => {
  it('keeps a finer home_region when a new postcode lies in the same region, and replaces it when not', async () => {
    const { call, register, stored } = await setup();
    const a = await register(); // KA1 1HU, home_region UKM93 → TLM93
    expect(a.supplier.home_region).toBe('TLM93');
    const path = `/suppliers/${a.supplier.id}`;

    const moved = await call('PATCH', path, { postcode: 'ka3 7aa' }, a.key);
    expect(moved.status).toBe(200);
    expect(moved.body.supplier).toMatchObject({ postcode: 'KA3 7AA', home_region: 'TLM93' });
    expect((await stored(a.supplier.id)).home_region).toBe('TLM93');

    const wales = await call('PATCH', path, { postcode: 'CF10 1AA' }, a.key);
    expect(wales.status).toBe(200);
    expect(wales.body.supplier).toMatchObject({ postcode: 'CF10 1AA', home_region: 'TLL' });

    // Given together, they must agree; home_region alone must lie in the stored postcode's region.
    const both = await call('PATCH', path, { postcode: 'KA1 1HU', home_region: 'TLL22' }, a.key);
    expect(both.status).toBe(422);
    expect(fieldNames(both.body).sort()).toEqual(['home_region', 'postcode']);
    const alone = await call('PATCH', path, { home_region: 'TLM93' }, a.key);
    expect(alone.status).toBe(422);
    expect(fieldNames(alone.body)).toEqual(['home_region']);
    expect(await stored(a.supplier.id)).toMatchObject({ postcode: 'CF10 1AA', home_region: 'TLL' });
    expect((await call('PATCH', path, { home_region: 'TLL22' }, a.key)).body.supplier.home_region).toBe('TLL22');
    // home_region null with a postcode: the postcode's region.
    expect((await call('PATCH', path, { postcode: 'KA1 1HU', home_region: null }, a.key)).body.supplier.home_region).toBe('TLM');
  });

  it('refuses a registration whose home_region is outside its postcode’s region, naming both fields', async () => {
    const { call, deps } = await setup();
    const res = await call('POST', '/suppliers', registration({ postcode: 'CF10 1AA', home_region: 'UKM93' }));
    expect(res.status).toBe(422);
    expect(fieldNames(res.body).sort()).toEqual(['home_region', 'postcode']);
    expect(res.body.error.message).toContain('home_region TLM93 is not in the region of the postcode (TLL)');
    expect(await deps.db.selectFrom('suppliers').select('id').execute()).toEqual([]);
  });
});

describe('PATCH is all or nothing', () => {
  /** A cooperative of a and b, and a third firm c. */
  async function cooperative(db?: Db) {
    const s = await setup(db);
    const a = await s.register({ name: 'A Grounds' });
    const b = await s.register({ name: 'B Compost' });
    const c = await s.register({ name: 'C Hedges' });
    const coop = await s.register({ name: 'Ayrshire Co-op', kind: 'cooperative', members: [a.supplier.id, b.supplier.id] });
    // a has accepted, b not yet: an undone change must keep each firm's answer.
    expect((await s.call('PUT', `/suppliers/${a.supplier.id}/memberships/${coop.supplier.id}`, undefined, a.key)).status).toBe(200);
    const answers = async () =>
      (await s.db.selectFrom('cooperative_members').select(['member_id', 'status', 'answered_at']).where('cooperative_id', '=', coop.supplier.id).orderBy('member_id').execute());
    return { ...s, a, b, c, coop, answers };
  }

  it('checks every field, members included, before it writes anything', async () => {
    const { call, coop, stored, members, a } = await cooperative();
    const before = await stored(coop.supplier.id);
    const res = await call('PATCH', `/suppliers/${coop.supplier.id}`, { name: 'Renamed', members: [a.supplier.id, 'sup_nobody'] }, coop.key);
    expect(res.status).toBe(422);
    expect(fieldNames(res.body)).toEqual(['members[1]']);
    expect(await stored(coop.supplier.id)).toEqual(before);
    expect(await members(coop.supplier.id)).toHaveLength(2);
  });

  it('on SQLite, a failure while writing the members leaves the old profile (one transaction)', async () => {
    const { db, call, coop, c, a, b, stored, members } = await cooperative();
    const before = await stored(coop.supplier.id);
    await sql.raw(`CREATE TRIGGER crash BEFORE INSERT ON cooperative_members BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`).execute(db);
    const res = await call('PATCH', `/suppliers/${coop.supplier.id}`, { name: 'Renamed', members: [a.supplier.id, c.supplier.id] }, coop.key);
    expect(res.status).toBe(500);
    expect(await stored(coop.supplier.id)).toEqual(before);
    expect(await members(coop.supplier.id)).toEqual([a.supplier.id, b.supplier.id].sort());
  });

  // Real SQLite told it is D1: no transactions, so the order of the writes and the undo are all that protect.
  const failures: Array<[string, (ids: { a: string; coop: string }) => string]> = [
    ['adding the new member', () => `BEFORE INSERT ON cooperative_members`],
    ['removing an old member', ({ a }) => `BEFORE DELETE ON cooperative_members WHEN OLD.member_id = '${a}'`],
    ['writing the supplier row', ({ coop }) => `BEFORE UPDATE ON suppliers WHEN OLD.id = '${coop}'`],
  ];
  it.each(failures)('on D1, a failure %s leaves the old profile', async (_what, when) => {
    const db = fromDialect(new SqliteDialect({ database: new SQLite(':memory:') }), 'd1');
    await migrate(db);
    const { call, coop, c, a, b, stored, members, answers } = await cooperative(db);
    const before = await stored(coop.supplier.id);
    const answeredBefore = await answers();
    await sql.raw(`CREATE TRIGGER crash ${when({ a: a.supplier.id, coop: coop.supplier.id })} BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`).execute(db);
    const res = await call('PATCH', `/suppliers/${coop.supplier.id}`, { name: 'Renamed', max_contract_value: 1, members: [b.supplier.id, c.supplier.id] }, coop.key);
    expect(res.status).toBe(500);
    expect(await stored(coop.supplier.id)).toEqual(before);
    expect(await members(coop.supplier.id)).toEqual([a.supplier.id, b.supplier.id].sort());
    expect(await answers()).toEqual(answeredBefore);
    expect(answeredBefore.find((m) => m.member_id === a.supplier.id)?.status).toBe('accepted');

    await sql.raw('DROP TRIGGER crash').execute(db);
    const ok = await call('PATCH', `/suppliers/${coop.supplier.id}`, { name: 'Renamed', members: [b.supplier.id, c.supplier.id] }, coop.key);
    expect(ok.status).toBe(200);
    expect(await members(coop.supplier.id)).toEqual([b.supplier.id, c.supplier.id].sort());
    expect((await stored(coop.supplier.id)).name).toBe('Renamed');
  });
});

describe('growth stays private', () => {
  it('shows high_potential_reason, which quotes growth rates, only with the supplier’s key or the admin key', async () => {
    const { call, register } = await setup();
    const growth = [
      { year: 2022, employees: 12, turnover: 800000 },
      { year: 2025, employees: 25, turnover: 1500000 },
    ];
    const a = await register({ growth });
    const other = await register({ name: 'Irvine Mowers' });
    const path = `/suppliers/${a.supplier.id}`;
    const pub = (await call('GET', path)).body.supplier;
    expect(pub.high_potential).toBe(true);
    expect(pub).not.toHaveProperty('high_potential_reason');
    expect(pub).not.toHaveProperty('growth');
    expect((await call('GET', path, undefined, other.key)).body.supplier).not.toHaveProperty('high_potential_reason');
    const search = (await call('GET', '/suppliers')).body.suppliers as Array<Record<string, unknown>>;
    expect(search).toHaveLength(2);
    for (const s of search) expect(s).not.toHaveProperty('high_potential_reason');
    expect(JSON.stringify(search)).not.toMatch(/grew/);

    expect((await call('GET', path, undefined, a.key)).body.supplier.high_potential_reason).toBe('employees grew 28% a year 2022–2025');
    expect((await call('GET', path, undefined, ADMIN)).body.supplier.high_potential_reason).toBe('employees grew 28% a year 2022–2025');
  });
});
