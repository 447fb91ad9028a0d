import { sql } from 'kysely';
import type { Db } from '../client.js';

export interface WindowCount {
  hits: number;
  windowEndsAt: string;
}

/**
 * Counts one request in `bucket`'s fixed window and returns the count so far with the window's end. A bucket whose
 * window is over starts a new one of `windowMs` from `now`. One statement (an upsert returning its row), so that two
 * requests at once, in two instances or isolates, are both counted. ISO times compare as text.
 */
export async function countRequest(db: Db, bucket: string, now: Date, windowMs: number): Promise<WindowCount> {
  const at = now.toISOString();
  const ends = new Date(now.getTime() + windowMs).toISOString();
  const { rows } = await sql<{ hits: number | string; window_ends_at: string }>`
    INSERT INTO rate_limits (bucket, window_ends_at, hits) VALUES (${bucket}, ${ends}, 1)
    ON CONFLICT (bucket) DO UPDATE SET
      hits = CASE WHEN rate_limits.window_ends_at <= ${at} THEN 1 ELSE rate_limits.hits + 1 END,
      window_ends_at = CASE WHEN rate_limits.window_ends_at <= ${at} THEN excluded.window_ends_at ELSE rate_limits.window_ends_at END
    RETURNING hits, window_ends_at`.execute(db);
  const row = rows[0];
  const count = { hits: Number(row.hits), windowEndsAt: row.window_ends_at };
  // A new window: clear the buckets whose windows are over, so the table holds only clients seen lately.
  if (count.hits === 1) await db.deleteFrom('rate_limits').where('window_ends_at', '<=', at).execute();
  return count;
}

/** Takes back one counted request (one that turned out not to count, such as a key check that passed). */
export async function uncountRequest(db: Db, bucket: string): Promise<void> {
  await db.updateTable('rate_limits').set((eb) => ({ hits: eb('hits', '-', 1) })).where('bucket', '=', bucket).where('hits', '>', 0).execute();
}

export async function forgetBucket(db: Db, bucket: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('bucket', '=', bucket).execute();
}
