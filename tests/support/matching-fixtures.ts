/**
 * Tender releases and supplier profiles for the matching tests. The notice texts, CPV codes and NUTS
 * regions are taken from real notices in the shared data (Public Contracts Scotland, Sell2Wales,
 * Contracts Finder); the ocids and dates are the tests' own.
 */
import { storeReleases } from '../../src/ingest/store.js';
import type { Db } from '../../db/client.js';
import { cpvAncestors, cpvSignificant } from '../../src/domain/cpv/index.js';
import type { Opportunity, SupplierKind, SupplierProfile } from '../../src/domain/matching/types.js';

export const NOW = '2026-11-24T09:00:00Z';

export interface LotSpec {
  id: string;
  title: string;
  description?: string;
  cpv: string;
  region: string;
  value?: number;
}

export interface TenderSpec {
  ocid: string;
  title: string;
  description?: string;
  cpv: string;
  /** More CPV codes on the (single) item. */
  extraCpv?: string[];
  region?: string;
  value?: number;
  deadline?: string;
  status?: string;
  lots?: LotSpec[];
  sme?: boolean;
  vcse?: boolean;
  reserved?: string[];
  date?: string;
  /** Companies House numbers of the winners of a completed award. */
  awardedTo?: string[];
}

/** "Five Year Electrical Inspection Contract, Various Addresses, North Glasgow" (Public Contracts Scotland). */
export const glasgowInspection: TenderSpec = {
  ocid: 'ocds-test-glasgow',
  title: 'Five Year Electrical Inspection Contract, Various Addresses, North Glasgow',
  description: 'Electrical installation condition reports. The works are to be carried out in accordance with BS 7671.',
  cpv: '50711000',
  region: 'UKM82',
  value: 200000,
  sme: true,
};

/** An OCDS tender release in the EU profile (lots, CPV on items, NUTS on delivery addresses). */
export function tenderRelease(t: TenderSpec): Record<string, unknown> {
  const lots = t.lots ?? [];
  const items = lots.length
    ? lots.map((l, i) => ({ id: String(i + 1), relatedLot: l.id, classification: { scheme: 'CPV', id: l.cpv }, deliveryAddresses: [{ region: l.region }] }))
    : [{ id: '1', classification: { scheme: 'CPV', id: t.cpv }, additionalClassifications: (t.extraCpv ?? []).map((id) => ({ scheme: 'CPV', id })), deliveryAddresses: t.region ? [{ region: t.region }] : [] }];
  return {
    ocid: t.ocid,
    id: `${t.ocid}-${t.date ?? '2026-11-01'}`,
    date: `${t.date ?? '2026-11-01'}T10:00:00Z`,
    tag: ['tender'],
    initiationType: 'tender',
    buyer: { id: 'buyer-1', name: 'Test Council' },
    parties: [
      { id: 'buyer-1', name: 'Test Council', roles: ['buyer'] },
      ...(t.awardedTo ?? []).map((n) => ({ id: `GB-COH-${n}`, name: `Company ${n}`, identifier: { scheme: 'GB-COH', id: n }, roles: ['supplier'] })),
    ],
    awards: t.awardedTo
      ? [{ id: `${t.ocid}-award`, status: 'active', date: `${t.date ?? '2026-11-01'}T10:00:00Z`, suppliers: t.awardedTo.map((n) => ({ id: `GB-COH-${n}`, name: `Company ${n}` })) }]
      : undefined,
    tender: {
      id: t.ocid,
      title: t.title,
      description: t.description ?? t.title,
      status: t.status ?? 'active',
      classification: { scheme: 'CPV', id: t.cpv },
      value: t.value === undefined ? undefined : { amount: t.value, currency: 'GBP' },
      tenderPeriod: { endDate: t.deadline ?? '2026-12-20T12:00:00Z' },
      items,
      lots: lots.map((l) => ({ id: l.id, title: l.title, description: l.description ?? l.title, status: 'active', value: l.value === undefined ? undefined : { amount: l.value, currency: 'GBP' } })),
      suitability: t.sme === undefined && t.vcse === undefined ? undefined : { sme: t.sme ?? false, vcse: t.vcse ?? false },
      reservedParticipation: t.reserved,
    },
  };
}

export async function storeTenders(db: Db, specs: TenderSpec[], now = NOW): Promise<string[]> {
  const incoming = specs.map((s) => {
    const value = tenderRelease(s);
    return { raw: JSON.stringify(value), value };
  });
  const counts = await storeReleases(db, 'test', incoming, now);
  return counts.changedOcids;
}

