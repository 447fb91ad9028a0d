/**
 * Storing releases as ingest does: the ingest pipeline (src/ingest/pipeline.ts: check, compile, normalise, tag)
 * makes the rows, and the store (db/queries/releases.ts) writes them, given the pipeline for the tenders it must
 * compile again with the releases it already holds.
 */
import type { Db } from '../../db/client.js';
import { storeBatch, type StoreCounts } from '../../db/queries/releases.js';
import type { IncomingRelease } from '../domain/ocds/types.js';
import { ingestPipeline } from './pipeline.js';

export type { IncomingRelease } from '../domain/ocds/types.js';
export type { StoreCounts } from '../../db/queries/releases.js';

/** Stores a batch of releases from one source and recompiles the tenders they touch (see storeBatch). */
export function storeReleases(db: Db, source: string, incoming: IncomingRelease[], now: string): Promise<StoreCounts> {
  return storeBatch(db, ingestPipeline, source, incoming, now);
}
