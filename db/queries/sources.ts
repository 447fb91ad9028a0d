import { sql } from 'kysely';
import type { Db } from '../client.js';
import type { SourceStateTable } from '../schema.js';

export type SourceState = SourceStateTable;

export interface IngestCounts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
}

const zero: IngestCounts = { fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0 };

async function ensureRow(db: Db, source: string): Promise<void> {
  await db
    .insertInto('source_state')
    .values({
      source,
      watermark: null,
      last_run_started_at: null,
      last_run_finished_at: null,
      last_status: null,
      last_error: null,
      ...zero,
    })
    .onConflict((oc) => oc.column('source').doNothing())
    .execute();
}

export async function getSourceState(db: Db, source: string): Promise<SourceState | null> {
  return (await db.selectFrom('source_state').selectAll().where('source', '=', source).executeTakeFirst()) ?? null;
}

export async function listSourceStates(db: Db): Promise<SourceState[]> {
  return db.selectFrom('source_state').selectAll().orderBy('source').execute();
}

export async function markRunStarted(db: Db, source: string, at: string): Promise<void> {
  await ensureRow(db, source);
  await db
    .updateTable('source_state')
    .set({ last_run_started_at: at, last_run_finished_at: null, last_status: 'running' })
    .where('source', '=', source)
    .execute();
}

/**
 * Records that a whole window was stored: advances the watermark to its end (unless `windowEnd` is
 * null) and adds its counts, in one statement so that the two never disagree. The watermark never
 * moves backwards.
 */
export async function recordWindowStored(db: Db, source: string, windowEnd: string | null, counts: IngestCounts): Promise<void> {
  await ensureRow(db, source);
  await db
    .updateTable('source_state')
    .set({
      watermark:
        windowEnd === null
          ? sql<string | null>`watermark`
          : sql<string>`CASE WHEN watermark IS NULL OR watermark < ${windowEnd} THEN ${windowEnd} ELSE watermark END`,
      fetched: sql<number>`fetched + ${counts.fetched}`,
      inserted: sql<number>`inserted + ${counts.inserted}`,
      updated: sql<number>`updated + ${counts.updated}`,
      unchanged: sql<number>`unchanged + ${counts.unchanged}`,
      quarantined: sql<number>`quarantined + ${counts.quarantined}`,
    })
    .where('source', '=', source)
    .execute();
}

export async function markRunFinished(db: Db, source: string, at: string, status: 'ok' | 'error', error: string | null): Promise<void> {
  await ensureRow(db, source);
  await db
    .updateTable('source_state')
    .set({ last_run_finished_at: at, last_status: status, last_error: error })
    .where('source', '=', source)
    .execute();
}
