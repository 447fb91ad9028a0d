import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { drainSupplierMatchQueue, matchTenders } from '../../jobs/match.js';
import { proposeConsortia } from '../../src/domain/matching/consortia.js';
import { SupplierIndex } from '../../src/domain/matching/supplier-index.js';
import type { MatchSettings, Opportunity, SupplierProfile } from '../../src/domain/matching/types.js';
import { scoreMatch } from '../../src/domain/matching/verdict.js';
import { testDeps } from '../support/helpers.js';
import { opportunity, registration, storeTenders, supplier, type TenderSpec } from '../support/matching-fixtures.js';

const SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };

async function setup() {
  const deps = await testDeps();
  const app = createApp(deps);
  const post = async (body: Record<string, unknown>) => {
    const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { supplier: { id: string }; key: string };
    if (res.status !== 201) throw new Error(JSON.stringify(json));
    return json;
  };
  const get = async <T,>(path: string) => {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  /** The firm accepts the cooperative's invitation with its own key: only then does it count. */
  const accept = async (member: { supplier: { id: string }; key: string }, coop: { supplier: { id: string } }) => {
    const res = await app.request(`/suppliers/${member.supplier.id}/memberships/${coop.supplier.id}`, { method: 'PUT', headers: { authorization: `Bearer ${member.key}` } });
    expect(res.status).toBe(200);
  };
  return { deps, app, post, get, accept };
}

// Grounds maintenance and green-waste composting in East Ayrshire (CPV and NUTS from real Scottish notices).
const greenSpaces: TenderSpec = {
  ocid: 'ocds-test-green',
  title: 'Grounds maintenance and composting of organic green waste',
  cpv: '77310000',
  extraCpv: ['90500000'],
  region: 'UKM93',
  value: 300000,
};
const grounds = registration({ name: 'Ayr Grounds', cpv_codes: ['77310000'], max_contract_value: 200000, company_number: null });
const compost = registration({ name: 'Kilmarnock Compost', cpv_codes: ['90500000'], max_contract_value: 150000, company_number: null, keywords: [] });

type SuppliersBody = { opportunities: Array<{ suppliers: Array<{ supplier_id: string; reasons: string[] }> }> };
type ConsortiaBody = {
  proposals: Array<{
    lot_id: string;
    needed: boolean;
    why: string[];
    groups: Array<{ kind: string; cooperative_id: string | null; members: Array<{ supplier_id: string; covers: string[]; lots: string[]; says: string }>; reasons: string[] }>;
  }>;
};

describe('cooperatives', () => {
  it('a cooperative wins a tender that none of its members could take on alone', async () => {
    const { deps, post, get, accept } = await setup();
    const a = await post(grounds);
    const b = await post(compost);
    const coop = await post(registration({ name: 'Ayrshire Growers Co-op', kind: 'cooperative', cpv_codes: [], members: [a.supplier.id, b.supplier.id], company_number: 'SP012345', max_contract_value: null }));
    await accept(a, coop);
    await accept(b, coop);
    const ocids = await storeTenders(deps.db, [greenSpaces]);
    await matchTenders(deps, { ocids });

    const stored = await deps.db.selectFrom('matches').select('supplier_id').execute();
    expect(stored.map((r) => r.supplier_id)).toEqual([coop.supplier.id]);

    const officers = await get<SuppliersBody>(`/tenders/${greenSpaces.ocid}/suppliers`);
    expect(officers.opportunities[0].suppliers.map((s) => s.supplier_id)).toEqual([coop.supplier.id]);
    expect(officers.opportunities[0].suppliers[0].reasons).toContain('It covers all 2 kinds of work the notice lists.');

    // Answered in snake_case, as every JSON answer is.
    const consortia = await get<ConsortiaBody>(`/tenders/${greenSpaces.ocid}/consortia`);
    expect(JSON.stringify(consortia)).not.toMatch(/"[a-z]+[A-Z][A-Za-z]*":/);
    const whole = consortia.proposals[0];
    expect(whole.needed).toBe(true);
    expect(whole.why.join(' ')).toMatch(/No single local supplier covers all 2 kinds of work/);
    expect(whole.groups[0]).toMatchObject({ kind: 'cooperative', cooperative_id: coop.supplier.id });
    expect(whole.groups[0].members.map((m) => [m.supplier_id, m.covers])).toEqual([
      [a.supplier.id, ['77310000']],
      [b.supplier.id, ['90500000']],
    ]);
    expect(whole.groups[0].members[0].says).toBe('Ayr Grounds covers 77310000 (Planting and maintenance services of green areas); brings up to £200k.');
  });

  it('a member leaving the cooperative takes its capability with it: the match only that member made possible goes', async () => {
    const { deps, app, post, get, accept } = await setup();
    const a = await post(grounds);
    const b = await post(compost);
    const coop = await post(registration({ name: 'Ayrshire Growers Co-op', kind: 'cooperative', cpv_codes: [], members: [a.supplier.id, b.supplier.id], company_number: null }));
    await accept(a, coop);
    await accept(b, coop);
    // Composting only: the cooperative can bid through its compost member, the grounds firm cannot at all.
    const composting: TenderSpec = { ocid: 'ocds-test-compost', title: 'Composting of organic green waste', cpv: '90500000', region: 'UKM93', value: 100000 };
    const ocids = await storeTenders(deps.db, [composting]);
    await matchTenders(deps, { ocids });
    await drainSupplierMatchQueue(deps);
    const matched = async () =>
      (await deps.db.selectFrom('matches').select('supplier_id').where('ocid', '=', composting.ocid).orderBy('supplier_id').execute()).map((r) => r.supplier_id);
    expect(await matched()).toEqual([b.supplier.id, coop.supplier.id].sort());

    const res = await app.request(`/suppliers/${b.supplier.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${b.key}` } });
    expect(res.status).toBe(200);
    expect(await deps.db.selectFrom('cooperative_members').select('member_id').execute()).toEqual([{ member_id: a.supplier.id }]);
    // The cooperative is queued, and the match job matches it again without its compost member: no CPV code of its own is near composting.
    expect(await deps.db.selectFrom('supplier_match_queue').select('supplier_id').execute()).toEqual([{ supplier_id: coop.supplier.id }]);
    expect(await matched()).toEqual([coop.supplier.id]);
    expect(await drainSupplierMatchQueue(deps)).toMatchObject({ matched: 1, suppliers: 1, removed: 1 });
    expect(await matched()).toEqual([]);
    const officers = await get<SuppliersBody>(`/tenders/${composting.ocid}/suppliers`);
    expect(officers.opportunities[0].suppliers).toEqual([]);
  });
});

