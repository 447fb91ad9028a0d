import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { matchTenders } from '../../jobs/match.js';
import { loadProfilesOf, loadRegistry } from '../../db/queries/suppliers.js';
import type { SupplierProfile } from '../../src/domain/matching/types.js';

const loadProfile = async (db: Parameters<typeof loadProfilesOf>[0], id: string): Promise<SupplierProfile | null> => (await loadProfilesOf(db, [id]))[0] ?? null;
import { jsonCaller, testDeps } from '../support/helpers.js';
import { registration, storeTenders, type TenderSpec } from '../support/matching-fixtures.js';

/**
 * Consent to membership: a cooperative names the firms it wants; each is only "invited" until the firm
 * accepts with its own key (or from the signed link mailed to it), and may leave at any time.
 */

const ADMIN = 'admin-key-for-tests-0123456789';

// Grounds maintenance and green-waste composting in East Ayrshire (CPV and NUTS from real Scottish notices).
const greenSpaces: TenderSpec = {
  ocid: 'ocds-test-green',
  title: 'Grounds maintenance and composting of organic green waste',
  cpv: '77310000',
  extraCpv: ['90500000'],
  region: 'UKM93',
  value: 300000,
};

async function setup() {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN } });
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
    return res.body as { supplier: { id: string; members?: string[] }; key: string };
  };
  const rows = async () =>
    (await deps.db.selectFrom('cooperative_members').selectAll().orderBy('cooperative_id').orderBy('member_id').execute()).map((r) => ({
      cooperative_id: r.cooperative_id,
      member_id: r.member_id,
      status: (r as { status?: string }).status,
    }));
  const grounds = await register({ name: 'Ayr Grounds', cpv_codes: ['77310000'], max_contract_value: 200000 });
  const compost = await register({ name: 'Kilmarnock Compost', cpv_codes: ['90500000'], max_contract_value: 150000, keywords: [] });
  return { deps, app, call, register, rows, grounds, compost };
}

