/**
 * Imports one council spend file: read (any encoding, CSV or workbook), find the header, read each row into a
 * payment line or a quarantined line with its reason, categorise, and write in batches; then resolve the
 * payees seen for the first time. Every row is kept with its file, line and raw cells, or quarantined; lines
 * already stored (the same file again, or one that overlaps it) add nothing. The summary reconciles: pence
 * imported + duplicate + quarantined = the file's own total.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import { acquireLease, releaseLease, renewLease } from '../db/queries/leases.js';
import {
  buyerIdOf,
  clearDatelessQuarantine,
  getBuyer,
  getSpendFile,
  hasUnfinishedFile,
  loadCategoryMapping,
  putBuyer,
  putSpendFile,
  rebuildClassRollup,
  rebuildRollups,
  toBuyerArea,
  writeSpendBatch,
} from '../db/queries/spend.js';
import type { SpendBuyerRow, SpendFilesTable } from '../db/schema.spend.js';
import { placeOfPostcode } from '../src/domain/geo/index.js';
import { parseSpendDate, penceToPounds, pounds } from '../src/domain/spend/values.js';
import { normalisePostcode, toItl } from '../src/domain/geo/index.js';
import type { BuyerArea } from '../src/domain/spend/places.js';
import { formatOf } from './spend-read.js';
import { preparedLines, type LinesBatch, type LinesContext, type LinesSummary } from './spend-lines.js';
import type { LinesMessage, LinesWorkerData } from './spend-lines.worker.js';
import { startWorker } from './worker-thread.js';
import { MessageChannel } from 'node:worker_threads';
import { resolvePayees } from './spend-resolve.js';

export interface BuyerInput {
  name: string;
  postcode?: string | null;
  /** An ITL code (or NUTS code) for the buyer's own area. */
  region?: string | null;
}

export interface SpendImportOptions {
  buyer: BuyerInput;
  fileName: string;
  bytes: Uint8Array;
  /** Progress lines (the CLI prints them on stderr). */
  progress?: (line: string) => void;
  /** Lines per write; each is one transaction where the engine has them. */
  batchSize?: number;
  /** Resolve new payees when done (default true). */
  resolve?: boolean;
  /** Rows between progress lines. */
  progressEvery?: number;
  /** ISO date for lines whose file gives no day (see RowOptions.dateMissingAs). */
  dateMissingAs?: string | null;
  /** Read the file on a worker thread (1) or on this one (0); by default a CSV of 4 MB or more gets one. */
  workers?: number;
}

export interface SpendImportSummary {
  file: string;
  file_id: string;
  buyer: string;
  format: string;
  encoding: string | null;
  columns: Record<string, string>;
  unused_columns: string[];
  rows: number;
  imported: number;
  duplicates: number;
  quarantined: number;
  blank: number;
  /** Pounds: the sum of the lines imported by this run. */
  amount: number;
  total: number;
  duplicate_amount: number;
  quarantined_amount: number;
  reconciles: boolean;
  first_paid_on: string | null;
  last_paid_on: string | null;
  quarantine_reasons: Record<string, number>;
  already_imported: boolean;
  rollups_rebuilt: boolean;
  payees_new: number;
  payees_resolved: number;
  /** Lines given the stated date because the file gave none. */
  dates_stated: number;
  /** Whether the file was read on a thread of its own while this one wrote. */
  reading_thread: boolean;
}

/** A file whose header cannot be mapped, or a buyer that cannot be set up: the import stops before writing. */
export class SpendImportError extends Error {
  constructor(message: string, readonly details?: unknown) {
    super(message);
    this.name = 'SpendImportError';
  }
}

const LEASE_SECONDS = 600;
/** From this size a CSV is read on a thread of its own: below it, starting the thread costs more than it saves. */
const WORKER_FROM_BYTES = 4 * 1024 * 1024;
/** Batches the reading thread may run ahead of the writer (each up to batchSize lines). */
const WORKER_AHEAD = 3;

