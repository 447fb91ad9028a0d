/**
 * Stalls while suppliers are written and officers are served, on a big store: 100,000 open tenders (the real
 * releases through the real file ingest, cached in bench-out/) and 100,000 registered suppliers, served by the Node
 * service in this process (startNodeService, as `npm start`), asked over HTTP on 127.0.0.1.
 *
 * Two officers ask without pause, one after another, the supplier search (`/suppliers?q=...`) and who could bid for
 * a real open tender (`/tenders/:ocid/suppliers`), while a writer registers or changes a supplier every
 * `--stall-gap=` ms (`--writes=` in all); the match job each write kicks runs too. Measured, with the event loop's
 * delay (node:perf_hooks monitorEventLoopDelay, max and p99), each officer request's latency and RSS (sampled every
 * 50 ms):
 * - now: the held registry takes each change in place (src/registry-cache.ts);
 * - baseline, in the same run over a fresh copy of the same store: it reloads whole after every change.
 * Targets (issue 13): no stall over 100 ms; RSS under 1 GB at 100,000 suppliers.
 *
 * Sizes: `npm run bench -- stall --tenders=N --suppliers=N --writes=N --stall-gap=MS`.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { noJobs, realSleep, type Deps } from '../../src/deps.js';
import { startNodeService } from '../../src/entry/node-service.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { RegistryCache } from '../../src/registry-cache.js';
import { percentile, requireSharedData, round, serviceStore } from '../tools/bench-stores.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}
const TENDERS = flag('tenders', 100_000);
const SUPPLIERS = flag('suppliers', 100_000);
const WRITES = flag('writes', 20);
const GAP_MS = flag('stall-gap', 500);
const MB = 2 ** 20;

function delays(h: IntervalHistogram) {
  return { p99_ms: round(h.percentile(99) / 1e6), max_ms: round(h.max / 1e6) };
}

function latency(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50_ms: round(percentile(s, 50)), p99_ms: round(percentile(s, 99)), max_ms: round(s[s.length - 1] ?? 0), n: s.length };
}

const registration = (i: number) => ({
  name: `Stall Grounds ${i}`,
  kind: 'small',
  postcode: 'KA1 1HU',
  home_region: 'UKM93',
  serves: ['UKM'],
  cpv_codes: ['77310000', '45233140'],
  description: `Grounds maintenance, grass cutting and road repairs, firm ${i}.`,
  max_contract_value: 400000,
});

interface Phase {
  loop: { p99_ms: number; max_ms: number };
  officer: ReturnType<typeof latency>;
  writes: ReturnType<typeof latency>;
  peak_rss_mb: number;
  loads: number;
  updates: number;
  failed: number;
}

type Mode = 'quiet' | 'reload' | 'in place';

async function phase(storePath: string, mode: Mode): Promise<Phase> {
  const inPlace = mode !== 'reload';
  const writes = mode === 'quiet' ? 0 : WRITES;
  const working = storePath.replace(/\.db$/, `.stall-${mode.replace(' ', '')}.db`);
  for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  copyFileSync(storePath, working);
  const config = loadConfig({ DATABASE_URL: working, LOG_LEVEL: 'warn', INGEST_ENABLED: 'false', ALERTS_ENABLED: 'false', RATE_LIMIT_REGISTRATIONS: '0' });
  const db = await openDb(working);
  await migrate(db);
  const deps: Deps = { db, clock: systemClock, log: createLog('warn'), config, mailer: memoryMailer(), fetch, sleep: realSleep, jobs: noJobs };
  const registry = new RegistryCache({ inPlace });
  const service = await startNodeService(deps, { port: 0, hostname: '127.0.0.1', registry });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const send = async (method: string, path: string, body?: unknown, key?: string) => {
      const started = performance.now();
      const res = await fetch(`${service.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
      return { ms: performance.now() - started, body: JSON.parse(text) };
    };
    // Real open tenders of several trades, asked about in turn.
    const open = await db.selectFrom('tenders').select('ocid').where('twin_of', 'is', null).orderBy('ocid').limit(400).execute();
    const ocids = open.filter((_, i) => i % 20 === 0).map((r) => r.ocid);
    const paths = ['/suppliers?q=grounds+maintenance&limit=20', ...ocids.map((o) => `/tenders/${encodeURIComponent(o)}/suppliers`), '/suppliers?q=electrical+inspection&limit=20'];
    // Warm: the registry loaded, its index and search built, before anything is measured.
    const warm = performance.now();
    for (const p of paths.slice(0, 2)) await send('GET', p);
    const warmMs = performance.now() - warm;

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const officerMs: number[] = [];
    const writeMs: number[] = [];
    let writing = true;
    let failed = 0;
    const officer = async (start: number) => {
      for (let k = start; writing; k++) {
        try {
          officerMs.push((await send('GET', paths[k % paths.length])).ms);
        } catch (err) {
          // Counted, not fatal: a request that fails is a figure of the run too.
          failed++;
          if (failed === 1) console.error(`an officer request failed: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
        }
      }
    };
    const writer = async () => {
      const registered: Array<{ id: string; key: string }> = [];
      for (let i = 0; i < WRITES; i++) {
        await new Promise((resolve) => setTimeout(resolve, GAP_MS));
        if (i >= writes) continue;
        try {
          if (i % 2 === 0 || !registered.length) {
            const r = await send('POST', '/suppliers', registration(i));
            registered.push({ id: r.body.supplier.id, key: r.body.key });
            writeMs.push(r.ms);
          } else {
            const t = registered[registered.length - 1];
            writeMs.push((await send('PATCH', `/suppliers/${t.id}`, { description: `Grounds maintenance and tree surgery, change ${i}.` }, t.key)).ms);
          }
        } catch (err) {
          failed++;
          console.error(`a write failed: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
        }
      }
      // The officers' requests after the last write, then stop.
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      writing = false;
    };
    await Promise.all([writer(), officer(0), officer(1)]);
    loop.disable();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const out: Phase = { loop: delays(loop), officer: latency(officerMs), writes: latency(writeMs), peak_rss_mb: Math.round(peak / MB), loads: registry.loads, updates: registry.updates, failed };
    console.log(
      `${mode === 'quiet' ? 'officers alone, no writes (this machine\'s own noise)' : mode === 'in place' ? 'now (changed in place)' : 'baseline (reloaded whole)'}: event loop delay p99 ${out.loop.p99_ms} ms, max ${out.loop.max_ms} ms; ` +
        `officer requests p50 ${out.officer.p50_ms} ms, p99 ${out.officer.p99_ms} ms, max ${out.officer.max_ms} ms (${out.officer.n}, ${out.failed} failed); ` +
        `writes p50 ${out.writes.p50_ms} ms; peak RSS ${out.peak_rss_mb} MB; registry loads ${out.loads}, in-place updates ${out.updates} (first load and builds ${round(warmMs)} ms)`,
    );
    return out;
  } finally {
    clearInterval(sampler);
    // The match jobs the writes kicked finish their pass (they would resume from the queue anyway).
    await service.close(20_000);
    await db.destroy();
    for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  requireSharedData('stall');
  const store = await serviceStore(TENDERS, SUPPLIERS, new Date('2026-11-24T09:00:00Z'));
  console.log(`store: ${TENDERS.toLocaleString()} open tenders, ${SUPPLIERS.toLocaleString()} suppliers ${store.built ? `built in ${round(store.seconds)} s` : 'from bench-out/'}; ${WRITES} writes ${GAP_MS} ms apart, two officers asking without pause`);
  const quiet = await phase(store.path, 'quiet');
  const baseline = await phase(store.path, 'reload');
  const now = await phase(store.path, 'in place');
  console.log(
    `  targets: no event-loop stall over 100 ms ${now.loop.max_ms <= 100 ? 'met' : 'NOT met'} (${now.loop.max_ms} ms, baseline ${baseline.loop.max_ms} ms, no writes ${quiet.loop.max_ms} ms); RSS < 1024 MB ${now.peak_rss_mb < 1024 ? 'met' : 'NOT met'} (${now.peak_rss_mb} MB, baseline ${baseline.peak_rss_mb} MB)`,
  );
  return { tenders: TENDERS, suppliers: SUPPLIERS, writes: WRITES, gap_ms: GAP_MS, in_place: now, baseline_full_reload: baseline, no_writes: quiet };
}
