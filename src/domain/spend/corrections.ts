/**
 * An analyst's correction of a payee's resolution, checked: confirm the match, correct it to a known supplier
 * (its source and reference) or to facts given by hand (postcode, SME, VCSE), or unresolve it.
 */
import { normalisePostcode } from '../geo/index.js';
import { SOURCE_ORDER } from './resolve.js';

export interface CorrectionInput {
  action?: unknown;
  source?: unknown;
  supplier_ref?: unknown;
  supplier_name?: unknown;
  postcode?: unknown;
  sme?: unknown;
  vcse?: unknown;
  note?: unknown;
}

export interface CheckedCorrection {
  action: 'confirm' | 'correct' | 'unresolve';
  source: string | null;
  supplierRef: string | null;
  supplierName: string | null;
  postcode: string | null;
  sme: boolean | null;
  vcse: boolean | null;
  note: string | null;
}

export interface CorrectionProblem {
  field: string;
  message: string;
}

const text = (v: unknown, max: number): string | null | undefined => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > max) return undefined;
  return v.trim() || null;
};
const yesNo = (v: unknown): boolean | null | undefined => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(yes|true|y|1)$/i.test(v)) return true;
  if (typeof v === 'string' && /^(no|false|n|0)$/i.test(v)) return false;
  return undefined;
};

export function checkCorrection(input: CorrectionInput): { ok: true; value: CheckedCorrection } | { ok: false; problems: CorrectionProblem[] } {
  const problems: CorrectionProblem[] = [];
  const action = input.action;
  if (action !== 'confirm' && action !== 'correct' && action !== 'unresolve') problems.push({ field: 'action', message: 'must be confirm, correct or unresolve' });
  const source = text(input.source, 20);
  if (source === undefined || (source && !(SOURCE_ORDER as readonly string[]).includes(source))) problems.push({ field: 'source', message: `must be one of ${SOURCE_ORDER.join(', ')}` });
  const supplierRef = text(input.supplier_ref, 300);
  if (supplierRef === undefined) problems.push({ field: 'supplier_ref', message: 'must be text of up to 300 characters' });
  const supplierName = text(input.supplier_name, 300);
  if (supplierName === undefined) problems.push({ field: 'supplier_name', message: 'must be text of up to 300 characters' });
  const rawPostcode = text(input.postcode, 20);
  const postcode = rawPostcode ? normalisePostcode(rawPostcode) : null;
  if (rawPostcode === undefined || (rawPostcode && !postcode)) problems.push({ field: 'postcode', message: 'must be a UK postcode' });
  const sme = yesNo(input.sme);
  if (sme === undefined) problems.push({ field: 'sme', message: 'must be true or false' });
  const vcse = yesNo(input.vcse);
  if (vcse === undefined) problems.push({ field: 'vcse', message: 'must be true or false' });
  const note = text(input.note, 1000);
  if (note === undefined) problems.push({ field: 'note', message: 'must be text of up to 1000 characters' });
  if (action === 'correct' && !problems.length) {
    if ((source && !supplierRef) || (!source && supplierRef)) problems.push({ field: 'supplier_ref', message: 'give source and supplier_ref together' });
    if (!source && !postcode && !supplierName) problems.push({ field: 'source', message: 'a correction names a supplier (source and supplier_ref) or gives its facts (supplier_name, postcode, sme, vcse)' });
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      action: action as CheckedCorrection['action'],
      source: source ?? null,
      supplierRef: supplierRef ?? null,
      supplierName: supplierName ?? null,
      postcode,
      sme: sme ?? null,
      vcse: vcse ?? null,
      note: note ?? null,
    },
  };
}
