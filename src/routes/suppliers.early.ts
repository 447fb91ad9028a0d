import type { Deps } from '../deps.js';
import type { StoredMatch } from '../../db/queries/matches.js';
import { buyerHistories } from '../../db/queries/buyer-history.js';
import { renewalsForSuppliers } from '../../db/queries/renewals.js';
import { noticeTypeName, opportunityKindOf } from '../domain/ocds/notice-types.js';

/**
 * What `GET /suppliers/:id/matches` says beyond the scored matches (issue 17): each match's kind (`open`,
 * `coming_up`, `dynamic_market`: a standing way in) and notice type with its name, the buyer's history, and the
 * contracts up for renewal that fit the supplier (`up_for_renewal`), with how sure each forecast is.
 */
export async function earlyMatchView(deps: Deps, supplierId: string, matches: StoredMatch[]) {
  const nowIso = deps.clock.now().toISOString();
  const renewals = await renewalsForSuppliers(deps.db, [supplierId], nowIso, { limit: 100 });
  const histories = await buyerHistories(deps.db, [
    ...matches.map((m) => ({ buyerName: m.buyer_name, cpv: m.cpv_codes, ocid: m.ocid })),
    ...renewals.map((r) => ({ buyerName: r.buyer_name, cpv: r.cpv_codes, ocid: r.ocid })),
  ]);
  return {
    matches: matches.map(({ tender_status, cpv_codes: _cpv, ...m }, i) => {
      const kind = opportunityKindOf(m.notice_type, tender_status);
      return { ...m, kind: kind === 'other' ? 'open' : kind, notice_type_name: noticeTypeName(m.notice_type), buyer_history: histories[i] };
    }),
    up_for_renewal: renewals.map(({ supplier_id: _s, ...r }, i) => ({ ...r, buyer_history: histories[matches.length + i] })),
  };
}
