import { openDb } from '../../db/client.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { noJobs, realSleep, type Deps } from '../deps.js';
import { createLog } from '../log.js';
import { createMailer } from '../mail/create-mailer.js';

/** Builds the Node runtime's dependencies from validated config. */
export async function buildNodeDeps(config: Config): Promise<Deps> {
  const db = await openDb(config.DATABASE_URL);
  return {
    db,
    clock: systemClock,
    log: createLog(config.LOG_LEVEL),
    config,
    mailer: createMailer(config),
    fetch: globalThis.fetch.bind(globalThis),
    sleep: realSleep,
    // The service (node.ts) puts its schedule here; the command line kicks nothing.
    jobs: noJobs,
  };
}
