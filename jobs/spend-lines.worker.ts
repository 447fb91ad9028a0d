/**
 * The reading thread of a long spend import: runs preparedLines over the file and posts each batch of lines on
 * its port to the thread that writes them, at most `ahead` batches in front of it (the writer sends a credit for
 * each batch it has stored), then the file's summary.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { preparedLines, type LinesBatch, type LinesContext, type LinesSummary } from './spend-lines.js';

export interface LinesWorkerData {
  bytes: Uint8Array;
  ctx: LinesContext;
  ahead: number;
  port: MessagePort;
}

export type LinesMessage = { kind: 'batch'; batch: LinesBatch } | { kind: 'end'; summary: LinesSummary } | { kind: 'failed'; message: string; name: string };

async function run(data: LinesWorkerData): Promise<void> {
  let credit = data.ahead;
  let wake: (() => void) | null = null;
  data.port.on('message', () => {
    credit++;
    wake?.();
  });
  const lines = preparedLines(data.bytes, data.ctx);
  for (;;) {
    const next = await lines.next();
    if (next.done) {
      data.port.postMessage({ kind: 'end', summary: next.value } satisfies LinesMessage);
      break;
    }
    while (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    credit--;
    data.port.postMessage({ kind: 'batch', batch: next.value } satisfies LinesMessage);
  }
  data.port.close();
}

if (workerData) {
  const data = workerData as LinesWorkerData;
  run(data).catch((err: Error) => {
    data.port.postMessage({ kind: 'failed', message: err.message, name: err.name } satisfies LinesMessage);
    data.port.close();
  });
}
