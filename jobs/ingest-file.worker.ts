/**
 * A preparing worker of the bulk file ingest (see ingestFile): reads the whole file, and for its share of the
 * batches (every `workers`-th, from `worker`) checks, compiles, normalises and tags the releases, posting
 * each prepared batch on its port to the thread that writes. It runs at most `ahead` batches in front of the
 * writer: `signals[inFlightSlot]` counts the batches posted and not yet stored (the writer lowers it as it
 * stores them), and `signals[postsSlot]` counts every message posted, so the writer can wait for the next.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { lineBatches, prepareLines } from './ingest-file.lines.js';
import type { PreparedBatch } from '../db/prepared.js';

export interface PrepareWorkerData {
  path: string;
  now: string;
  source?: string;
  worker: number;
  workers: number;
  ahead: number;
  /** Two counters per worker, at inFlightSlot and postsSlot. */
  signals: Int32Array;
  port: MessagePort;
}

export type PrepareMessage =
  | { kind: 'batch'; index: number; prepared: PreparedBatch[] }
  | { kind: 'end'; batches: number }
  | { kind: 'failed'; message: string };

export const inFlightSlot = (worker: number) => 2 * worker;
export const postsSlot = (worker: number) => 2 * worker + 1;

async function prepareShare(data: PrepareWorkerData, post: (message: PrepareMessage) => void): Promise<void> {
  const batches = lineBatches(data.path, (index) => index % data.workers === data.worker);
  const inFlight = inFlightSlot(data.worker);
  for (;;) {
    const next = await batches.next();
    if (next.done) {
      post({ kind: 'end', batches: next.value });
      break;
    }
    const batch = next.value;
    for (let posted = Atomics.load(data.signals, inFlight); posted >= data.ahead; posted = Atomics.load(data.signals, inFlight)) {
      Atomics.wait(data.signals, inFlight, posted);
    }
    const prepared = prepareLines(batch, data.now, data.source);
    Atomics.add(data.signals, inFlight, 1);
    post({ kind: 'batch', index: batch.index, prepared });
  }
}

if (workerData) {
  const data = workerData as PrepareWorkerData;
  const posts = postsSlot(data.worker);
  const post = (message: PrepareMessage) => {
    data.port.postMessage(message);
    Atomics.add(data.signals, posts, 1);
    Atomics.notify(data.signals, posts);
  };
  prepareShare(data, post).catch((err: Error) => post({ kind: 'failed', message: err.message }));
}
