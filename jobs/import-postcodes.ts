import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { inStoreTransaction } from '../db/queries/releases.js';
import { exactenStoredPlaces, upsertPostcodeLads, type PostcodeLad } from '../db/queries/places.js';
import { localAuthorityByCode, normalisePostcode } from '../src/domain/geo/index.js';
import type { Deps } from '../src/deps.js';

export interface PostcodeImportSummary {
  file: string;
  read: number;
  stored: number;
  rejected: number;
  /** The first rejected rows, with their line and reason. */
  rejectedExamples: string[];
  /** Tenders whose stored place tags the list made exact. */
  tendersMadeExact: number;
  seconds: number;
}

/** Postcodes per transaction: a commit every 5,000 rows keeps a crash's loss small and the commits few. */
const ROWS_PER_COMMIT = 5000;
const POSTCODE_COLUMNS = ['postcode', 'pcds', 'pcd', 'pcd2', 'pcd7', 'pcd8'];
const LAD_COLUMN = /^(lad_code|lad|oslaua|lad\d\dcd|ladcd)$/i;

/**
 * Imports a list of postcodes and their local authority districts (`postcode,lad_code`, as
 * postcode_to_lad_gb_2025.csv.gz; gzip or plain CSV; ONS NSPL/ONSPD column names `pcds`, `oslaua` or `lad25cd`
 * are read too) into the store, so that a full postcode is placed exactly instead of through its sector.
 * Streamed and batched, so any size fits in memory; idempotent (an upsert per postcode). A row whose postcode
 * or LAD code cannot be read is counted and skipped, with the first few named. Afterwards the stored place tags
 * the list can make exact are made so, and the tenders whose places moved are queued for matching.
 */
export async function importPostcodes(deps: Deps, path: string, options: { onProgress?: (line: string) => void } = {}): Promise<PostcodeImportSummary> {
  const started = Date.now();
  const now = deps.clock.now().toISOString();
  const source = basename(path);
  const summary: PostcodeImportSummary = { file: path, read: 0, stored: 0, rejected: 0, rejectedExamples: [], tendersMadeExact: 0, seconds: 0 };
  const input = createReadStream(path);
  const text = path.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const parser = text.pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, relax_column_count: true }));
  let postcodeColumn: string | undefined;
  let ladColumn: string | undefined;
  let batch: PostcodeLad[] = [];
  const commit = async () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    await inStoreTransaction(deps.db, (db) => upsertPostcodeLads(db, rows, source, now));
    summary.stored += rows.length;
    options.onProgress?.(`${source}: ${summary.stored} postcodes stored`);
  };
  const reject = (line: number, reason: string) => {
    summary.rejected++;
    if (summary.rejectedExamples.length < 10) summary.rejectedExamples.push(`line ${line}: ${reason}`);
  };
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      if (!postcodeColumn) {
        const columns = Object.keys(record);
        postcodeColumn = columns.find((c) => POSTCODE_COLUMNS.includes(c));
        ladColumn = columns.find((c) => LAD_COLUMN.test(c));
        if (!postcodeColumn || !ladColumn) {
          throw new Error(`${path} is not a postcode list: it needs a postcode column (postcode, pcds) and a LAD code column (lad_code, oslaua); its header is ${columns.join(',')}`);
        }
      }
      summary.read++;
      const line = summary.read + 1;
      const postcode = normalisePostcode(record[postcodeColumn] ?? '');
      const lad = localAuthorityByCode(record[ladColumn!] ?? '');
      if (!postcode) reject(line, `"${record[postcodeColumn]}" is not a UK postcode`);
      else if (!lad) reject(line, `"${record[ladColumn!]}" is not a local authority district code we know`);
      else batch.push({ postcode, lad: lad.code });
      if (batch.length >= ROWS_PER_COMMIT) await commit();
    }
    await commit();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.includes(path) ? message : `${path} could not be read as a postcode list: ${message}`);
  }
  if (!postcodeColumn) throw new Error(`${path} holds no rows: a postcode list has a header (postcode,lad_code) and one postcode a line`);
  const exact = await exactenStoredPlaces(deps.db, now, (n) => options.onProgress?.(`places: ${n} tenders made exact`));
  summary.tendersMadeExact = exact.tenders;
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
