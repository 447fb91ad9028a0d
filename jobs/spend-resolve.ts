/**
 * Resolves a buyer's payees to known suppliers (registry, then award suppliers, then the council's directory;
 * see src/domain/spend/resolve.ts), applying analysts' corrections first, and stores each payee's facts with
 * the method and confidence. Runs after an import for the payees it saw first, after a directory import for all,
 * and on demand (`spend resolve`) after the registry or stored awards have grown.
 */
import type { Deps } from '../src/deps.js';
import {
  correctionOf,
  factsOfRow,
  listCorrections,
  listPayeeRows,
  loadSupplierCandidates,
  putPayeeFacts,
} from '../db/queries/spend-payees.js';
import { rebuildClassRollup } from '../db/queries/spend.js';
import { correctedFacts, factsOf } from '../src/domain/spend/facts.js';
import type { PayeeKind } from '../src/domain/spend/payees.js';
import type { PayeeFacts } from '../src/domain/spend/report.js';
import { SupplierResolver } from '../src/domain/spend/resolve.js';

export interface ResolveSummary {
  buyer: string;
  payees: number;
  resolved: number;
  unresolved: number;
  individuals: number;
  corrected: number;
  by_method: Record<string, number>;
  by_source: Record<string, number>;
  candidates: { registry: number; award: number; directory: number };
  seconds: number;
}

const same = (a: PayeeFacts, b: PayeeFacts) => JSON.stringify(a) === JSON.stringify(b);

export async function resolvePayees(deps: Deps, buyerId: string, options: { payeeKeys?: string[]; progress?: (line: string) => void; rebuild?: boolean } = {}): Promise<ResolveSummary> {
  const started = Date.now();
  const candidates = await loadSupplierCandidates(deps.db, buyerId);
  const resolver = new SupplierResolver(candidates);
  const corrections = new Map((await listCorrections(deps.db, buyerId)).map((c) => [c.payee_key, c]));
  const rows = await listPayeeRows(deps.db, buyerId, options.payeeKeys);
  const summary: ResolveSummary = {
    buyer: buyerId,
    payees: rows.length,
    resolved: 0,
    unresolved: 0,
    individuals: 0,
    corrected: 0,
    by_method: {},
    by_source: {},
    candidates: { registry: resolver.size('registry'), award: resolver.size('award'), directory: resolver.size('directory') },
    seconds: 0,
  };
  const changed: PayeeFacts[] = [];
  let done = 0;
  for (const row of rows) {
    const payee = { payeeKey: row.payee_key, name: row.name, kind: row.kind as PayeeKind };
    let facts = factsOf(payee, payee.kind === 'individual' ? null : resolver.resolve(row.name, row.company_number));
    const correction = corrections.get(row.payee_key);
    if (correction) {
      facts = correctedFacts(payee, await correctionOf(deps.db, correction, candidates), facts);
      summary.corrected++;
    }
    if (facts.source) summary.resolved++;
    else if (facts.method === 'individual') summary.individuals++;
    else summary.unresolved++;
    summary.by_method[facts.method] = (summary.by_method[facts.method] ?? 0) + 1;
    if (facts.source) summary.by_source[facts.source] = (summary.by_source[facts.source] ?? 0) + 1;
    if (!same(facts, factsOfRow(row))) changed.push(facts);
    if (++done % 5000 === 0) options.progress?.(`resolving payees of ${buyerId}: ${done.toLocaleString('en-GB')} of ${rows.length.toLocaleString('en-GB')}`);
  }
  await putPayeeFacts(deps.db, buyerId, changed, deps.clock.now().toISOString());
  if (changed.length || options.rebuild) await rebuildClassRollup(deps.db, buyerId);
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  return summary;
}
