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
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
