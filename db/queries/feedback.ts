/** A firm's feedback on the notices it was sent (migration 016): written from the signed links, read by the matcher. */
import type { Db } from '../client.js';
import { chunks } from '../bulk.js';
import type { FeedbackMark, FeedbackVerdict } from '../../src/domain/matching/feedback.js';
import type { SupplierProfile } from '../../src/domain/matching/types.js';

const IDS_PER_QUERY = 200;

/** Records (or changes) a firm's verdict on a tender or lot, with what is needed to know a like notice again. */
export async function recordFeedback(db: Db, supplierId: string, ocid: string, lotId: string, mark: FeedbackMark, now: string): Promise<void> {
  const row = {
    supplier_id: supplierId,
    ocid,
    lot_id: lotId,
    verdict: mark.verdict,
    cpv_groups: JSON.stringify(mark.groups),
    words: JSON.stringify(mark.words),
    buyer: mark.buyer,
    created_at: now,
  };
  await db
    .insertInto('match_feedback')
    .values(row)
    .onConflict((oc) => oc.columns(['supplier_id', 'ocid', 'lot_id']).doUpdateSet({ verdict: row.verdict, cpv_groups: row.cpv_groups, words: row.words, buyer: row.buyer, created_at: row.created_at }))
    .execute();
}

function readStrings(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export interface StoredFeedback extends FeedbackMark {
  ocid: string;
  lotId: string;
  createdAt: string;
}

/** Every firm's marks, or only these firms', by supplier id. */
export async function feedbackBySupplier(db: Db, supplierIds?: string[]): Promise<Map<string, StoredFeedback[]>> {
  const rows = [];
  if (supplierIds === undefined) rows.push(...(await db.selectFrom('match_feedback').selectAll().orderBy('created_at').execute()));
  else for (const part of chunks([...new Set(supplierIds)], IDS_PER_QUERY)) rows.push(...(await db.selectFrom('match_feedback').selectAll().where('supplier_id', 'in', part).orderBy('created_at').execute()));
  const out = new Map<string, StoredFeedback[]>();
  for (const r of rows) {
    const list = out.get(r.supplier_id) ?? [];
    list.push({ ocid: r.ocid, lotId: r.lot_id, verdict: r.verdict as FeedbackVerdict, groups: readStrings(r.cpv_groups), words: readStrings(r.words), buyer: r.buyer, createdAt: r.created_at });
    out.set(r.supplier_id, list);
  }
  return out;
}

/** The profiles with their firms' marks attached (a cooperative's own marks only). */
export async function withFeedback(db: Db, profiles: SupplierProfile[], onlyThese = false): Promise<SupplierProfile[]> {
  const marks = await feedbackBySupplier(db, onlyThese ? profiles.map((p) => p.id) : undefined);
  if (marks.size === 0) return profiles;
  return profiles.map((p) => {
    const own = marks.get(p.id);
    return own ? { ...p, feedback: own.map(({ verdict, groups, words, buyer }) => ({ verdict, groups, words, buyer })) } : p;
  });
}
