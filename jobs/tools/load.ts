/**
 * `npm run load [-- --duration=60 --connections=200]`: load on the real service over 127.0.0.1, with autocannon.
 *
 * The service (src/entry/node.ts, in a process of its own) runs on a copy of a store of 100,000 open tenders and
 * 100,000 suppliers made from the real shared data (jobs/tools/bench-stores.ts, cached in bench-out/). Three runs
 * of `--duration` seconds with `--connections` connections each:
 *   1. a bare Hono route on @hono/node-server in a process of its own: what this machine serves at most;
 *   2. the main read routes, in turn: the tender list, text and CPV searches, one tender, the officers' supplier
 *      search by words and by place, and "who could bid";
 *   3. the same reads with one request in ten a write: a registration or a profile change (with the supplier's key),
 *      each of which queues matching and moves the registry's version.
 * Registrations would meet the rate limit from one address: it is turned off for this run (RATE_LIMIT_*=0).
 * Prints req/s, p50/p99 latency, errors and non-2xx answers of each run, and ends with one JSON line.
 * Targets: 0 errors, p99 under 100 ms for the reads.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDb } from '../../db/open.js';
import { round, serviceStore } from './bench-stores.js';
import { startServiceProcess } from './service-process.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const DURATION = flag('duration', 60);
const CONNECTIONS = flag('connections', 200);
const TENDERS = flag('tenders', 100_000);
const SUPPLIERS = flag('suppliers', 100_000);

/** A bare Hono app on @hono/node-server: the baseline, in a process of its own like the service. */
const BARE = `
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono().get('/', (c) => c.json({ ok: true }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(JSON.stringify({ port: info.port }) + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function startBare(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).port));
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface RunFigures {
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  requests: number;
  errors: number;
  timeouts: number;
  non_2xx: number;
  status: Record<string, number>;
}

async function cannon(title: string, options: autocannon.Options): Promise<RunFigures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, timeout: 10, ...options, title });
  const status: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) status[code] = count ?? 0;
  const figures = {
    requests_per_second: round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non_2xx: result.non2xx,
    status,
  };
  console.log(
    `${title.padEnd(34)} ${String(figures.requests_per_second).padStart(8)} req/s   p50 ${String(figures.p50_ms).padStart(5)} ms   p99 ${String(figures.p99_ms).padStart(6)} ms   max ${String(figures.max_ms).padStart(6)} ms   errors ${figures.errors} (timeouts ${figures.timeouts})   non-2xx ${figures.non_2xx}`,
  );
  return figures;
}

async function main() {
  const store = await serviceStore(TENDERS, SUPPLIERS, new Date('2026-11-24T09:00:00Z'));
  const working = store.path.replace(/\.db$/, '.load.db');
  // A run stopped part-way may have left its write-ahead log: it belongs to the old copy.
  for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  copyFileSync(store.path, working);
  const db = await openDb(working);
  const ocids = (await db.selectFrom('tenders').select('ocid').orderBy('ocid').limit(2000).execute()).map((r) => r.ocid);
  const scotland = ocids.find((o) => o.startsWith('ocds-r6ebe6')) ?? ocids[0];
  await db.destroy();
  console.log(`load: ${CONNECTIONS} connections, ${DURATION} s a run, on ${TENDERS.toLocaleString()} open tenders and ${SUPPLIERS.toLocaleString()} suppliers`);

  const bare = await startBare();
  const results: Record<string, RunFigures> = {};
  let servicePeakMb = 0;
  try {
    results.bare = await cannon('bare Hono route', { url: `${bare.url}/` });
  } finally {
    await bare.stop();
  }

  const service = await startServiceProcess({ DATABASE_URL: working, LOG_LEVEL: 'warn', RATE_LIMIT_REGISTRATIONS: '0', RATE_LIMIT_KEY_CHECKS: '0' }, 120);
  try {
    const reads = [
      '/tenders',
      '/tenders?q=maintenance',
      '/tenders?cpv=45',
      `/tenders/${ocids[7]}`,
      '/suppliers?q=grounds+maintenance',
      '/suppliers?region=TLM&limit=20',
      '/tenders?q=electrical+inspection&open=true',
      `/tenders/${scotland}/suppliers`,
    ];
    // Warm: the registry is loaded and indexed by the first officer request, as after any restart.
    for (const path of reads) await fetch(`${service.url}${path}`).then((r) => r.text());
    let n = 0;
    results.reads = await cannon('main read routes', {
      url: service.url,
      requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: reads[n++ % reads.length] }) }],
    });
    let m = 0;
    results.mixed = await cannon('reads with one write in ten', {
      url: service.url,
      requests: [
        {
          setupRequest: (req) => {
            const i = m++;
            if (i % 10 !== 9) return { ...req, method: 'GET', path: reads[i % reads.length] };
            const headers = { 'content-type': 'application/json' };
            if (i % 20 === 9) {
              const body = JSON.stringify({ name: `Load Firm ${i}`, kind: 'small', postcode: 'KA1 1HU', cpv_codes: ['77310000'], description: 'Grounds maintenance.', max_contract_value: 200000 });
              return { ...req, method: 'POST', path: '/suppliers', headers, body };
            }
            const s = i % SUPPLIERS;
            return {
              ...req,
              method: 'PATCH',
              path: `/suppliers/sup_bench${String(s).padStart(7, '0')}`,
              headers: { ...headers, authorization: `Bearer tmk_bench_${s}` },
              body: JSON.stringify({ description: `Grounds maintenance and planting, change ${i}.` }),
            };
          },
        },
      ],
    });
    servicePeakMb = Math.round(service.memory().peak / 2 ** 20);
  } finally {
    await service.stop();
    for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  }
  const readsOk = results.reads.errors === 0 && results.reads.non_2xx === 0 && results.reads.p99_ms < 100;
  console.log(`reads: ${readsOk ? 'targets met' : 'targets NOT met'} (0 errors, p99 < 100 ms); the service's peak RSS ${servicePeakMb} MB`);
  console.log(JSON.stringify({ load: results, service_peak_rss_mb: servicePeakMb, duration: DURATION, connections: CONNECTIONS, ok: true }));
}

main().catch((err) => {
  console.error(err);
  console.log(JSON.stringify({ load: null, ok: false, error: (err as Error).message }));
  process.exit(1);
});