describe('a firm listed by a cooperative without its consent', () => {
  it('is only invited: it does not count in matching or listings until it accepts', async () => {
    const { deps, call, register, rows, grounds, compost } = await setup();
    const coop = await register({ name: 'Ayrshire Growers Co-op', kind: 'cooperative', cpv_codes: [], max_contract_value: null, members: [grounds.supplier.id, compost.supplier.id] });
    const coopId = coop.supplier.id;
    expect(coop.supplier.members).toEqual([]);
    expect(await rows()).toEqual([
      { cooperative_id: coopId, member_id: grounds.supplier.id, status: 'invited' },
      { cooperative_id: coopId, member_id: compost.supplier.id, status: 'invited' },
    ].sort((a, b) => a.member_id.localeCompare(b.member_id)));

    // Matching, consortia and officer listings read the profile and the registry: no member in either.
    expect((await loadProfile(deps.db, coopId))!.members ?? []).toEqual([]);
    expect((await loadRegistry(deps.db)).profiles.find((p) => p.id === coopId)!.members ?? []).toEqual([]);
    const ocids = await storeTenders(deps.db, [greenSpaces]);
    await matchTenders(deps, { ocids });
    expect(await deps.db.selectFrom('matches').select('supplier_id').where('supplier_id', '=', coopId).execute()).toEqual([]);
    expect((await call('GET', `/suppliers/${coopId}`)).body.supplier.members).toEqual([]);
    // The cooperative sees whom it has asked.
    expect((await call('GET', `/suppliers/${coopId}`, undefined, coop.key)).body.supplier.invited_members).toEqual([grounds.supplier.id, compost.supplier.id].sort());

    // The firms accept, each with its own key; the cooperative's key cannot do it for them.
    expect((await call('PUT', `/suppliers/${grounds.supplier.id}/memberships/${coopId}`, undefined, coop.key)).status).toBe(403);
    const accepted = await call('PUT', `/suppliers/${grounds.supplier.id}/memberships/${coopId}`, undefined, grounds.key);
    expect(accepted.status).toBe(200);
    expect(accepted.body.membership).toMatchObject({ cooperative_id: coopId, status: 'accepted', answered_at: '2026-11-24T09:00:00.000Z' });
    expect((await call('PUT', `/suppliers/${compost.supplier.id}/memberships/${coopId}`, undefined, compost.key)).status).toBe(200);
    expect((await call('GET', `/suppliers/${coopId}`)).body.supplier.members).toEqual([grounds.supplier.id, compost.supplier.id].sort());
    expect((await loadProfile(deps.db, coopId))!.members?.map((m) => m.id).sort()).toEqual([grounds.supplier.id, compost.supplier.id].sort());
    await matchTenders(deps, { ocids });
    expect(await deps.db.selectFrom('matches').select('supplier_id').where('supplier_id', '=', coopId).execute()).toEqual([{ supplier_id: coopId }]);
  });

  it('can leave at any time with its key, and can form its own cooperative', async () => {
    const { deps, call, register, rows, grounds, compost } = await setup();
    const coop = await register({ name: 'Ayrshire Growers Co-op', kind: 'cooperative', cpv_codes: [], members: [grounds.supplier.id, compost.supplier.id] });
    const coopId = coop.supplier.id;

    // Leaving (or declining) needs the firm's own key.
    expect((await call('DELETE', `/suppliers/${grounds.supplier.id}/memberships/${coopId}`)).status).toBe(401);
    expect((await call('DELETE', `/suppliers/${grounds.supplier.id}/memberships/${coopId}`, undefined, coop.key)).status).toBe(403);
    const left = await call('DELETE', `/suppliers/${grounds.supplier.id}/memberships/${coopId}`, undefined, grounds.key);
    expect(left.status).toBe(200);
    expect(left.body.membership).toMatchObject({ cooperative_id: coopId, status: 'declined' });

    // A firm that was only invited may become a cooperative; its invitations go, since cooperatives are made of firms.
    const formed = await call('PATCH', `/suppliers/${compost.supplier.id}`, { kind: 'cooperative', name: 'Kilmarnock Compost Co-op', members: [grounds.supplier.id] }, compost.key);
    expect(formed.status).toBe(200);
    expect(await rows()).toEqual(
      [
        { cooperative_id: coopId, member_id: grounds.supplier.id, status: 'declined' },
        { cooperative_id: compost.supplier.id, member_id: grounds.supplier.id, status: 'invited' },
      ].sort((a, b) => a.cooperative_id.localeCompare(b.cooperative_id)),
    );

    // An accepted member leaves first, then may form its own; it may also join another.
    const other = await register({ name: 'Irvine Mowers' });
    expect((await call('PUT', `/suppliers/${other.supplier.id}/memberships/${coopId}`, undefined, other.key)).status).toBe(404);
    await call('PATCH', `/suppliers/${coopId}`, { members: [other.supplier.id, grounds.supplier.id] }, coop.key);
    await call('PATCH', `/suppliers/${compost.supplier.id}`, { members: [other.supplier.id, grounds.supplier.id] }, compost.key);
    expect((await call('PUT', `/suppliers/${other.supplier.id}/memberships/${coopId}`, undefined, other.key)).status).toBe(200);
    expect((await call('PUT', `/suppliers/${other.supplier.id}/memberships/${compost.supplier.id}`, undefined, other.key)).status).toBe(200);
    const refused = await call('PATCH', `/suppliers/${other.supplier.id}`, { kind: 'cooperative' }, other.key);
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain(`DELETE /suppliers/${other.supplier.id}/memberships/`);
    expect((await call('DELETE', `/suppliers/${other.supplier.id}/memberships/${coopId}`, undefined, other.key)).status).toBe(200);
    expect((await call('DELETE', `/suppliers/${other.supplier.id}/memberships/${compost.supplier.id}`, undefined, other.key)).status).toBe(200);
    expect((await call('PATCH', `/suppliers/${other.supplier.id}`, { kind: 'cooperative' }, other.key)).status).toBe(200);
    expect((await loadProfile(deps.db, coopId))!.members ?? []).toEqual([]);
  });
});
