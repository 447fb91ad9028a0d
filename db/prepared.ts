/**
 * The rows a batch of releases becomes (the ingest pipeline's output, src/ingest/pipeline.ts), as the store takes
 * them: the store writes prepared rows and knows nothing of compiling, normalising or tagging. Where it must compile
 * again (an ocid it already holds, with the releases it has stored), it asks the pipeline it is given.
 */
import type { Insertable } from 'kysely';
import type { AwardSuppliersTable, AwardsTable, ItemsTable, LotsTable, TendersTable } from './schema.js';
import type { TenderCpvTable, TenderPlacesTable } from './schema.tags.js';
import type { IncomingRelease, Release, TenderRecord } from '../src/domain/ocds/types.js';

/** A release that passed the checks, as the releases table keeps it (less source and time of storing). */
export interface PreparedRelease {
  releaseId: string;
  ocid: string;
  date: string | null;
  /** Digest of the release's text: the same text again is unchanged at a glance (storePrepared compares other text as JSON). */
  hash: string;
  /** JSON array of the release's tags. */
  tags: string;
  raw: string;
}

export interface QuarantineEntry {
  reason: string;
  raw: string;
  ocid: string | null;
  releaseId: string | null;
}

/** Every row derived from one tender record. */
export interface TenderRows {
  tender: Insertable<TendersTable>;
  lots: Insertable<LotsTable>[];
  items: Insertable<ItemsTable>[];
  awards: Insertable<AwardsTable>[];
  awardSuppliers: Insertable<AwardSuppliersTable>[];
  places: TenderPlacesTable[];
  cpv: TenderCpvTable[];
}

/** One ocid of a batch, compiled from the batch's releases of it: its rows, or why it could not be compiled. */
export interface PreparedTender {
  ocid: string;
  /** The batch's releases of this ocid, by id. */
  releaseIds: string[];
  rows?: TenderRows;
  error?: string;
}

export interface PreparedBatch {
  source: string;
  fetched: number;
  quarantine: QuarantineEntry[];
  /** Accepted releases, one per id (a later copy in the batch wins, as it would in a later batch). */
  releases: PreparedRelease[];
  tenders: PreparedTender[];
}

export interface ReleaseOfTender {
  releaseId: string;
  date: string | null;
  release: Release;
}

export interface CompiledTender {
  record: TenderRecord;
  /** The release that comes last in OCDS order. */
  latest: ReleaseOfTender;
  releaseCount: number;
  contentHash: string;
}

/** What the store needs of the ingest pipeline: rows for a batch, and rows for one ocid from all its releases. */
export interface IngestPipeline {
  /** Checks, hashes and compiles one source's batch of incoming releases into rows, without reading the store. */
  prepareBatch(source: string, incoming: IncomingRelease[], now: string): PreparedBatch;
  /** The rows of one ocid compiled from every release of it (stored and arriving); throws when they cannot be compiled. */
  tenderRowsOf(releases: ReleaseOfTender[], firstPublished: string | null, source: string, now: string): TenderRows;
}
