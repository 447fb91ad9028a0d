/**
 * The notices the relevance evaluation judges: every tender in the shared OCDS files (Contracts Finder 2022,
 * Public Contracts Scotland, Sell2Wales), compiled per ocid, and every row of the Contracts Finder CSV export
 * (2020), each normalised and tagged exactly as ingest would, with its source named.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { compileReleases } from '../domain/ocds/compile.js';
import { contractsFinderCsvRelease } from '../domain/ocds/contracts-finder-csv.js';
import { normalise } from '../domain/ocds/normalise.js';
import type { TenderRecord } from '../domain/ocds/types.js';
import { loadSharedTenders } from './eval-matching.js';

export interface JudgedNotice {
  /** The ocid: the key the judgments use. */
  ocid: string;
  source: 'contracts-finder' | 'contracts-finder-csv' | 'public-contracts-scotland' | 'sell2wales';
  record: TenderRecord;
}

function sourceOf(ocid: string): JudgedNotice['source'] {
  if (ocid.startsWith('ocds-r6ebe6')) return 'public-contracts-scotland';
  if (ocid.startsWith('ocds-kuma6s')) return 'sell2wales';
  return 'contracts-finder';
}

/** Every notice with a title, by ocid (first seen wins: the OCDS files, then the CSV export). */
export function loadRelevanceNotices(dir: string): JudgedNotice[] {
  const out = new Map<string, JudgedNotice>();
  for (const record of loadSharedTenders(dir)) {
    if (record.title?.trim()) out.set(record.ocid, { ocid: record.ocid, source: sourceOf(record.ocid), record });
  }
  const csv = join(dir, 'contracts-finder-csv/awarded-notices-2020.csv');
  if (existsSync(csv)) {
    for (const row of parse(readFileSync(csv, 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>) {
      const mapped = contractsFinderCsvRelease(row);
      if (!mapped.ok) continue;
      try {
        const record = normalise(compileReleases([mapped.release]));
        if (record.title?.trim() && !out.has(record.ocid)) out.set(record.ocid, { ocid: record.ocid, source: 'contracts-finder-csv', record });
      } catch {
        // A row normalise cannot read is left out, as ingest would quarantine it.
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.ocid < b.ocid ? -1 : 1));
}
