/**
 * Reads a council's file into rows of text cells, whatever it was published as: CSV (UTF-8 with or without a
 * byte-order mark, UTF-16 as Excel's "Unicode text" writes it, or Windows-1252; LF, CRLF or CR-only line ends;
 * comma, semicolon, tab or pipe separated) through csv-parse, and XLSX, ODS and legacy XLS workbooks through
 * SheetJS (`xlsx`), every sheet in turn. Nothing here is hand-written parsing.
 *
 * SheetJS rather than exceljs: councils publish ODS as well as XLSX (and old XLS), and only SheetJS reads all
 * three. The npm release (0.18.5) is the last SheetJS put on npm; it has known advisories against crafted files
 * (prototype pollution, CVE-2023-30533; ReDoS, CVE-2024-22363). Workbooks here come only from administrators
 * (uploads need the admin key) and are read in the import job, never in a request.
 */
import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import * as SheetJS from 'xlsx';

// Node loads SheetJS's CommonJS build, whose functions sit on its default export; bundlers load its ES module build.
const XLSX = ((SheetJS as unknown as { default?: typeof SheetJS }).default ?? SheetJS) as typeof SheetJS;

export type SpendFormat = 'csv' | 'xlsx' | 'ods' | 'xls';

export interface SheetRow {
  /** 1-based line of the file (CSV: the line the record ends on) or row of the sheet. */
  line: number;
  cells: string[];
  /** Workbooks: the sheet's name. */
  sheet?: string;
}

export interface ReadableFile {
  format: SpendFormat;
  /** CSV only: 'utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be' or 'windows-1252'. */
  encoding: string | null;
  delimiter: string | null;
  /** Rows in file order; a workbook's sheets one after another, each starting again at its row 1. */
  rows: AsyncIterable<SheetRow>;
  /** The same rows in runs of thousands: a long file is read with one await per run, not per row. */
  batches: AsyncIterable<SheetRow[]>;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

export function formatOf(bytes: Uint8Array, name = ''): SpendFormat {
  if (startsWith(bytes, ZIP)) {
    // An ODS package names its type in an uncompressed `mimetype` entry at the start.
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
    return head.includes('application/vnd.oasis.opendocument.spreadsheet') || /\.ods$/i.test(name) ? 'ods' : 'xlsx';
  }
  if (startsWith(bytes, OLE)) return 'xls';
  return 'csv';
}

export function encodingOf(bytes: Uint8Array): string {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return 'utf-8-bom';
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  return isUtf8(bytes) ? 'utf-8' : 'windows-1252';
}

const CHUNK = 1 << 20;

/** The file's text in slices of about a megabyte, decoded. */
function* decodedChunks(bytes: Uint8Array, encoding: string): Generator<string> {
  const body = encoding === 'utf-8-bom' ? bytes.subarray(3) : encoding.startsWith('utf-16') ? bytes.subarray(2) : bytes;
  const decoder =
    encoding === 'windows-1252'
      ? iconv.getDecoder('win1252')
      : encoding.startsWith('utf-16')
        ? iconv.getDecoder(encoding)
        : null;
  const utf8 = decoder ? null : new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < body.length; i += CHUNK) {
    const slice = body.subarray(i, Math.min(body.length, i + CHUNK));
    const text = decoder ? decoder.write(Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength)) : utf8!.decode(slice, { stream: true });
    if (text) yield text;
  }
  const rest = decoder ? decoder.end() ?? '' : utf8!.decode();
  if (rest) yield rest;
}

/** The separator the header line uses most, outside quotes. */
export function delimiterOf(firstText: string): string {
  const end = firstText.search(/\r|\n/);
  const line = end < 0 ? firstText : firstText.slice(0, end);
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  let best = ',';
  for (const d of Object.keys(counts)) if (counts[d] > counts[best]) best = d;
  return best;
}

