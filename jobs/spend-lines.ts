/**
 * A spend file's rows read into payment lines and quarantined lines, in batches, with no store: decode, parse,
 * find each sheet's header, read and key each row, categorise. The import writes the batches; for a long CSV
 * this runs in a worker thread (spend-lines.worker.ts) while the import's thread writes.
 */
import type { NewSpendPayment } from '../db/schema.spend.js';
import type { QuarantinedLine } from '../db/queries/spend.js';
import { CategoryReader } from '../src/domain/spend/category.js';
import { HEADER_SEARCH_ROWS, mapSpendHeader, type HeaderMapping } from '../src/domain/spend/headers.js';
import { isBlankRow, OccurrenceCounter, readSpendRow, RowMemo } from '../src/domain/spend/rows.js';
import { readSpreadsheet, type SheetRow, type SpendFormat } from './spend-read.js';

export interface LinesContext {
  buyerId: string;
  fileId: string;
  fileName: string;
  /** The council's expense-code categories, as [code key, CPV division]. */
  categoryMapping: Array<[string, string]>;
  dateMissingAs: string | null;
  batchSize: number;
}

export interface LinesBatch {
  payments: NewSpendPayment[];
  quarantined: QuarantinedLine[];
  /** Rows read so far, for progress lines. */
  rowsSoFar: number;
}

export interface LinesSummary {
  format: SpendFormat;
  encoding: string | null;
  header: string[];
  mapping: HeaderMapping | null;
  headerProblem: string | null;
  rows: number;
  blank: number;
  /** The file's own total, pence. */
  total: number;
  quarantined: number;
  quarantinedPence: number;
  first: string | null;
  last: string | null;
  reasons: Record<string, number>;
  datesStated: number;
}

const looksLikeHeader = (cells: string[], header: string[]) =>
  cells.length === header.length && cells.every((c, i) => c.trim().toLowerCase() === (header[i] ?? '').trim().toLowerCase());

export async function* preparedLines(bytes: Uint8Array, ctx: LinesContext): AsyncGenerator<LinesBatch, LinesSummary> {
  const file = readSpreadsheet(bytes, ctx.fileName);
  const categories = new CategoryReader(new Map(ctx.categoryMapping));
  const counter = new OccurrenceCounter();
  const memo = new RowMemo();
  const rowOptions = { dateMissingAs: ctx.dateMissingAs };
  const s: LinesSummary = {
    format: file.format, encoding: file.encoding, header: [], mapping: null, headerProblem: null, rows: 0, blank: 0, total: 0, quarantined: 0,
    quarantinedPence: 0, first: null, last: null, reasons: {}, datesStated: 0,
  };
  let header: string[] | null = null;
  let mapping: HeaderMapping | null = null;
  let sheet: string | undefined;
  let searched = 0;
  let payments: NewSpendPayment[] = [];
  let quarantined: QuarantinedLine[] = [];
  const rawOf = (row: SheetRow) => JSON.stringify(row.sheet ? { sheet: row.sheet, cells: row.cells } : row.cells);
  const quarantine = (row: SheetRow, reason: string, pence: number) => {
    s.quarantined++;
    s.quarantinedPence += pence;
    const short = reason.replace(/"[^"]*"/g, '…');
    s.reasons[short] = (s.reasons[short] ?? 0) + 1;
    quarantined.push({ line: row.line, reason: row.sheet ? `${reason} (sheet ${row.sheet})` : reason, amountPence: pence, raw: rawOf(row) });
  };

  reading: for await (const batch of file.batches) {
    for (const row of batch) {
      if (row.sheet !== sheet) {
        // Each sheet of a workbook finds its own header.
        sheet = row.sheet;
        header = null;
        searched = 0;
      }
      if (!header) {
        if (isBlankRow(row.cells)) continue;
        const m = mapSpendHeader(row.cells);
        if (m.ok) {
          header = row.cells;
          mapping = m.mapping;
          s.mapping ??= m.mapping;
          if (!s.header.length) s.header = row.cells.map((h) => h.replace(/^\uFEFF/, ''));
          // Rows above the header (a title, a note) are not payments; they are reported, not stored.
          s.blank += searched;
          continue;
        }
        s.headerProblem ??= m.message;
        if (++searched >= HEADER_SEARCH_ROWS) {
          if (!row.sheet) break reading;
          // A sheet without spend on it (notes, a pivot) is passed over; a workbook with none fails.
          s.headerProblem = `sheet "${row.sheet}": ${m.message}`;
          header = [];
          mapping = null;
        }
        continue;
      }
      if (!mapping) continue;
      if (isBlankRow(row.cells)) {
        s.blank++;
        continue;
      }
      s.rows++;
      if (looksLikeHeader(row.cells, header)) {
        quarantine(row, 'the header row again, not a payment', 0);
        continue;
      }
      const read = readSpendRow(row.cells, mapping, rowOptions, memo);
      s.total += read.ok ? read.payment.amountPence : read.amountPence;
      if (!read.ok) {
        quarantine(row, read.reason, read.amountPence);
        continue;
      }
      const p = read.payment;
      if (p.dateStated) s.datesStated++;
      const category = categories.of(p.expenseType, p.serviceArea, p.description, p.expenseCode);
      if (!s.first || p.paidOn < s.first) s.first = p.paidOn;
      if (!s.last || p.paidOn > s.last) s.last = p.paidOn;
      payments.push({
        buyer_id: ctx.buyerId,
        payment_key: counter.keyOf(p.baseKey),
        file_id: ctx.fileId,
        line: row.line,
        paid_on: p.paidOn,
        date_stated: p.dateStated ? 1 : 0,
        quarter: p.quarter,
        amount_pence: p.amountPence,
        payee_name: p.payeeName,
        payee_key: p.payeeKey,
        reference: p.reference,
        expense_code: p.expenseCode,
        expense_type: p.expenseType,
        service_area: p.serviceArea,
        description: p.description,
        category: category.category,
        category_method: category.method,
        exclusion: p.exclusion,
        raw: rawOf(row),
      });
      if (payments.length + quarantined.length >= ctx.batchSize) {
        yield { payments, quarantined, rowsSoFar: s.rows };
        payments = [];
        quarantined = [];
      }
    }
  }
  if (payments.length || quarantined.length) yield { payments, quarantined, rowsSoFar: s.rows };
  return s;
}
