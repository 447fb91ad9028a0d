import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { startSchedule, type RunningSchedule } from '../../jobs/schedule.node.js';
import type { ScheduledJob } from '../../jobs/schedule.js';
import { createApp, type App } from '../app.js';
import type { Deps } from '../deps.js';
import type { RegistryCache } from '../registry-cache.js';
import { nodeMaxHeaderSize } from '../limits.js';
import { nodeClientAddress } from './node-deps.js';

export interface NodeService {
  app: App;
  server: ServerType;
  schedule: RunningSchedule;
  /** http://host:port the server listens on. */
  url: string;
  /** Stops the schedule and the server, waiting up to `graceMs` for running jobs (they resume from the store). */
  close(graceMs?: number): Promise<void>;
}

/**
 * The service as `npm start` runs it, over deps already migrated: the schedule (whose kicks the routes use through
 * deps.jobs), the app with the client address from the socket, and the HTTP server with its head-size bound.
 * Tests, benchmarks and the load script start this too, so what they measure is what runs.
 */
export async function startNodeService(
  deps: Deps,
  options: { port?: number; hostname?: string; jobs?: readonly ScheduledJob[]; registry?: RegistryCache } = {},
): Promise<NodeService> {
  const schedule = startSchedule(deps, { jobs: options.jobs });
  deps.jobs = schedule;
  const app = createApp(deps, { clientAddress: nodeClientAddress(deps.config), registry: options.registry });
  const server = serve({
    fetch: app.fetch,
    port: options.port ?? deps.config.PORT,
    hostname: options.hostname ?? deps.config.HOST,
    serverOptions: { maxHeaderSize: nodeMaxHeaderSize(deps.config) },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    app,
    server,
    schedule,
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${address.port}`,
    async close(graceMs = 10_000) {
      schedule.stop();
      await Promise.race([schedule.idle(), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
