/**
 * Supplier writes on a big store: 100,000 open tenders (the real releases through the real file ingest, ocids
 * rewritten, cached in bench-out/) and 100,000 registered suppliers, served by the Node service in this process
 * (startNodeService, as `npm start`), asked over HTTP on 127.0.0.1.
 *
 * - Writes: registrations and profile changes one after another while the match job they kick runs off the
 *   requests: each write's latency, and the event loop's delay meanwhile (node:perf_hooks monitorEventLoopDelay),
 *   then how long the job took to write every queued supplier's matches. Target: no stall over 100 ms.
 * - Baseline in the same run: what a write used to wait for, matching one supplier against every open tender in
 *   the request (the same matcher, run inline), with the event loop's delay while it runs.
 * - Memory: RSS (sampled every 50 ms) through every phase and through repeated write-then-search cycles, each of
 *   which makes the officers' listing load the registry again. Target: under 1 GB.
 *
 * Sizes: `npm run bench -- writes --tenders=N --suppliers=N --writes=N --cycles=N`.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { queuedSupplierCount } from '../../db/queries/match-queue.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { noJobs, realSleep, type Deps } from '../../src/deps.js';
import { startNodeService } from '../../src/entry/node-service.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { matchSupplier } from '../match.js';
import { percentile, requireSharedData, round, serviceStore } from '../tools/bench-stores.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}
const TENDERS = flag('tenders', 100_000);
const SUPPLIERS = flag('suppliers', 100_000);
const WRITES = flag('writes', 40);
const CYCLES = flag('cycles', 5);
const MB = 2 ** 20;

class RssSampler {
  peak = 0;
  private timer = setInterval(() => this.sample(), 50);
  sample() {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
  stop() {
    clearInterval(this.timer);
    this.sample();
  }
}

function delays(h: IntervalHistogram) {
  return { p50_ms: round(h.percentile(50) / 1e6), p99_ms: round(h.percentile(99) / 1e6), max_ms: round(h.max / 1e6) };
}

function latency(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50_ms: round(percentile(s, 50)), p99_ms: round(percentile(s, 99)), max_ms: round(s[s.length - 1]), n: s.length };
}

const registration = (i: number) => ({
  name: `Bench Grounds ${i}`,
  kind: 'small',
  postcode: 'KA1 1HU',
  home_region: 'UKM93',
  serves: ['UKM'],
  cpv_codes: ['77310000', '45233140'],
  description: 'Grounds maintenance, grass cutting, planting and road repairs for councils and housing associations.',
  keywords: ['grounds maintenance'],
  max_contract_value: 400000,
});

export async function run(): Promise<Record<string, unknown>> {
  requireSharedData('writes');
  const now = new Date();
  const store = await serviceStore(TENDERS, SUPPLIERS, new Date('2026-11-24T09:00:00Z'));
  console.log(`store: ${TENDERS.toLocaleString()} open tenders, ${SUPPLIERS.toLocaleString()} suppliers ${store.built ? `built in ${round(store.seconds)} s` : 'from bench-out/'}`);
  const working = store.path.replace(/\.db$/, '.writes.db');
  // A run stopped part-way may have left its write-ahead log: it belongs to the old copy.
  for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  copyFileSync(store.path, working);
  const rss = new RssSampler();
  const config = loadConfig({ DATABASE_URL: working, LOG_LEVEL: 'warn', INGEST_ENABLED: 'false', ALERTS_ENABLED: 'false', RATE_LIMIT_REGISTRATIONS: '0' });
  const db = await openDb(working);
  await migrate(db);
  const deps: Deps = { db, clock: systemClock, log: createLog('warn'), config, mailer: memoryMailer(), fetch, sleep: realSleep, jobs: noJobs };
  const service = await startNodeService(deps, { port: 0, hostname: '127.0.0.1' });
  try {
    void now;
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

    // Baseline: one supplier matched inline, as every registration and change used to be before answering.
    const inlineLoop = monitorEventLoopDelay({ resolution: 10 });
    inlineLoop.enable();
    let started = performance.now();
    const inline = await matchSupplier(deps, 'sup_bench0000001');
    const inlineMs = performance.now() - started;
    inlineLoop.disable();
    console.log(`before: matching one supplier in the request took ${round(inlineMs / 1000, 2)} s over ${inline.openTenders.toLocaleString()} open tenders (event loop delay max ${delays(inlineLoop).max_ms} ms)`);

    // The writes, while the job they kick runs.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const writeMs: number[] = [];
    const registered: Array<{ id: string; key: string }> = [];
    const writesStarted = performance.now();
    for (let i = 0; i < WRITES; i++) {
      if (i % 2 === 0 || !registered.length) {
        const r = await send('POST', '/suppliers', registration(i));
        writeMs.push(r.ms);
        registered.push({ id: r.body.supplier.id, key: r.body.key });
      } else {
        const target = i % 4 === 1 ? registered[registered.length - 1] : { id: `sup_bench${String(i).padStart(7, '0')}`, key: `tmk_bench_${i}` };
        writeMs.push((await send('PATCH', `/suppliers/${target.id}`, { description: `Grounds maintenance and tree surgery, change ${i}.` }, target.key)).ms);
      }
    }
    const writesSeconds = (performance.now() - writesStarted) / 1000;
    const queuedAfterWrites = await queuedSupplierCount(db);
    started = performance.now();
    await service.schedule.idle();
    // A kick that came while a pass ran starts another; wait for the queue itself.
    while ((await queuedSupplierCount(db)) > 0) {
      service.schedule.kick('match-suppliers');
      await service.schedule.idle();
    }
    const drainSeconds = (performance.now() - started) / 1000;
    loop.disable();
    const w = latency(writeMs);
    const d = delays(loop);
    console.log(`now: ${WRITES} writes in ${round(writesSeconds, 1)} s, each answered in p50 ${w.p50_ms} ms, p99 ${w.p99_ms} ms, max ${w.max_ms} ms (${queuedAfterWrites} suppliers queued when the last answered)`);
    console.log(`  the match job wrote their matches ${round(drainSeconds, 1)} s after the last write; event loop delay through writes and job: p99 ${d.p99_ms} ms, max ${d.max_ms} ms (target ≤ 100 ms: ${d.max_ms <= 100 ? 'met' : 'NOT met'})`);
    const matches = await send('GET', `/suppliers/${registered[0].id}/matches?limit=5`);
    console.log(`  a new supplier's matches: ${matches.body.matching}, ${matches.body.matches.length} shown`);

    // Memory through write-then-search cycles: each search after a write loads the registry again.
    const cycleMs: number[] = [];
    const reloadLoop = monitorEventLoopDelay({ resolution: 10 });
    reloadLoop.enable();
    for (let c = 0; c < CYCLES; c++) {
      await send('PATCH', `/suppliers/${registered[0].id}`, { description: `Grounds maintenance, cycle ${c}.` }, registered[0].key);
      cycleMs.push((await send('GET', '/suppliers?q=grounds+maintenance&limit=20')).ms);
    }
    reloadLoop.disable();
    rss.stop();
    const reload = latency(cycleMs);
    console.log(
      `memory: peak RSS ${Math.round(rss.peak / MB)} MB through it all (target < 1024 MB: ${rss.peak < 1024 * MB ? 'met' : 'NOT met'}); a search after a write (registry loaded again, whole) p50 ${reload.p50_ms} ms, event loop delay max ${delays(reloadLoop).max_ms} ms`,
    );
    return {
      tenders: TENDERS,
      suppliers: SUPPLIERS,
      baseline_inline_match: { seconds: round(inlineMs / 1000, 2), open_tenders: inline.openTenders, loop: delays(inlineLoop) },
      writes: { ...w, seconds: round(writesSeconds, 1), queued_after: queuedAfterWrites },
      job_drain_seconds: round(drainSeconds, 1),
      loop_during_writes: d,
      search_after_write: { ...reload, loop: delays(reloadLoop) },
      peak_rss_mb: Math.round(rss.peak / MB),
    };
  } finally {
    rss.stop();
    await service.close(1000);
    await db.destroy();
    for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  }
}
