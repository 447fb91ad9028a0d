/**
 * What is known of a payee once it has been resolved (or corrected by an analyst): the supplier it is, where
 * that supplier is, and whether it is an SME or a VCSE. The one place where a resolution becomes report facts.
 */
import { itlLevel, toItl } from '../geo/index.js';
import { isRedacted, payeeKind, type PayeeKind } from './payees.js';
import { placeOfPostcode } from '../geo/index.js';
import type { SupplierPlace } from './places.js';
import type { PayeeFacts } from './report.js';
import type { Resolution, SupplierCandidate } from './resolve.js';

/**
 * A supplier's place from its postcode, made deeper by a registered home region (an ITL3 code a supplier gave
 * at registration says more than its postcode's region does until postcodes resolve to local authorities).
 */
export function supplierPlaceOf(postcode: string | null, homeRegion: string | null = null): SupplierPlace | null {
  const p = postcode ? placeOfPostcode(postcode) : null;
  const home = homeRegion ? toItl(homeRegion) : null;
  const homeItl3 = home && itlLevel(home) === 3 ? home : null;
  const homeItl1 = home && itlLevel(home) >= 1 ? home.slice(0, 3) : null;
  if (!p && !home) return null;
  return {
    lad: p?.lad ?? null,
    itl3: p?.itl3 ?? homeItl3,
    itl1: p?.itl1 ?? homeItl1,
    combinedAuthority: p?.combinedAuthority ?? null,
    uk: true,
  };
}

export interface PayeeName {
  payeeKey: string;
  name: string;
  kind?: PayeeKind;
}

const unresolved = (payee: PayeeName, kind: PayeeKind, method: string): PayeeFacts => ({
  payeeKey: payee.payeeKey,
  name: payee.name,
  kind,
  source: null,
  supplierRef: null,
  supplierName: null,
  method,
  confidence: 0,
  postcode: null,
  place: null,
  sme: null,
  vcse: null,
});

/** A payee's kind as read from its name, made 'vcse' where a source says the supplier is one. */
function kindOf(payee: PayeeName, candidate: SupplierCandidate | null): PayeeKind {
  const kind = payee.kind ?? payeeKind(payee.name);
  if (candidate?.vcse && (kind === 'company' || kind === 'unknown')) return 'vcse';
  return kind;
}

export function factsOf(payee: PayeeName, resolution: Resolution | null): PayeeFacts {
  const kind = payee.kind ?? payeeKind(payee.name);
  if (isRedacted(payee.name) || kind === 'individual') return unresolved(payee, 'individual', 'individual');
  if (!resolution) return unresolved(payee, kind, 'none');
  return candidateFacts(payee, resolution.candidate, resolution.method, resolution.confidence);
}

export function candidateFacts(payee: PayeeName, c: SupplierCandidate, method: string, confidence: number, source: string = c.source): PayeeFacts {
  const place = supplierPlaceOf(c.postcode, c.homeRegion);
  return {
    payeeKey: payee.payeeKey,
    name: payee.name,
    kind: kindOf(payee, c),
    source,
    supplierRef: c.ref,
    supplierName: c.name,
    method,
    confidence,
    postcode: c.postcode,
    // A Companies House number is a UK company, wherever its postcode is not known.
    place: place ?? (c.companyNumber ? { lad: null, itl3: null, itl1: null, combinedAuthority: null, uk: true } : null),
    sme: c.sme,
    vcse: c.vcse === true || payeeKind(c.name) === 'vcse' ? true : c.vcse,
  };
}

export interface Correction {
  action: 'confirm' | 'correct' | 'unresolve';
  /** For 'correct': the supplier chosen (found in its source), or null for facts given by hand. */
  candidate: SupplierCandidate | null;
  supplierName: string | null;
  postcode: string | null;
  sme: boolean | null;
  vcse: boolean | null;
}

/**
 * An analyst's word wins over any automatic match: confirm keeps the match (now certain), correct names the
 * supplier (or gives its postcode and size by hand), unresolve leaves the payee unresolved.
 */
export function correctedFacts(payee: PayeeName, correction: Correction, automatic: PayeeFacts): PayeeFacts {
  if (correction.action === 'unresolve') return unresolved(payee, automatic.kind, 'analyst');
  if (correction.action === 'confirm') return automatic.source ? { ...automatic, method: 'analyst', confidence: 1 } : automatic;
  if (correction.candidate) {
    const f = candidateFacts(payee, correction.candidate, 'analyst', 1);
    return {
      ...f,
      sme: correction.sme ?? f.sme,
      vcse: correction.vcse ?? f.vcse,
      postcode: correction.postcode ?? f.postcode,
      place: correction.postcode ? supplierPlaceOf(correction.postcode) ?? f.place : f.place,
    };
  }
  return {
    payeeKey: payee.payeeKey,
    name: payee.name,
    kind: automatic.kind === 'individual' ? 'unknown' : automatic.kind,
    source: 'analyst',
    supplierRef: null,
    supplierName: correction.supplierName ?? payee.name,
    method: 'analyst',
    confidence: 1,
    postcode: correction.postcode,
    place: correction.postcode ? supplierPlaceOf(correction.postcode) : null,
    sme: correction.sme,
    vcse: correction.vcse,
  };
}
