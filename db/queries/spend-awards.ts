/**
 * Stored award notices read for the awards view of a spend report: each award with its tender's buyer, CPV
 * division and date, and its suppliers with their postcodes, sizes and Companies House numbers.
 */
import type { Db } from '../client.js';
import { chunks } from '../bulk.js';
import { readList as parseList } from '../json-columns.js';
import { cpvDivision, normaliseCpv } from '../../src/domain/cpv/index.js';
import { normalisePostcode } from '../../src/domain/geo/index.js';
import { normaliseCompanyNumber } from '../../src/domain/suppliers/index.js';
import type { AwardInput, RegistryFacts } from '../../src/domain/spend/awards.js';
import { buyerIdOf } from './spend.js';

const IN_LIST = 90;

/** Buyers named in stored tenders, with their postcodes, keyed by buyer id (the normalised name). */
export async function tenderBuyers(db: Db): Promise<Map<string, { names: string[]; postcode: string | null }>> {
  const rows = await db.selectFrom('tenders').select(['buyer_name', 'buyer_postcode']).where('buyer_name', 'is not', null).groupBy(['buyer_name', 'buyer_postcode']).execute();
  const out = new Map<string, { names: string[]; postcode: string | null }>();
  for (const r of rows) {
    const id = buyerIdOf(r.buyer_name!);
    let b = out.get(id);
    if (!b) out.set(id, (b = { names: [], postcode: null }));
    if (!b.names.includes(r.buyer_name!)) b.names.push(r.buyer_name!);
    b.postcode ??= r.buyer_postcode ? normalisePostcode(r.buyer_postcode) : null;
  }
  return out;
}

/** Awards of tenders whose buyer is one of `buyerIds` (buyer ids by normalised name). */
export async function loadAwardInputs(db: Db, buyerIds: string[]): Promise<AwardInput[]> {
  const buyers = await tenderBuyers(db);
  const nameToId = new Map<string, string>();
  for (const id of buyerIds) for (const n of buyers.get(id)?.names ?? []) nameToId.set(n, id);
  const names = [...nameToId.keys()];
  const tenders: Array<{ ocid: string; buyer_name: string | null; cpv_codes: string }> = [];
  for (const part of chunks(names, IN_LIST)) {
    tenders.push(...(await db.selectFrom('tenders').select(['ocid', 'buyer_name', 'cpv_codes']).where('buyer_name', 'in', part).execute()));
  }
  const byOcid = new Map(tenders.map((t) => [t.ocid, t]));
  const out: AwardInput[] = [];
  for (const part of chunks([...byOcid.keys()], IN_LIST)) {
    const awards = await db.selectFrom('awards').selectAll().where('ocid', 'in', part).orderBy('ocid').orderBy('award_id').execute();
    const suppliers = await db.selectFrom('award_suppliers').selectAll().where('ocid', 'in', part).orderBy('party_id').execute();
    for (const a of awards) {
      const t = byOcid.get(a.ocid)!;
      const code = parseList(t.cpv_codes).map((c) => normaliseCpv(c)).find((c): c is string => !!c) ?? null;
      out.push({
        buyerId: nameToId.get(t.buyer_name!)!,
        ocid: a.ocid,
        awardId: a.award_id,
        date: a.award_date ?? a.date_published,
        value: a.value_amount === null ? null : Number(a.value_amount),
        currency: a.value_currency,
        category: code ? cpvDivision(code) : null,
        suppliers: suppliers
          .filter((s) => s.award_id === a.award_id)
          .map((s) => ({
            partyId: s.party_id,
            name: s.name,
            companyNumber: s.identifier && /COH|companies/i.test(s.identifier_scheme ?? '') ? normaliseCompanyNumber(s.identifier) : null,
            postcode: s.postcode ? normalisePostcode(s.postcode) : null,
            scale: s.scale,
          })),
      });
    }
  }
  return out;
}

/** Registered suppliers by Companies House number. */
export async function registryByCompanyNumber(db: Db): Promise<Map<string, RegistryFacts>> {
  const rows = await db.selectFrom('suppliers').select(['id', 'name', 'kind', 'company_number', 'postcode', 'home_region']).where('company_number', 'is not', null).execute();
  return new Map(rows.map((r) => [r.company_number!, { id: r.id, name: r.name, kind: r.kind, postcode: r.postcode, homeRegion: r.home_region }]));
}
