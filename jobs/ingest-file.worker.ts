/**
 * A preparing worker of the bulk file ingest (see ingestFile): reads the whole file, and for its share of the
 * batches (every `workers`-th, from `worker`) checks, compiles, normalises and tags the releases, posting
 * each prepared batch to the thread that writes. It runs at most `ahead` batches in front of the writer:
 * `inFlight[worker]` counts the batches posted and not yet stored, and the writer lowers it as it stores them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lineBatches, prepareLines } from './ingest-file.lines.js';
import type { PreparedBatch } from '../db/queries/release-rows.js';

export interface PrepareWorkerData {
  path: string;
  now: string;
  source?: string;
  worker: number;
  workers: number;
  ahead: number;
  inFlight: Int32Array;
}

export type PrepareMessage =
  | { kind: 'batch'; index: number; prepared: PreparedBatch[] }
  | { kind: 'end'; batches: number }
  | { kind: 'failed'; message: string };

async function prepareShare(data: PrepareWorkerData, post: (message: PrepareMessage) => void): Promise<void> {
  const batches = lineBatches(data.path, (index) => index % data.workers === data.worker);
  for (;;) {
    const next = await batches.next();
    if (next.done) {
      post({ kind: 'end', batches: next.value });
      break;
    }
    const batch = next.value;
    for (let posted = Atomics.load(data.inFlight, data.worker); posted >= data.ahead; posted = Atomics.load(data.inFlight, data.worker)) {
      Atomics.wait(data.inFlight, data.worker, posted);
    }
    const prepared = prepareLines(batch, data.now, data.source);
    Atomics.add(data.inFlight, data.worker, 1);
    post({ kind: 'batch', index: batch.index, prepared });
  }
}

if (parentPort) {
  const port = parentPort;
  const post = (message: PrepareMessage) => port.postMessage(message);
  prepareShare(workerData as PrepareWorkerData, post).catch((err: Error) => post({ kind: 'failed', message: err.message }));
}
