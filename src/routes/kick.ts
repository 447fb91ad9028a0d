import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { Background, KickableJob } from '../deps.js';

/** The runtime's way to keep work going after the answer (a Worker's executionCtx); none on Node. */
function backgroundOf(c: Context<AppEnv>): Background | undefined {
  try {
    return c.executionCtx;
  } catch {
    // Hono throws when the runtime gave no execution context.
    return undefined;
  }
}

/** Starts a job whose rows the route has just queued, without waiting for it (deps.jobs). */
export function kickJob(c: Context<AppEnv>, job: KickableJob): void {
  c.get('deps').jobs.kick(job, backgroundOf(c));
}
