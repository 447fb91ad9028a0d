/**
 * The council's own reference files: its supplier directory (then every payee of the buyer is resolved again,
 * analysts' corrections still first) and its expense-code categories (then every stored line of the buyer is
 * categorised again and its rollups rebuilt). Bad rows are reported with their line and reason; the rest load.
 */
import type { Deps } from '../src/deps.js';
import { putDirectory } from '../db/queries/spend-payees.js';
import { distinctExpenseLines, loadCategoryMapping, putCategoryMapping, rebuildRollups, setLineCategory } from '../db/queries/spend.js';
import { categoryOf } from '../src/domain/spend/category.js';
import { CATEGORY_ALIASES, mapDirectoryHeader, readCategoryRow, readDirectoryRow, type DirectoryEntry } from '../src/domain/spend/directory.js';
import { HEADER_SEARCH_ROWS, mapColumns } from '../src/domain/spend/headers.js';
import { isBlankRow } from '../src/domain/spend/rows.js';
import { ensureBuyer, SpendImportError, type BuyerInput } from './spend-import.js';
import { readSpreadsheet } from './spend-read.js';
import { resolvePayees, type ResolveSummary } from './spend-resolve.js';

export interface ReferenceFileSummary {
  file: string;
  buyer: string;
  rows: number;
  loaded: number;
  rejected: number;
  rejections: Array<{ line: number; reason: string }>;
}

const MAX_LISTED = 50;

export async function importDirectoryFile(deps: Deps, options: { buyer: BuyerInput; fileName: string; bytes: Uint8Array }): Promise<ReferenceFileSummary & { resolution: ResolveSummary }> {
  const buyer = await ensureBuyer(deps, options.buyer);
  const file = readSpreadsheet(options.bytes, options.fileName);
  let columns: ReturnType<typeof mapDirectoryHeader> | null = null;
  let problem = 'the file is empty';
  let searched = 0;
  const entries = new Map<string, DirectoryEntry>();
  const summary: ReferenceFileSummary = { file: options.fileName, buyer: buyer.name, rows: 0, loaded: 0, rejected: 0, rejections: [] };
  for await (const row of file.rows) {
    if (isBlankRow(row.cells)) continue;
    if (!columns?.ok) {
      const m = mapDirectoryHeader(row.cells);
      if (m.ok) columns = m;
      else {
        problem = m.message;
        if (++searched >= HEADER_SEARCH_ROWS) break;
      }
      continue;
    }
    summary.rows++;
    const read = readDirectoryRow(row.cells, columns.columns);
    if (!read.ok) {
      summary.rejected++;
      if (summary.rejections.length < MAX_LISTED) summary.rejections.push({ line: row.line, reason: read.reason });
      continue;
    }
    // A name listed twice keeps what either line says (the first line's values first).
    const known = entries.get(read.entry.entryKey);
    if (known) {
      for (const k of ['vendorId', 'companyNumber', 'postcode', 'sme', 'vcse'] as const) if (known[k] === null) (known as unknown as Record<string, unknown>)[k] = read.entry[k];
    } else entries.set(read.entry.entryKey, read.entry);
    summary.loaded++;
  }
  if (!columns?.ok) throw new SpendImportError(`${options.fileName}: ${problem}`);
  await putDirectory(deps.db, buyer.buyer_id, [...entries.values()], deps.clock.now().toISOString());
  const resolution = await resolvePayees(deps, buyer.buyer_id);
  return { ...summary, resolution };
}

export async function importCategoryFile(
  deps: Deps,
  options: { buyer: BuyerInput; fileName: string; bytes: Uint8Array },
): Promise<ReferenceFileSummary & { lines_recategorised: number; rollup_cells: number }> {
  const buyer = await ensureBuyer(deps, options.buyer);
  const file = readSpreadsheet(options.bytes, options.fileName);
  let columns: Partial<Record<'code' | 'category', number>> | null = null;
  let searched = 0;
  const rows: Array<{ codeKey: string; code: string; category: string }> = [];
  const summary: ReferenceFileSummary = { file: options.fileName, buyer: buyer.name, rows: 0, loaded: 0, rejected: 0, rejections: [] };
  let header: string[] = [];
  for await (const row of file.rows) {
    if (isBlankRow(row.cells)) continue;
    if (!columns) {
      const m = mapColumns(row.cells, CATEGORY_ALIASES).columns;
      if (m.code !== undefined && m.category !== undefined) columns = m;
      else {
        header = row.cells;
        if (++searched >= HEADER_SEARCH_ROWS) break;
      }
      continue;
    }
    summary.rows++;
    const read = readCategoryRow(row.cells, columns);
    if (!read.ok) {
      summary.rejected++;
      if (summary.rejections.length < MAX_LISTED) summary.rejections.push({ line: row.line, reason: read.reason });
      continue;
    }
    rows.push(read);
    summary.loaded++;
  }
  if (!columns) {
    throw new SpendImportError(
      `${options.fileName}: the columns are ${header.map((h) => JSON.stringify(h)).join(', ') || 'none'}; a category mapping needs an expense code column ("expense code", "code"…) and a category column ("cpv", "category"…)`,
    );
  }
  await putCategoryMapping(deps.db, buyer.buyer_id, rows, deps.clock.now().toISOString());
  const changed = await recategorise(deps, buyer.buyer_id);
  return { ...summary, ...changed };
}

/** Gives every stored line of a buyer its category again (the mapping first, then the classifier) and rebuilds its rollups. */
export async function recategorise(deps: Deps, buyerId: string): Promise<{ lines_recategorised: number; rollup_cells: number }> {
  const mapping = await loadCategoryMapping(deps.db, buyerId);
  let changed = 0;
  for (const line of await distinctExpenseLines(deps.db, buyerId)) {
    const c = categoryOf(line.expense_type, line.service_area, line.description, line.expense_code, mapping);
    if (c.category === line.category && c.method === line.category_method) continue;
    await setLineCategory(deps.db, buyerId, line, c.category, c.method);
    changed++;
  }
  const cells = await rebuildRollups(deps.db, buyerId);
  return { lines_recategorised: changed, rollup_cells: cells };
}
