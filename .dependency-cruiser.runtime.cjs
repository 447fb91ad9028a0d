/**
 * The second pass of `npm run lint:layers`: what actually runs (type-only imports left out, since they vanish
 * when compiled). createApp serves on Node and Workers alike, so no Node-only driver may be reachable from it.
 */
const base = require('./.dependency-cruiser.cjs');

module.exports = {
  forbidden: [
    {
      name: 'app-reaches-no-runtime',
      comment: 'createApp runs on Node and Workers: nothing reachable from src/app.ts may import a Node-only runtime (better-sqlite3, the Node server, node-cron).',
      severity: 'error',
      from: { path: '^src/(app\\.ts|entry/worker\\.ts)$' },
      to: { path: 'node_modules/(better-sqlite3|@hono/node-server|node-cron)/', reachable: true },
    },
  ],
  options: { ...base.options, tsPreCompilationDeps: false },
};
