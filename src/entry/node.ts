import { migrate } from '../../db/migrate.js';
import { ConfigError, configFromProcess } from '../config.js';
import { buildNodeDeps } from './node-deps.js';
import { retagIfStale } from '../../jobs/retag.js';
import { drainMatchQueue } from '../../jobs/match.js';
import { startNodeService } from './node-service.js';

/** Runs the service on Node: opens the store, migrates it, serves HTTP and starts the schedule. */
async function main() {
  const config = configFromProcess();
  const deps = await buildNodeDeps(config);
  const applied = await migrate(deps.db);
  if (applied.length) deps.log.info('migrations applied', { applied });
  const service = await startNodeService(deps);
  deps.log.info('tendermatch listening', { url: service.url });
  // A new tagger model: retag in the background while serving, then match the tenders whose tags changed.
  void retagIfStale(deps)
    .then(async ({ retag }) => (retag?.tagsChanged ? drainMatchQueue(deps) : null))
    .catch((err) => deps.log.error(`retag at start-up failed: ${(err as Error).message}`));

  const stop = async (signal: string) => {
    deps.log.info('shutting down', { signal });
    await service.close();
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