describe('consortia', () => {
  it('proposes a local consortium covering a multi-lot tender, saying which lot each member can do', async () => {
    const { deps, post, get } = await setup();
    const g = await post(grounds);
    const c = await post(compost);
    const r = await post(registration({ name: 'Irvine Roads', cpv_codes: ['45233140'], max_contract_value: 120000, company_number: null, keywords: [] }));
    await post(registration({ name: 'Edinburgh Roads', postcode: 'EH1 1AA', home_region: null, cpv_codes: ['45233140'], max_contract_value: 1e6, company_number: null }));
    const tender: TenderSpec = {
      ocid: 'ocds-test-lots',
      title: 'Estate services, East Ayrshire',
      cpv: '77310000',
      lots: [
        { id: '1', title: 'Grounds maintenance', cpv: '77310000', region: 'UKM93', value: 80000 },
        { id: '2', title: 'Green waste composting', cpv: '90500000', region: 'UKM93', value: 60000 },
        { id: '3', title: 'Road repairs', cpv: '45233140', region: 'UKM93', value: 100000 },
      ],
    };
    const ocids = await storeTenders(deps.db, [tender]);
    await matchTenders(deps, { ocids });
    // Each lot is matched on its own: the small firms each get their lot.
    const perLot = await deps.db.selectFrom('matches').select(['supplier_id', 'lot_id']).where('supplier_id', 'in', [g.supplier.id, c.supplier.id, r.supplier.id]).orderBy('lot_id').execute();
    expect(perLot).toEqual([
      { supplier_id: g.supplier.id, lot_id: '1' },
      { supplier_id: c.supplier.id, lot_id: '2' },
      { supplier_id: r.supplier.id, lot_id: '3' },
    ]);

    const body = await get<ConsortiaBody>(`/tenders/${tender.ocid}/consortia`);
    const whole = body.proposals.find((p) => p.lot_id === '')!;
    expect(whole.needed).toBe(true);
    expect(whole.groups.length).toBeGreaterThanOrEqual(1);
    expect(whole.groups.length).toBeLessThanOrEqual(5);
    const group = whole.groups[0];
    expect(group.kind).toBe('proposed');
    expect(Object.fromEntries(group.members.map((m) => [m.supplier_id, m.lots]))).toEqual({
      [g.supplier.id]: ['1'],
      [c.supplier.id]: ['2'],
      [r.supplier.id]: ['3'],
    });
    expect(group.reasons[0]).toMatch(/Together these 3 local firms cover all 3 kinds of work needed and £470k of capacity against £240k/);
    // Single lots need no consortium.
    expect(body.proposals.filter((p) => p.lot_id !== '').every((p) => !p.needed)).toBe(true);
  });

  it('pools capacity when the value is above every local capacity, at most five members', () => {
    const now = new Date('2026-11-24T09:00:00Z');
    const opp = opportunity({ cpv: ['77310000'], places: [{ code: 'TLM93', national: false }], value: 1_000_000 });
    const firms = Array.from({ length: 8 }, (_, i) =>
      supplier({ id: `f${i}`, cpv: ['77310000'], homeRegion: 'TLM93', maxContractValue: 150000 + i * 10000 }),
    );
    const res = proposeConsortia(opp, firms, now);
    expect(res.needed).toBe(true);
    expect(res.why.join(' ')).toMatch(/above the largest capacity of any local supplier \(£220k\)/);
    for (const g of res.groups) {
      expect(g.members.length).toBeGreaterThanOrEqual(2);
      expect(g.members.length).toBeLessThanOrEqual(5);
      expect(g.members.reduce((a, m) => a + (m.capacity ?? 0), 0)).toBeGreaterThanOrEqual(1_000_000);
    }
    expect(res.groups.length).toBeGreaterThan(0);
    // Too big even for five: no proposal.
    expect(proposeConsortia({ ...opp, value: 5_000_000 }, firms, now).groups).toEqual([]);
  });

  it('needs no consortium when one local supplier can do it all', () => {
    const now = new Date('2026-11-24T09:00:00Z');
    const opp = opportunity({ cpv: ['77310000'], places: [{ code: 'TLM93', national: false }], value: 100000 });
    const res = proposeConsortia(opp, [supplier({ id: 'solo', cpv: ['77000000'], homeRegion: 'TLM9', maxContractValue: 200000 })], now);
    expect(res).toMatchObject({ needed: false, soloSuppliers: ['solo'], groups: [] });
  });
});