/** preparedLines on a worker thread: the same batches and summary, read while this thread writes. */
async function* linesInWorker(bytes: Uint8Array, ctx: LinesContext): AsyncGenerator<LinesBatch, LinesSummary> {
  const { port1, port2 } = new MessageChannel();
  const copy = new Uint8Array(bytes);
  const data: LinesWorkerData = { bytes: copy, ctx, ahead: WORKER_AHEAD, port: port2 };
  const thread = startWorker(new URL('./spend-lines.worker.ts', import.meta.url), data, undefined, [port2, copy.buffer]);
  const queue: LinesMessage[] = [];
  let wake: (() => void) | null = null;
  let exited: Error | null = null;
  port1.on('message', (m: LinesMessage) => {
    queue.push(m);
    wake?.();
  });
  thread.on('error', (err) => {
    exited = err;
    wake?.();
  });
  try {
    for (;;) {
      while (!queue.length) {
        if (exited) throw exited;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      const m = queue.shift()!;
      if (m.kind === 'failed') throw m.name === 'SpendImportError' ? new SpendImportError(m.message) : new Error(m.message);
      if (m.kind === 'end') return m.summary;
      yield m.batch;
      port1.postMessage('credit');
    }
  } finally {
    port1.close();
    await thread.terminate();
  }
}

/** The buyer's row from what the import was told, keeping what is stored when nothing new is given. */
export async function ensureBuyer(deps: Deps, input: BuyerInput): Promise<SpendBuyerRow> {
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (!name) throw new SpendImportError('a buyer name is needed (--buyer NAME)');
  const buyerId = buyerIdOf(name);
  const stored = await getBuyer(deps.db, buyerId);
  let postcode = stored?.postcode ?? null;
  let region = stored?.region_code ?? null;
  if (input.postcode) {
    postcode = normalisePostcode(input.postcode);
    if (!postcode) throw new SpendImportError(`"${input.postcode}" is not a UK postcode`);
  }
  if (input.region) {
    region = toItl(input.region);
    if (!region) throw new SpendImportError(`"${input.region}" is not an ITL or NUTS region code (such as TLJ14 or UKG31)`);
  }
  const place = postcode ? placeOfPostcode(postcode) : null;
  const itl1 = place?.itl1 ?? (region && region.length >= 3 ? region.slice(0, 3) : null);
  return putBuyer(deps.db, {
    buyer_id: buyerId,
    name,
    postcode,
    region_code: region,
    lad: place?.lad ?? null,
    lad_name: place?.ladName ?? null,
    itl3: place?.itl3 ?? (region && region.length === 5 ? region : null),
    itl1,
    combined_authority: place?.combinedAuthority ?? null,
    updated_at: deps.clock.now().toISOString(),
  });
}

function checkedDate(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const d = parseSpendDate(raw);
  if (!d.ok) throw new SpendImportError(`--date-missing-as: ${d.reason}`);
  return d.value;
}

export function fileIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

export async function importSpendFile(deps: Deps, options: SpendImportOptions): Promise<SpendImportSummary> {
  const { db, clock } = deps;
  const batchSize = options.batchSize ?? 20_000;
  const progressEvery = options.progressEvery ?? 50_000;
  const buyerRow = await ensureBuyer(deps, options.buyer);
  const buyer: BuyerArea = toBuyerArea(buyerRow);
  const fileId = fileIdOf(options.bytes);
  const holder = `spend-import:${fileId}:${clock.now().getTime()}`;
  const leaseName = `spend-import:${buyer.buyerId}`;
  if (!(await acquireLease(db, leaseName, holder, clock.now(), LEASE_SECONDS))) {
    throw new SpendImportError(`another import for ${buyer.name} is running; try again when it has finished`);
  }
  try {
    const stored = await getSpendFile(db, buyer.buyerId, fileId);
    const alreadyImported = stored?.status === 'done';
    const crashedBefore = await hasUnfinishedFile(db, buyer.buyerId);
    const rowOptions = { dateMissingAs: checkedDate(options.dateMissingAs) ?? stored?.date_missing_as ?? null };
    const newDate = !!rowOptions.dateMissingAs && rowOptions.dateMissingAs !== stored?.date_missing_as;
    // Lines quarantined for want of a date are read again with the date now stated (and quarantined again if still unreadable).
    if (newDate && stored) await clearDatelessQuarantine(db, buyer.buyerId, fileId);
    const knownPayees = new Set<string>();
    const startedAt = clock.now().toISOString();
    const ctx: LinesContext = {
      buyerId: buyer.buyerId,
      fileId,
      fileName: options.fileName,
      categoryMapping: [...(await loadCategoryMapping(db, buyer.buyerId))],
      dateMissingAs: rowOptions.dateMissingAs,
      batchSize,
    };
    const threaded = (options.workers ?? (options.bytes.length >= WORKER_FROM_BYTES ? 1 : 0)) > 0 && formatOf(options.bytes, options.fileName) === 'csv';
    const lines = threaded ? linesInWorker(options.bytes, ctx) : preparedLines(options.bytes, ctx);
    const fig = { imported: 0, duplicates: 0, importedPence: 0, duplicatePence: 0 };
    const newPayees: string[] = [];
    let fileRowWritten = false;
    let read: LinesSummary | null = null;

    const fileRow = (status: 'importing' | 'done', r: LinesSummary | null): SpendFilesTable => ({
      buyer_id: buyer.buyerId,
      file_id: fileId,
      name: options.fileName,
      format: r?.format ?? formatOf(options.bytes, options.fileName),
      encoding: r?.encoding ?? null,
      columns: JSON.stringify(r?.header ?? []),
      mapping: JSON.stringify(r?.mapping?.headers ?? {}),
      status,
      rows_read: r?.rows ?? 0,
      imported: fig.imported,
      duplicates: fig.duplicates,
      quarantined: r?.quarantined ?? 0,
      total_pence: r?.total ?? 0,
      imported_pence: fig.importedPence,
      duplicate_pence: fig.duplicatePence,
      quarantined_pence: r?.quarantinedPence ?? 0,
      first_paid_on: r?.first ?? null,
      last_paid_on: r?.last ?? null,
      date_missing_as: rowOptions.dateMissingAs,
      started_at: stored?.started_at ?? startedAt,
      finished_at: status === 'done' ? clock.now().toISOString() : null,
    });

    let nextProgress = progressEvery;
    for (;;) {
      const next = await lines.next();
      if (next.done) {
        read = next.value;
        break;
      }
      const batch = next.value;
      if (!fileRowWritten && (!alreadyImported || newDate)) {
        await putSpendFile(db, fileRow('importing', null));
        fileRowWritten = true;
      }
      const r = await writeSpendBatch(db, buyer.buyerId, fileId, batch.payments, batch.quarantined, knownPayees, clock.now().toISOString());
      fig.imported += r.inserted;
      fig.importedPence += r.insertedPence;
      fig.duplicates += r.duplicates;
      fig.duplicatePence += r.duplicatePence;
      newPayees.push(...r.newPayees);
      await renewLease(db, leaseName, holder, clock.now(), LEASE_SECONDS);
      if (batch.rowsSoFar >= nextProgress) {
        nextProgress = (Math.floor(batch.rowsSoFar / progressEvery) + 1) * progressEvery;
        options.progress?.(`${options.fileName}: ${batch.rowsSoFar.toLocaleString('en-GB')} rows read, ${fig.imported.toLocaleString('en-GB')} imported, ${fig.duplicates.toLocaleString('en-GB')} already stored`);
      }
    }
    if (!read.mapping) {
      throw new SpendImportError(`${options.fileName}: ${read.headerProblem ?? 'the file is empty'}`, { file: options.fileName });
    }
    const firstMapping = read.mapping;
    let rollupsRebuilt = false;
    if (crashedBefore) {
      await rebuildRollups(db, buyer.buyerId);
      rollupsRebuilt = true;
    }
    // A file loaded again changes nothing, unless this run stored lines the last one could not (a stated date).
    if (!alreadyImported || fileRowWritten) await putSpendFile(db, fileRow('done', read));

    let resolved = 0;
    if (options.resolve !== false && newPayees.length) {
      resolved = (await resolvePayees(deps, buyer.buyerId, { payeeKeys: newPayees, rebuild: true })).resolved;
    } else if (fig.imported > 0 && !rollupsRebuilt) {
      await rebuildClassRollup(db, buyer.buyerId);
    }
    const summary: SpendImportSummary = {
      file: options.fileName,
      file_id: fileId,
      buyer: buyer.name,
      format: read.format,
      encoding: read.encoding,
      columns: (firstMapping.headers ?? {}) as Record<string, string>,
      unused_columns: firstMapping.unused,
      rows: read.rows,
      imported: fig.imported,
      duplicates: fig.duplicates,
      quarantined: read.quarantined,
      blank: read.blank,
      amount: pounds(fig.importedPence),
      total: pounds(read.total),
      duplicate_amount: pounds(fig.duplicatePence),
      quarantined_amount: pounds(read.quarantinedPence),
      reconciles: fig.importedPence + fig.duplicatePence + read.quarantinedPence === read.total,
      first_paid_on: read.first,
      last_paid_on: read.last,
      quarantine_reasons: read.reasons,
      already_imported: alreadyImported,
      rollups_rebuilt: rollupsRebuilt,
      payees_new: newPayees.length,
      payees_resolved: resolved,
      dates_stated: read.datesStated,
      reading_thread: threaded,
    };
    options.progress?.(
      `${options.fileName}: ${read.rows.toLocaleString('en-GB')} rows, ${fig.imported.toLocaleString('en-GB')} imported (£${penceToPounds(fig.importedPence)}), ` +
        `${fig.duplicates.toLocaleString('en-GB')} already stored, ${read.quarantined.toLocaleString('en-GB')} quarantined; file total £${penceToPounds(read.total)}` +
        (summary.reconciles ? ', reconciled' : ', DOES NOT RECONCILE'),
    );
    return summary;
  } finally {
    await releaseLease(db, leaseName, holder);
  }
}
