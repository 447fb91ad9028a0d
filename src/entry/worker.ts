/// <reference types="@cloudflare/workers-types" />
import { D1Dialect } from 'kysely-d1';
import { fromDialect } from '../../db/client.js';
import { installTenderSearch } from '../../db/tender-search.js';
import { jobsForCron, runScheduledJob, scheduledJobs } from '../../jobs/schedule.js';
import { createApp, type App } from '../app.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import type { Deps, JobKicker, PackageFiles } from '../deps.js';
import { createLog } from '../log.js';
import type { Mailer } from '../mail/mailer.js';

/**
 * Cloudflare Workers entry: the same app and cron table over D1. Migrations are applied with
 * `wrangler d1 migrations apply` from db/migrations (see wrangler.toml). Mail leaves from the Node
 * service (SMTP needs raw sockets), so a Worker queues alerts in the outbox and does not send them.
 */
export interface WorkerEnv {
  DB: D1Database;
  /** The Worker's static assets (wrangler.toml [assets]: swagger-ui-dist, for the API reference page). */
  ASSETS?: Fetcher;
  [setting: string]: unknown;
}

const noMail: Mailer = {
  kind: 'none',
  async send() {
    return { accepted: false, response: 'this Worker does not send mail; the Node service drains the outbox' };
  },
  async close() {},
};

/**
 * A kick runs the job after the response, kept alive by the request's executionCtx.waitUntil; without one it is
 * left to the job's Cron Trigger (the rows are queued either way).
 */
function workerJobs(deps: () => Deps): JobKicker {
  return {
    kick(name, background) {
      const job = scheduledJobs.find((j) => j.name === name);
      if (job && background && job.enabled(deps().config)) background.waitUntil(runScheduledJob(deps(), job));
    },
  };
}

/** Package files from the static assets; wrangler.toml uploads swagger-ui-dist as the assets directory. */
function assetFiles(assets: Fetcher | undefined): PackageFiles | undefined {
  if (!assets) return undefined;
  return {
    async read(pkg, file) {
      if (pkg !== 'swagger-ui-dist' || !/^[\w.-]+$/.test(file)) return null;
      const res = await assets.fetch(`https://assets.invalid/${file}`);
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    },
  };
}

function depsFor(env: WorkerEnv): Deps {
  const settings: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') settings[key] = value;
  const config = loadConfig({ DATABASE_URL: 'd1', ...settings });
  const deps: Deps = {
    db: fromDialect(new D1Dialect({ database: env.DB }), 'd1'),
    clock: systemClock,
    log: createLog(config.LOG_LEVEL, (line) => console.log(line)),
    config,
    mailer: noMail,
    fetch: (input, init) => fetch(input, init),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    jobs: workerJobs(() => deps),
    packageFiles: assetFiles(env.ASSETS),
  };
  return deps;
}

/** One app per D1 binding for the life of the isolate, so that what the app holds in memory (the supplier registry) is reused. */
const apps = new WeakMap<D1Database, App>();

/**
 * The tender text index (db/tender-search.ts) is engine-specific, so wrangler's migrations do not make it: each
 * isolate makes sure of it once (one read of sqlite_master once it exists), before its first request or job.
 */
const searchReady = new WeakMap<D1Database, Promise<void>>();
function textIndexReady(env: WorkerEnv, deps: () => Deps): Promise<void> {
  let ready = searchReady.get(env.DB);
  if (!ready) {
    ready = installTenderSearch(deps().db).catch((err) => {
      searchReady.delete(env.DB);
      throw err;
    });
    searchReady.set(env.DB, ready);
  }
  return ready;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    let app = apps.get(env.DB);
    // Cloudflare sets CF-Connecting-IP to the client's address (a client cannot set it).
    if (!app) apps.set(env.DB, (app = createApp(depsFor(env), { clientAddress: (c) => c.req.header('cf-connecting-ip') })));
    await textIndexReady(env, () => depsFor(env));
    return app.fetch(request, env, ctx);
  },
  async scheduled(event: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) {
    const deps = depsFor(env);
    await textIndexReady(env, () => deps);
    for (const job of jobsForCron(deps.config, event.cron)) ctx.waitUntil(runScheduledJob(deps, job));
  },
};
