import { serve } from '@hono/node-server';
import { migrate } from '../../db/migrate.js';
import { startSchedule } from '../../jobs/schedule.node.js';
import { createApp } from '../app.js';
import { ConfigError, configFromProcess } from '../config.js';
import { buildNodeDeps } from './node-deps.js';

/** Runs the service on Node: opens the store, migrates it, serves HTTP and starts the schedule. */
async function main() {
  const config = configFromProcess();
  const deps = await buildNodeDeps(config);
  const applied = await migrate(deps.db);
  if (applied.length) deps.log.info('migrations applied', { applied });

  const schedule = startSchedule(deps);
  // Routes kick queued jobs (supplier matching) through the schedule, which runs them off the request.
  deps.jobs = schedule;
  const server = serve({ fetch: createApp(deps).fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    deps.log.info('tendermatch listening', { url: `http://localhost:${info.port}` });
  });

  const stop = async (signal: string) => {
    deps.log.info('shutting down', { signal });
    schedule.stop();
    server.close();
    await deps.mailer.close();
    await deps.db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  // A bad setting is named, never its value.
  process.stderr.write(`${err instanceof ConfigError ? err.message : `failed to start: ${(err as Error).message}`}\n`);
  process.exit(1);
});