/**
 * csv-parse's stream, fed a megabyte of text at a time; the records each write gives are handed on as one run.
 * (Iterating the stream record by record costs two promises a record: a quarter of an import's time.)
 */
async function* csvBatches(bytes: Uint8Array, encoding: string, delimiter: string): AsyncGenerator<SheetRow[]> {
  const parser = parse({
    delimiter,
    relax_column_count: true,
    // A stray quote inside a field (`5" nails`) is kept as text rather than failing the file.
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  });
  let batch: SheetRow[] = [];
  let failed: Error | null = null;
  parser.on('data', (r: { record: string[]; info: { lines: number } }) => batch.push({ line: r.info.lines, cells: r.record }));
  parser.on('error', (err: Error) => (failed = err));
  const ended = new Promise<void>((resolve) => parser.once('end', () => resolve()));
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  for (const chunk of decodedChunks(bytes, encoding)) {
    if (!parser.write(chunk)) await once(parser, 'drain');
    await settle();
    if (failed) throw failed;
    if (batch.length) {
      const out = batch;
      batch = [];
      yield out;
    }
  }
  parser.end();
  await Promise.race([ended, once(parser, 'error')]);
  if (failed) throw failed;
  if (batch.length) yield batch;
}

async function* flatten(batches: AsyncIterable<SheetRow[]>): AsyncGenerator<SheetRow> {
  for await (const batch of batches) yield* batch;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A workbook cell as the text a CSV export would hold: dates as ISO days, numbers as the shortest decimal. */
function cellText(cell: SheetJS.CellObject | undefined): string {
  if (!cell || cell.v === undefined || cell.v === null) return '';
  switch (cell.t) {
    case 'n': {
      const v = cell.v as number;
      if (cell.z && XLSX.SSF.is_date(cell.z as string)) {
        const d = XLSX.SSF.parse_date_code(v);
        if (d) return `${d.y}-${pad(d.m)}-${pad(d.d)}`;
      }
      return String(v);
    }
    case 'd': {
      const d = cell.v as Date;
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    }
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'e':
      return '';
    default:
      return String(cell.v);
  }
}

async function* workbookBatches(bytes: Uint8Array): AsyncGenerator<SheetRow[]> {
  const book = XLSX.read(bytes, { type: 'buffer', dense: true, cellNF: true, cellDates: false, cellHTML: false, cellText: false });
  for (const sheetName of book.SheetNames) {
    const sheet = book.Sheets[sheetName] as SheetJS.WorkSheet & { '!data'?: SheetJS.CellObject[][] };
    // A dense sheet is its rows (SheetJS 0.18) or holds them in '!data' (later releases).
    const data = (sheet['!data'] ?? (sheet as unknown as SheetJS.CellObject[][])) as SheetJS.CellObject[][];
    const rows = sheet['!ref'] ? XLSX.utils.decode_range(sheet['!ref']).e.r + 1 : 0;
    let batch: SheetRow[] = [];
    for (let r = 0; r < rows; r++) {
      const row = data[r];
      if (!row) continue;
      const cells: string[] = new Array(row.length);
      for (let c = 0; c < row.length; c++) cells[c] = cellText(row[c]);
      batch.push({ line: r + 1, cells, sheet: sheetName });
      if (batch.length >= 10_000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
}

export function readSpreadsheet(bytes: Uint8Array, name = ''): ReadableFile {
  const format = formatOf(bytes, name);
  if (format !== 'csv') {
    const batches = workbookBatches(bytes);
    return { format, encoding: null, delimiter: null, batches, rows: flatten(batches) };
  }
  const encoding = encodingOf(bytes);
  const first = decodedChunks(bytes.subarray(0, Math.min(bytes.length, 64 * 1024)), encoding).next();
  const delimiter = delimiterOf(first.done ? '' : first.value);
  const batches = csvBatches(bytes, encoding, delimiter);
  return { format, encoding, delimiter, batches, rows: flatten(batches) };
}
