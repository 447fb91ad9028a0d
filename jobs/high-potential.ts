import { parseGrowth, updateSupplier } from '../db/queries/suppliers.js';
import type { Deps } from '../src/deps.js';
import { deriveHighPotential } from '../src/domain/suppliers/index.js';
import { queueSuppliersForMatching } from '../db/queries/match-queue.js';
import { drainSupplierMatchQueue } from './match.js';

export interface HighPotentialSummary {
  job: 'high-potential';
  year: number;
  /** Suppliers with growth figures. */
  checked: number;
  /** Those whose derived flag changed, now written. */
  changed: string[];
}

/**
 * Derives the high-potential flag of every supplier with growth figures again, for the current year. The flag is
 * derived when a profile is written; figures that were recent then grow old as the years pass (see
 * deriveHighPotential), and no supplier is flagged on growth that ended years ago. A supplier whose flag changes
 * is matched again (its reasons mention the flag; the officers' ranking boost follows it). Running it twice in a
 * year changes nothing.
 */
export async function refreshHighPotential(deps: Deps): Promise<HighPotentialSummary> {
  const now = deps.clock.now();
  const year = now.getUTCFullYear();
  const rows = await deps.db
    .selectFrom('suppliers')
    .select(['id', 'growth', 'high_potential_derived', 'high_potential_override'])
    .where('growth', 'is not', null)
    .orderBy('id')
    .execute();
  const summary: HighPotentialSummary = { job: 'high-potential', year, checked: rows.length, changed: [] };
  for (const row of rows) {
    const derived = deriveHighPotential(parseGrowth(row.growth), year).highPotential ? 1 : 0;
    if (derived === row.high_potential_derived) continue;
    // An administrator's setting wins over the derived flag: nothing the supplier sees has changed.
    if (row.high_potential_override === null) await queueSuppliersForMatching(deps.db, [row.id], now.toISOString());
    await updateSupplier(deps.db, row.id, { high_potential_derived: derived, updated_at: now.toISOString() });
    summary.changed.push(row.id);
  }
  // Matched together, against one read of the open tenders; a failure leaves them queued for the next run.
  if (summary.changed.length) {
    try {
      await drainSupplierMatchQueue(deps);
    } catch (err) {
      deps.log.error('matching suppliers failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  deps.log.info('high-potential flags refreshed', { year, checked: summary.checked, changed: summary.changed.length });
  return summary;
}
