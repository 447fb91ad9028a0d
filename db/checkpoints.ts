/**
 * Checkpoints of a SQLite store's write-ahead log on a thread of their own, for the length of a bulk write.
 *
 * In WAL mode a commit appends its pages to the log; now and then a checkpoint copies them into the database
 * file and waits for the disk. By default the connection that commits runs the checkpoint itself, so a bulk
 * ingest stops at every few commits until the disk has the pages. A second connection on another thread can
 * run PASSIVE checkpoints instead, which never block the writer, while the writer only appends: on 100,000
 * releases the writer's own time per release fell from ~295 to ~265 µs (`npm run bench -- ingest`).
 *
 * Only for a SQLite file (not `:memory:`, PostgreSQL or D1); elsewhere it does nothing.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './client.js';
import { sqliteHandleOf } from './client.js';

export interface BackgroundCheckpoints {
  /** Stops the thread and gives checkpoints back to the writing connection. */
  stop(): Promise<void>;
}

/** How often the thread checkpoints: often enough to keep the log short, seldom enough to copy each hot page rarely. */
const EVERY_MS = 1000;

// Plain JavaScript for the thread: it only needs the driver, resolved by the main thread and passed in.
const CHECKPOINTER = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const stop = new Int32Array(workerData.stop);
while (Atomics.load(stop, 0) === 0) {
  db.pragma('wal_checkpoint(PASSIVE)');
  Atomics.wait(stop, 0, 0, workerData.everyMs);
}
db.close();
`;

export function checkpointInBackground(db: Db, everyMs = EVERY_MS): BackgroundCheckpoints {
  const handle = sqliteHandleOf(db);
  if (!handle || handle.memory || handle.pragma('journal_mode', { simple: true }) !== 'wal') return { stop: async () => {} };
  const ownCheckpoints = handle.pragma('wal_autocheckpoint', { simple: true }) as number;
  const restore = () => handle.open && handle.pragma(`wal_autocheckpoint = ${ownCheckpoints}`);
  const stopFlag = new Int32Array(new SharedArrayBuffer(4));
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(CHECKPOINTER, { eval: true, workerData: { driver, file: handle.name, stop: stopFlag.buffer, everyMs } });
  const exited = new Promise<void>((resolve) => {
    // A thread that cannot run leaves checkpoints to the writer, as before.
    thread.once('error', () => restore());
    thread.once('exit', () => resolve());
  });
  handle.pragma('wal_autocheckpoint = 0');
  return {
    async stop() {
      Atomics.store(stopFlag, 0, 1);
      Atomics.notify(stopFlag, 0);
      await exited;
      restore();
    },
  };
}