export function supplier(p: Partial<SupplierProfile> & { id: string; cpv: string[] }): SupplierProfile {
  return {
    name: p.id,
    kind: 'small',
    homeRegion: null,
    serves: [],
    national: false,
    description: null,
    keywords: [],
    maxContractValue: null,
    highPotential: false,
    ...p,
  };
}

export function opportunity(p: Partial<Opportunity> & { cpv: string[] }): Opportunity {
  return {
    ocid: 'ocds-test-1',
    lotId: '',
    lotTitle: null,
    title: null,
    text: '',
    places: [],
    value: null,
    status: 'active',
    deadline: '2026-12-20T12:00:00Z',
    suitableSme: null,
    suitableVcse: null,
    reserved: [],
    reservedPlaces: [],
    reservedLocation: null,
    lotCount: 1,
    ...p,
  };
}

const KINDS: SupplierKind[] = ['micro', 'small', 'medium', 'vcse', 'cooperative'];

/** A code beside `code` in its group: the last significant digit moved on by one (it need not be a published code). */
function siblingOf(code: string): string {
  const sig = cpvSignificant(code);
  if (sig.length <= 2) return code;
  const last = (Number(sig[sig.length - 1]) + 1) % 10;
  return `${sig.slice(0, -1)}${last}`.padEnd(8, '0');
}

/**
 * A varied set of supplier profiles for some notices, so that every part of a score and every gate is met:
 * for every `every`-th notice, seven firms that list its codes exactly, one or two levels above, beside them,
 * only their division, or with an unrelated code; based in its delivery place, that place's ITL2 or ITL1
 * area, elsewhere serving it or not, or nationally, or nowhere stated; of every kind; with and without a stated
 * capacity (below, near and far above the notice's value), a description, keywords and past wins.
 */
export function supplierMix(opportunities: Opportunity[], every = 4): SupplierProfile[] {
  const out: SupplierProfile[] = [];
  opportunities.forEach((o, k) => {
    if (k % every !== 0 || !o.cpv.length) return;
    const code = o.cpv[0];
    const up = cpvAncestors(code);
    const place = o.places.find((p) => !p.national && p.code.length > 2)?.code ?? 'TLM82';
    const elsewhere = place.startsWith('TLK') ? 'TLC21' : 'TLK43';
    const words = (o.title ?? o.text).split(/\s+/).filter((w) => w.length > 5);
    const cpvs = [o.cpv.slice(0, 3), [up[0] ?? code], [up[1] ?? up[0] ?? code], [siblingOf(code)], [up[up.length - 1] ?? code], [code, '03111000'], ['79530000']];
    const homes: Array<Pick<SupplierProfile, 'homeRegion' | 'serves' | 'national'>> = [
      { homeRegion: place, serves: [], national: false },
      { homeRegion: place.slice(0, 4), serves: [], national: false },
      { homeRegion: place.slice(0, 3), serves: [], national: false },
      { homeRegion: elsewhere, serves: [place.slice(0, 3)], national: false },
      { homeRegion: elsewhere, serves: [], national: true },
      { homeRegion: elsewhere, serves: [], national: false },
      { homeRegion: null, serves: [place], national: false },
    ];
    const value = o.value ?? 100_000;
    const capacities = [null, value * 0.5, value * 1.5, value * 100, null, value * 25, 1e9];
    for (let v = 0; v < 7; v++) {
      const n = k + v;
      out.push(
        supplier({
          id: `mix-${String(k).padStart(4, '0')}-${v}`,
          kind: KINDS[n % KINDS.length],
          cpv: cpvs[v],
          ...homes[(v + k) % homes.length],
          description: n % 3 === 2 ? null : n % 3 === 0 ? (o.title ?? o.text.slice(0, 120)) : words.slice(0, 6).join(' '),
          keywords: n % 4 === 1 ? words.slice(0, 2).map((w) => w.toLowerCase()) : [],
          maxContractValue: capacities[(v + 2 * k) % capacities.length],
          highPotential: n % 5 === 0,
          pastWins: n % 3 === 1 ? [[code], ...(n % 2 ? [[up[0] ?? code], ['45000000']] : [])] : undefined,
        }),
      );
    }
  });
  return out;
}

/** The JSON body of a registration. */
export function registration(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Ayrshire Green Spaces Ltd',
    kind: 'small',
    company_number: 'SC123456',
    postcode: 'KA1 1HU',
    home_region: 'UKM93',
    cpv_codes: ['77310000'],
    description: 'Grounds maintenance, grass cutting and planting for councils and housing associations.',
    keywords: ['grounds maintenance', 'grass cutting'],
    max_contract_value: 250000,
    contact_email: 'hello@example.org',
    ...over,
  };
}
