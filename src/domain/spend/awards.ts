/**
 * The awards view: the same report computed from stored award notices instead of payments, so that a council
 * with no spend file loaded still gets one, and both can be set side by side. Contracted value stands for spend:
 * each award's value is shared equally among its suppliers (to the penny, the odd pence to the first), dated by
 * the award date (else its publication), categorised by the notice's CPV division, placed by each supplier's
 * postcode; size from the notice's `scale` (`sme` / `large`), else the registry's, VCSE from the registry or the
 * supplier's name.
 */
import { normaliseName, payeeKind } from './payees.js';
import { quarterOf } from './quarters.js';
import type { PayeeFacts, SpendCell } from './report.js';
import { payeeRef } from './report.js';
import { supplierPlaceOf } from './facts.js';

export interface AwardSupplierInput {
  partyId: string;
  name: string | null;
  companyNumber: string | null;
  postcode: string | null;
  scale: string | null;
}

export interface AwardInput {
  buyerId: string;
  ocid: string;
  awardId: string;
  /** ISO date or date-time. */
  date: string | null;
  value: number | null;
  currency: string | null;
  /** CPV division of the tender, or null. */
  category: string | null;
  suppliers: AwardSupplierInput[];
}

/** What the registry says of a supplier with this Companies House number. */
export interface RegistryFacts {
  id: string;
  name: string;
  kind: string;
  postcode: string | null;
  homeRegion: string | null;
}

export interface AwardsViewInput {
  cells: SpendCell[];
  payees: Map<string, PayeeFacts>;
  /** Awards left out, and why (no value, not in pounds, no date, no supplier). */
  skipped: Record<string, number>;
}

const SME_KINDS = new Set(['micro', 'small', 'medium', 'cooperative']);

export function awardsView(awards: readonly AwardInput[], registry: ReadonlyMap<string, RegistryFacts> = new Map()): AwardsViewInput {
  const cells = new Map<string, SpendCell>();
  const payees = new Map<string, PayeeFacts>();
  const skipped: Record<string, number> = {};
  const skip = (why: string) => (skipped[why] = (skipped[why] ?? 0) + 1);
  for (const a of awards) {
    if (a.value === null || !Number.isFinite(a.value) || a.value <= 0) {
      skip('no value');
      continue;
    }
    if (a.currency && a.currency.toUpperCase() !== 'GBP') {
      skip('not in pounds');
      continue;
    }
    if (!a.date || !/^\d{4}-\d{2}-\d{2}/.test(a.date)) {
      skip('no date');
      continue;
    }
    const named = a.suppliers.filter((s) => s.name && normaliseName(s.name));
    if (!named.length) {
      skip('no supplier');
      continue;
    }
    const total = Math.round(a.value * 100);
    const each = Math.floor(total / named.length);
    const quarter = quarterOf(a.date.slice(0, 10));
    named.forEach((s, i) => {
      const pence = each + (i === 0 ? total - each * named.length : 0);
      const payeeKey = normaliseName(s.name!);
      const key = `${a.buyerId}\u0000${quarter}\u0000${payeeKey}\u0000${a.category ?? ''}`;
      const cell = cells.get(key);
      if (cell) {
        cell.pence += pence;
        cell.payments += 1;
      } else cells.set(key, { buyerId: a.buyerId, quarter, payeeKey, category: a.category, exclusion: null, pence, payments: 1 });
      const ref = payeeRef(a.buyerId, payeeKey);
      const known = payees.get(ref);
      if (!known || (!known.postcode && s.postcode)) payees.set(ref, awardFacts(a, s, payeeKey, registry));
    });
  }
  return { cells: [...cells.values()], payees, skipped };
}

function awardFacts(a: AwardInput, s: AwardSupplierInput, payeeKey: string, registry: ReadonlyMap<string, RegistryFacts>): PayeeFacts {
  const registered = s.companyNumber ? registry.get(s.companyNumber) ?? null : null;
  const scale = (s.scale ?? '').toLowerCase();
  const sme = scale === 'sme' ? true : scale === 'large' ? false : registered ? SME_KINDS.has(registered.kind) || null : null;
  const kind = payeeKind(s.name!);
  const postcode = s.postcode ?? registered?.postcode ?? null;
  const place = supplierPlaceOf(postcode, registered?.homeRegion ?? null);
  return {
    payeeKey,
    name: s.name!,
    kind,
    source: 'award',
    supplierRef: registered ? `registry:${registered.id}` : s.companyNumber ? `company:${s.companyNumber}` : `${a.ocid}/${a.awardId}/${s.partyId}`,
    supplierName: s.name!,
    method: registered ? 'company_number' : 'exact',
    confidence: 1,
    postcode,
    place: place ?? (s.companyNumber ? { lad: null, itl3: null, itl1: null, combinedAuthority: null, uk: true } : null),
    sme,
    vcse: registered?.kind === 'vcse' || kind === 'vcse',
  };
}
