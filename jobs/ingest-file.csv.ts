/**
 * Reading a Contracts Finder CSV export (the portal's download) for `ingest --file export.csv`: csv-parse reads
 * the rows (quoted cells across lines, doubled quotes, a byte-order mark), src/domain/ocds/contracts-finder-csv.ts
 * maps each to a release, and a row that cannot be read or mapped becomes a quarantined entry with its reason.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { contractsFinderCsvRelease, isContractsFinderCsvHeader, type ContractsFinderCsvRow } from '../src/domain/ocds/contracts-finder-csv.js';
import type { IncomingRelease } from '../src/domain/ocds/types.js';

/** True when the file's first line is the heading row of a Contracts Finder export. */
export async function isContractsFinderCsv(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(16 << 10);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const firstLine = head.split(/\r?\n/, 1)[0];
    const headings = firstLine.split(',').map((h) => h.replace(/^"|"$/g, '').trim());
    return isContractsFinderCsvHeader(headings);
  } finally {
    await handle.close();
  }
}

/**
 * Trailing columns that older exports lack: the portal added Closing Time (and before it the award columns) at
 * the end of the row, and files that join exports of different ages have rows one or more cells short.
 */
const LATER_COLUMNS = new Set(['Closing Time', 'Accelerated Justification', 'OJEU Procedure Type', 'Contract end date', 'Contract start date', "Supplier's contact name"]);

/** One row as the domain mapping reads it, or why it cannot be read. */
export function rowRelease(headings: string[], cells: string[], line: number): IncomingRelease {
  const row: ContractsFinderCsvRow = {};
  headings.forEach((h, i) => (row[h] = cells[i]));
  const raw = JSON.stringify({ line, row: Object.fromEntries(headings.map((h, i) => [h, cells[i] ?? null])) });
  const missing = headings.slice(cells.length);
  if (cells.length > headings.length || missing.some((h) => !LATER_COLUMNS.has(h))) {
    return { raw, parseError: `CSV row ending at line ${line} has ${cells.length} cells, the heading row ${headings.length}` };
  }
  const mapped = contractsFinderCsvRelease(row);
  if (!mapped.ok) return { raw, parseError: `CSV row ending at line ${line}: ${mapped.reason}` };
  return { raw: JSON.stringify(mapped.release), value: mapped.release };
}

/**
 * The rows of an export as releases, `batchSize` at a time, in file order. A malformed row (an unclosed quote)
 * ends csv-parse's reading of the file: what was read is yielded, then the rest of the file as one quarantined entry.
 */
export async function* csvReleaseBatches(path: string, batchSize = 250): AsyncGenerator<IncomingRelease[]> {
  const parser = createReadStream(path).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: false }),
  );
  let headings: string[] | null = null;
  let batch: IncomingRelease[] = [];
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!headings) {
        headings = record.record.map((h) => h.trim());
        if (!isContractsFinderCsvHeader(headings)) throw new Error(`${path} is not a Contracts Finder CSV export: its heading row lacks Notice Identifier, Organisation Name, Published Date, Title or Cpv Codes`);
        continue;
      }
      batch.push(rowRelease(headings, record.record, record.info.lines));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    if (!headings || /not a Contracts Finder CSV export/.test((err as Error).message)) throw err;
    batch.push({ raw: JSON.stringify({ file: path, error: (err as Error).message }), parseError: `the CSV cannot be read past this point: ${(err as Error).message}` });
  }
  if (batch.length) yield batch;
}
