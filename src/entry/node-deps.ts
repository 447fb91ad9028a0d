import { getConnInfo } from '@hono/node-server/conninfo';
import { openDb } from '../../db/open.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { ClientAddress } from '../limits.js';
import { noJobs, realSleep, type Deps } from '../deps.js';
import { createLog } from '../log.js';
import { createMailer } from '../mail/create-mailer.js';
import { nodePackageFiles } from './package-files.js';

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
    packageFiles: nodePackageFiles(),
  };
}

/** The socket's address; behind a trusted proxy, the last address of X-Forwarded-For (the one the proxy added). */
export function nodeClientAddress(config: Pick<Config, 'TRUST_PROXY'>): ClientAddress {
  return (c) => {
    if (config.TRUST_PROXY) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
      if (forwarded) return forwarded;
    }
    try {
      return getConnInfo(c).remote.address;
    } catch {
      return undefined;
    }
  };
}
