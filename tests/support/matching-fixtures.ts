/**
 * Tender releases and supplier profiles for the matching tests. The notice texts, CPV codes and NUTS
 * regions are taken from real notices in the shared data (Public Contracts Scotland, Sell2Wales,
 * Contracts Finder); the ocids and dates are the tests' own.
 */
import { storeReleases } from '../../db/queries/releases.js';
import type { Db } from '../../db/client.js';
import type { Opportunity, SupplierProfile } from '../../src/domain/matching/types.js';

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
