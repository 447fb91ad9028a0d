// Starts a worker thread whose module is TypeScript: tsx's hooks reach the main thread only, so each worker
// registers them itself before importing its module (workerData.entry, a file URL).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
