/**
 * The spend job: imports the files sent over HTTP (POST /spend/files, /spend/directory, /spend/categories),
 * oldest first, one at a time. A request only queues an upload; this runs on SPEND_CRON and from
 * `npm run cli -- spend uploads`. An upload left 'importing' by a stopped run is imported again: imports are
 * idempotent, so nothing is counted twice.
 */
import type { Deps } from '../src/deps.js';
import { acquireLease, releaseLease } from '../db/queries/leases.js';
import { markUpload, pendingUploads, uploadBytes } from '../db/queries/spend-uploads.js';
import { importCategoryFile, importDirectoryFile } from './spend-directory.js';
import { importSpendFile } from './spend-import.js';

export interface UploadsSummary {
  uploads: number;
  done: number;
  failed: number;
  results: Array<{ upload_id: string; kind: string; file: string; status: string; error?: string; rows?: number; imported?: number }>;
}

const LEASE = 'spend-uploads';

export async function runSpendUploads(deps: Deps, options: { progress?: (line: string) => void; holder?: string } = {}): Promise<UploadsSummary> {
  const summary: UploadsSummary = { uploads: 0, done: 0, failed: 0, results: [] };
  const holder = options.holder ?? `spend-uploads:${deps.clock.now().getTime()}:${Math.random().toString(36).slice(2, 8)}`;
  if (!(await acquireLease(deps.db, LEASE, holder, deps.clock.now(), deps.config.LEASE_SECONDS))) return summary;
  try {
    for (const upload of await pendingUploads(deps.db)) {
      summary.uploads++;
      await markUpload(deps.db, upload.upload_id, 'importing', deps.clock.now().toISOString());
      const buyer = { name: upload.buyer_name, postcode: upload.buyer_postcode, region: upload.buyer_region };
      try {
        const bytes = await uploadBytes(deps.db, upload);
        const input = { buyer, fileName: upload.file_name, bytes };
        const result =
          upload.kind === 'directory'
            ? await importDirectoryFile(deps, input)
            : upload.kind === 'categories'
              ? await importCategoryFile(deps, input)
              : await importSpendFile(deps, { ...input, progress: options.progress, dateMissingAs: upload.date_missing_as });
        await markUpload(deps.db, upload.upload_id, 'done', deps.clock.now().toISOString(), { summary: result });
        summary.done++;
        const r = result as { rows?: number; imported?: number };
        summary.results.push({ upload_id: upload.upload_id, kind: upload.kind, file: upload.file_name, status: 'done', rows: r.rows, imported: r.imported });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        await markUpload(deps.db, upload.upload_id, 'failed', deps.clock.now().toISOString(), { error });
        summary.failed++;
        summary.results.push({ upload_id: upload.upload_id, kind: upload.kind, file: upload.file_name, status: 'failed', error });
        deps.log.warn('spend upload failed', { upload: upload.upload_id, file: upload.file_name, error });
      }
    }
  } finally {
    await releaseLease(deps.db, LEASE, holder);
  }
  return summary;
}
