/**
 * Starts a worker thread on a TypeScript module. tsx's loader reaches the main thread only, and registering
 * it again inside a worker costs about 60 MB of memory per worker (a loader thread and its caches); so the
 * module is bundled once into plain JavaScript with esbuild (which tsx itself runs on) and the worker
 * evaluates that. The module must be self-contained: no top-level await, no import.meta, no native modules.
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';

const bundles = new Map<string, string>();

function bundle(entry: URL): string {
  const path = fileURLToPath(entry);
  let code = bundles.get(path);
  if (code === undefined) {
    const built = buildSync({ entryPoints: [path], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' });
    bundles.set(path, (code = built.outputFiles[0].text));
  }
  return code;
}

export function startWorker(entry: URL, workerData: unknown, resourceLimits?: ResourceLimits, transferList?: TransferListItem[]): Worker {
  return new Worker(bundle(entry), { eval: true, workerData, resourceLimits, transferList });
}