describe('consortium members pass the gates a single bidder must pass (all but capacity and CPV breadth)', () => {
  const now = new Date('2026-11-24T09:00:00Z');
  // Grounds maintenance and green-waste composting in East Ayrshire (CPV and NUTS from real Scottish notices).
  const estate = opportunity({ ocid: 'ocds-test-estate', lotId: '2', lotTitle: 'Green spaces', cpv: ['77310000', '90500000'], places: [{ code: 'TLM93', national: false }], value: 300000 });
  const firm = (id: string, kind: SupplierProfile['kind'], cpv: string, maxContractValue: number | null, over: Partial<SupplierProfile> = {}) =>
    supplier({ id, name: id, kind, cpv: [cpv], homeRegion: 'TLM93', maxContractValue, ...over });
  /** Every member would be let through by the scorer but for capacity and the kinds of work it does not cover. */
  const passesTheScorersGates = (opp: Opportunity, members: SupplierProfile[]) =>
    members.every((m) => {
      const v = scoreMatch({ ...opp, value: null }, m, SETTINGS, now);
      return v.eligible || v.rule === 'capability';
    });

  it('a lot reserved for VCSEs: only VCSEs are grouped, and the proposal says who was left out', () => {
    const opp = { ...estate, reserved: ['vcse'] };
    const all = [
      firm('small-grounds', 'small', '77310000', 250000),
      firm('small-compost', 'small', '90500000', 250000),
      firm('vcse-grounds', 'vcse', '77310000', 200000),
      firm('vcse-compost', 'vcse', '90500000', 150000),
      { ...firm('growers-coop', 'cooperative', '77310000', 400000, { cpv: ['77310000', '90500000'] }), members: [firm('m1', 'small', '77310000', 200000), firm('m2', 'small', '90500000', 200000)] },
    ];
    const res = proposeConsortia(opp, all, now);
    // From an index (as officers' listings hold one), the same proposal without compiling any profile again.
    expect(proposeConsortia(opp, new SupplierIndex(all), now)).toEqual(res);
    expect(res.needed).toBe(true);
    expect(res.why).toContain('Bids are reserved for VCSEs: 3 local suppliers that do not qualify are left out.');
    expect(res.groups.map((g) => [g.kind, g.members.map((m) => m.supplierId).sort()])).toEqual([['proposed', ['vcse-compost', 'vcse-grounds']]]);
    const byId = new Map(all.map((s) => [s.id, s]));
    for (const g of res.groups) expect(passesTheScorersGates(opp, g.members.map((m) => byId.get(m.supplierId)!))).toBe(true);
  });

  it('a lot reserved for suppliers based in Kent: a bigger firm serving Kent from Surrey is not proposed, alone or in a group', () => {
    const opp = opportunity({ cpv: ['77310000'], places: [{ code: 'TLJ45', national: false }], value: 300000, reservedPlaces: ['TLJ4'], reservedLocation: 'Kent' });
    const all = [
      supplier({ id: 'surrey', cpv: ['77310000'], homeRegion: 'TLJ2', serves: ['TLJ4'], maxContractValue: 400000 }),
      supplier({ id: 'mid-kent', cpv: ['77310000'], homeRegion: 'TLJ45', maxContractValue: 150000 }),
      supplier({ id: 'west-kent', cpv: ['77310000'], homeRegion: 'TLJ46', serves: ['TLJ4'], maxContractValue: 160000 }),
    ];
    expect(scoreMatch(opp, all[0], SETTINGS, now)).toMatchObject({ eligible: false, rule: 'reserved' });
    const res = proposeConsortia(opp, all, now);
    expect(res.needed).toBe(true);
    expect(res.why[0]).toBe('Bids are reserved for suppliers based in Kent (TLJ4): 1 local supplier that does not qualify is left out.');
    expect(res.groups.map((g) => g.members.map((m) => m.supplierId).sort())).toEqual([['mid-kent', 'west-kent']]);
  });

  it('a firm that has not said its capacity takes the work on alone, as the scorer matches it alone', () => {
    const opp = opportunity({ cpv: ['77310000'], places: [{ code: 'TLM93', national: false }], value: 500000 });
    const unstated = supplier({ id: 'unstated', cpv: ['77310000'], homeRegion: 'TLM93', maxContractValue: null });
    const tiny = supplier({ id: 'tiny', cpv: ['77310000'], homeRegion: 'TLM93', maxContractValue: 100 });
    expect(scoreMatch(opp, unstated, SETTINGS, now).eligible).toBe(true);
    expect(scoreMatch(opp, tiny, SETTINGS, now)).toMatchObject({ eligible: false, rule: 'capacity' });
    expect(proposeConsortia(opp, [unstated, tiny], now)).toMatchObject({
      needed: false,
      soloSuppliers: ['unstated'],
      why: ['1 local supplier can take this on alone.', 'It has not said the largest contract it can take on, so check it can deliver £500k.'],
      groups: [],
    });
  });

  it('an unstated capacity does not count towards a value the group pools, and the group says so', () => {
    const all = [firm('grounds', 'small', '77310000', 200000), firm('compost-unstated', 'small', '90500000', null), firm('compost', 'small', '90500000', 150000)];
    const res = proposeConsortia(estate, all, now);
    expect(res.needed).toBe(true);
    expect(res.why).toContain('1 local supplier has not said the largest contract it can take on: an unstated capacity does not count towards the value.');
    expect(res.why).toContain('Its value, £300k, is above the largest capacity any local supplier has stated (£200k).');
    expect(res.groups.length).toBeGreaterThan(0);
    const byId = new Map(all.map((s) => [s.id, s]));
    for (const g of res.groups) {
      const stated = g.members.reduce((sum, m) => sum + (byId.get(m.supplierId)!.maxContractValue ?? 0), 0);
      expect(g.capacity).toBe(stated);
      expect(stated).toBeGreaterThanOrEqual(300000);
      const silent = g.members.filter((m) => m.capacity === null);
      if (silent.length) {
        expect(g.reasons).toContain('compost-unstated has not stated a capacity, so it is not counted towards the value.');
        expect(silent[0].says).toMatch(/has not stated its capacity\.$/);
      }
    }
    expect(res.groups.some((g) => g.members.some((m) => m.capacity === null))).toBe(true);
  });

  it('a cooperative that has not stated its combined capacity is proposed first, as the scorer matches it', () => {
    const coop: SupplierProfile = {
      ...firm('growers-coop', 'cooperative', '77310000', null, { cpv: ['77310000', '90500000'] }),
      members: [firm('coop-grounds', 'small', '77310000', 200000), firm('coop-compost', 'small', '90500000', null)],
    };
    const others = [firm('grounds', 'small', '77310000', 200000), firm('compost', 'small', '90500000', 150000)];
    expect(scoreMatch(estate, coop, SETTINGS, now).eligible).toBe(true);
    const res = proposeConsortia(estate, [...others, coop], now);
    expect(res.groups.map((g) => g.kind)).toEqual(['cooperative', 'proposed']);
    expect(res.groups[0].reasons).toEqual([
      'growers-coop is a registered cooperative whose members together cover every kind of work needed.',
      'It has not stated its combined capacity, so check that it can deliver £300k.',
    ]);
  });
});
