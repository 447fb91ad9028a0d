/**
 * The pages beside the JSON routes for the same data, in the same run, on the real entry point in a process of its
 * own over 127.0.0.1 (autocannon):
 *
 * - a tender's page (`/tender/:ocid`: the tender, who could bid per lot and the consortia) beside the JSON routes
 *   that answer the same (`/tenders/:ocid`, `/tenders/:ocid/suppliers`, `/tenders/:ocid/consortia`), each alone;
 * - the officers' supplier search page (`/find/suppliers?q=…&region=…`, which also counts each facet choice) beside
 *   `GET /suppliers` with the same query.
 *
 * The store is the one `npm run load` uses (jobs/tools/bench-stores.ts: open tenders made from the real releases and
 * generated suppliers, cached in bench-out/). Sizes and time: `npm run bench -- pages --tenders=N --suppliers=N
 * --duration=S --connections=N`.
 */
import { copyFileSync, rmSync } from 'node:fs';
import autocannon from 'autocannon';
import { openDb } from '../../db/open.js';
import { round, serviceStore } from '../tools/bench-stores.js';
import { startServiceProcess } from '../tools/service-process.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const v = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

interface Figures {
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  kb_per_answer: number;
  non_2xx: number;
  errors: number;
}

async function cannon(title: string, url: string, duration: number, connections: number): Promise<Figures> {
  const r = await autocannon({ url, duration, connections, timeout: 20, title });
  const figures = {
    requests_per_second: round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    kb_per_answer: r.requests.total ? round(r.throughput.total / r.requests.total / 1024) : 0,
    non_2xx: r.non2xx,
    errors: r.errors,
  };
  console.log(
    `${title.padEnd(44)} ${String(figures.requests_per_second).padStart(8)} req/s   p50 ${String(figures.p50_ms).padStart(6)} ms   p99 ${String(figures.p99_ms).padStart(6)} ms   ${String(figures.kb_per_answer).padStart(6)} kB   non-2xx ${figures.non_2xx}   errors ${figures.errors}`,
  );
  return figures;
}

export async function run(): Promise<Record<string, unknown>> {
  const tenders = flag('tenders', 20_000);
  const suppliers = flag('suppliers', 20_000);
  const duration = flag('duration', 10);
  const connections = flag('connections', 10);
  const store = await serviceStore(tenders, suppliers, new Date('2026-11-24T09:00:00Z'));
  const working = store.path.replace(/\.db$/, '.pages.db');
  for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  copyFileSync(store.path, working);
  // The tender with the most lots, for the heaviest who-could-bid page of the store.
  const db = await openDb(working);
  const row = await db
    .selectFrom('lots')
    .select(['ocid', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('ocid')
    .orderBy('n', 'desc')
    .orderBy('ocid')
    .limit(1)
    .executeTakeFirst();
  const ocid = row?.ocid ?? (await db.selectFrom('tenders').select('ocid').orderBy('ocid').limit(1).executeTakeFirstOrThrow()).ocid;
  await db.destroy();
  const service = await startServiceProcess({ DATABASE_URL: working, RATE_LIMIT_KEY_CHECKS: '0', RATE_LIMIT_REGISTRATIONS: '0' }, 300);
  const results: Record<string, Figures> = {};
  try {
    const base = service.url;
    const o = encodeURIComponent(ocid);
    const query = 'q=cleening&region=TLC';
    console.log(`pages: ${connections} connections, ${duration} s a run, ${tenders.toLocaleString()} tenders and ${suppliers.toLocaleString()} suppliers; tender ${ocid} (${row?.n ?? 0} lots); loaded machine`);
    // Warm the registry (held in memory by the service) before anything is timed.
    await fetch(`${base}/suppliers?limit=1`);
    await fetch(`${base}/tenders/${o}/suppliers`);
    // Each run starts once the answers still in flight from the one before are done (a slow route leaves a backlog).
    const settled = async () => {
      for (let i = 0; i < 600; i++) {
        const t = performance.now();
        await fetch(`${base}/health`);
        if (performance.now() - t < 50) return;
      }
    };
    const runs: Array<[keyof typeof results | string, string, string]> = [
      ['supplier_search_page', 'page  /find/suppliers?q=…&region=TLC', `${base}/find/suppliers?${query}`],
      ['supplier_search_json', 'json  /suppliers?q=…&region=TLC&limit=20', `${base}/suppliers?${query}&limit=20`],
      ['tender_page', 'page  /tender/:ocid', `${base}/tender/${o}`],
      ['tender_json', 'json  /tenders/:ocid', `${base}/tenders/${o}`],
      ['tender_suppliers_json', 'json  /tenders/:ocid/suppliers', `${base}/tenders/${o}/suppliers`],
      ['tender_consortia_json', 'json  /tenders/:ocid/consortia', `${base}/tenders/${o}/consortia`],
    ];
    for (const [key, title, url] of runs) {
      await settled();
      results[key] = await cannon(title, url, duration, connections);
    }
  } finally {
    await service.stop();
    for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  }
  return { tenders, suppliers, duration, connections, ocid, ...results };
}
