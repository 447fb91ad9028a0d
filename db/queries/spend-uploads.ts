/**
 * Files sent over HTTP wait here for the spend job: a row per upload and its bytes in base64 parts of at most
 * 512 KB of text, under every engine's row limit (D1's is 1 MB per value). A request only queues; the job imports.
 */
import type { Db } from '../client.js';
import type { SpendUploadRow } from '../schema.spend.js';

const PART_BYTES = 384 * 1024; // 384 KB of bytes = 512 KB of base64

export interface UploadRequest {
  uploadId: string;
  kind: 'spend' | 'directory' | 'categories';
  buyerName: string;
  buyerPostcode: string | null;
  buyerRegion: string | null;
  dateMissingAs: string | null;
  fileName: string;
  bytes: Uint8Array;
}

export async function queueUpload(db: Db, u: UploadRequest, now: string): Promise<SpendUploadRow> {
  const parts = Math.max(1, Math.ceil(u.bytes.length / PART_BYTES));
  // Parts first, then the row that makes the upload visible to the job: a crash between leaves only orphan parts.
  for (let i = 0; i < parts; i++) {
    const slice = u.bytes.subarray(i * PART_BYTES, (i + 1) * PART_BYTES);
    await db
      .insertInto('spend_upload_parts')
      .values({ upload_id: u.uploadId, part: i, data: Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength).toString('base64') })
      .onConflict((oc) => oc.columns(['upload_id', 'part']).doNothing())
      .execute();
  }
  await db
    .insertInto('spend_uploads')
    .values({
      upload_id: u.uploadId,
      kind: u.kind,
      buyer_name: u.buyerName,
      buyer_postcode: u.buyerPostcode,
      buyer_region: u.buyerRegion,
      date_missing_as: u.dateMissingAs,
      file_name: u.fileName,
      bytes: u.bytes.length,
      parts,
      status: 'queued',
      summary: null,
      error: null,
      queued_at: now,
      started_at: null,
      finished_at: null,
    })
    .execute();
  return (await getUpload(db, u.uploadId))!;
}

export async function getUpload(db: Db, uploadId: string): Promise<SpendUploadRow | undefined> {
  return db.selectFrom('spend_uploads').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
}

export async function listUploads(db: Db, limit = 50): Promise<SpendUploadRow[]> {
  return db.selectFrom('spend_uploads').selectAll().orderBy('queued_at', 'desc').orderBy('upload_id').limit(limit).execute();
}

/**
 * Uploads waiting, oldest first, and uploads left 'importing' by a run that stopped (imports are idempotent,
 * so running one again is safe).
 */
export async function pendingUploads(db: Db): Promise<SpendUploadRow[]> {
  return db.selectFrom('spend_uploads').selectAll().where('status', 'in', ['queued', 'importing']).orderBy('queued_at').orderBy('upload_id').execute();
}

export async function uploadBytes(db: Db, u: SpendUploadRow): Promise<Uint8Array> {
  const parts = await db.selectFrom('spend_upload_parts').select(['part', 'data']).where('upload_id', '=', u.upload_id).orderBy('part').execute();
  if (parts.length !== u.parts) throw new Error(`upload ${u.upload_id} has ${parts.length} of its ${u.parts} parts`);
  return Buffer.concat(parts.map((p) => Buffer.from(p.data, 'base64')));
}

export async function markUpload(db: Db, uploadId: string, status: 'importing' | 'done' | 'failed', now: string, outcome: { summary?: unknown; error?: string } = {}): Promise<void> {
  await db
    .updateTable('spend_uploads')
    .set(
      status === 'importing'
        ? { status, started_at: now }
        : { status, finished_at: now, summary: outcome.summary === undefined ? null : JSON.stringify(outcome.summary), error: outcome.error ?? null },
    )
    .where('upload_id', '=', uploadId)
    .execute();
  // The bytes are kept only while the upload waits: once imported, the rows hold what the file said.
  if (status !== 'importing') await db.deleteFrom('spend_upload_parts').where('upload_id', '=', uploadId).execute();
}
