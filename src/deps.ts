import type { Db } from '../db/client.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Log } from './log.js';
import type { Mailer } from './mail/mailer.js';

/**
 * Everything with a side effect, handed to the app, routes and jobs. Nothing in src/ reaches for a
 * database, clock, mailer or environment variable any other way.
 */
export interface Deps {
  db: Db;
  clock: Clock;
  log: Log;
  config: Config;
  mailer: Mailer;
  /** fetch, injectable so that source adapters can be pointed at test servers or wrapped. */
  fetch: typeof fetch;
  /** Waits; injectable so that pacing and backoff can be tested without real time. */
  sleep: (ms: number) => Promise<void>;
  /** Queued work to start soon: a route queues its job's rows, then kicks the job without waiting for it. */
  jobs: JobKicker;
  /**
   * Files of the packages the pages serve from the service itself (the API reference's swagger-ui-dist), read
   * from node_modules on Node and from the Worker's static assets on Cloudflare. Absent: those files answer 404.
   */
  packageFiles?: PackageFiles;
}

/** Reads a file that a package ships, by package and file name; null when there is none. */
export interface PackageFiles {
  read(pkg: 'swagger-ui-dist', file: string): Promise<Uint8Array | null>;
}

/** Jobs a request may start early (their rows are already queued in the store; the schedule would run them anyway). */
export type KickableJob = 'match-suppliers';

/** Lets the runtime keep a job running after the response is sent (a Worker's executionCtx). */
export interface Background {
  waitUntil(work: Promise<unknown>): void;
}

/**
 * The port a route uses to start a job now instead of at its next scheduled run. It never waits for the job
 * and never throws: the work is already queued in the store, so a kick lost (a crash, no runtime support) only
 * means the job runs on its schedule.
 */
export interface JobKicker {
  kick(job: KickableJob, background?: Background): void;
}

/** Kicks nothing: where no scheduler runs (the command line), queued work waits for the next `match` or scheduled run. */
export const noJobs: JobKicker = { kick: () => {} };

/** Kicks nothing, keeping the kicks for tests to read (tests run the job themselves). */
export function recordingJobs(): JobKicker & { kicked: KickableJob[] } {
  const kicked: KickableJob[] = [];
  return { kicked, kick: (job) => void kicked.push(job) };
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
