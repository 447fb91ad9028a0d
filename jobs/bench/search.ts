/**
 * Search at scale, beside the way it was done before in the same run:
 *
 * - tenders: GET /tenders (the app, in process) over a store of 1,000,000 tenders made from the real releases
 *   (jobs/tools/bench-stores.ts, cached in bench-out/): the newest-first list, words common and rare, CPV, region and
 *   open filters, combinations and a second page. Baseline: the statements the list ran before migration 009 and
 *   the text index (LIKE on title and description, CPV prefix by LIKE, the table sorted: `NOT INDEXED`), run on the
 *   same store. Target: p95 ≤ 50 ms.
 * - suppliers: GET /suppliers over 100,000 registered suppliers with the vocabulary of every real notice text and
 *   supplier name in the shared data, served by the real entry point in a process of its own and asked over HTTP on
 *   127.0.0.1: one at a time (target p95 ≤ 20 ms) and 20 at a time (target p95 ≤ 100 ms). Baseline: the search as it
 *   was (fuse.js over the whole vocabulary for each word, then every supplier filtered and sorted), in process on
 *   the same suppliers.
 * - who could bid: the answer's size for the real Scotland tender with the most lots against those suppliers, by
 *   default and with the 50 suppliers per lot every answer used to hold.
 *
 * Sizes: `npm run bench -- search --tenders=N --suppliers=N`.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Fuse from 'fuse.js';
import { sqliteHandleOf } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { storeReleases } from '../../src/ingest/store.js';
import { createApp } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { noJobs, type Deps } from '../../src/deps.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { words } from '../../src/domain/matching/text.js';
import { SupplierSearch } from '../../src/domain/suppliers/search.js';
import { searchableOf } from '../../db/queries/suppliers.js';
import { BENCH_OUT, benchSuppliers, insertSuppliers, percentile, realReleases, requireSharedData, round, tenderStore } from '../tools/bench-stores.js';
import { startServiceProcess } from '../tools/service-process.js';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}

const NOW = new Date('2026-11-24T09:00:00Z');
const TENDERS = flag('tenders', 1_000_000);
const SUPPLIERS = flag('suppliers', 100_000);
const RUNS = flag('runs', 30);

interface Timing {
  p50: number;
  p95: number;
  max: number;
  n: number;
}
function timing(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), max: round(s[s.length - 1]), n: s.length };
}

const TENDER_QUERIES = [
  '',
  'q=maintenance',
  'q=services',
  'q=cleaning',
  'q=electrical+inspection',
  'q=asbestos',
  'q=defibrillator',
  'q=glasgow',
  'q=road+resurfacing',
  'cpv=45',
  'cpv=72212000',
  'region=TLG',
  'region=TLM82',
  'open=true',
  'q=maintenance&region=TLM',
  'q=software&open=true',
  'open=true&cpv=45&region=TLG&value_min=100000',
];

/** The list as it was read before: words by LIKE over both columns, CPV by LIKE, the table sorted (no index). */
function baselineStatement(query: string): { text: string; args: unknown[] } {
  const p = new URLSearchParams(query);
  const where: string[] = [];
  const args: unknown[] = [];
  for (const word of (p.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
    where.push(`(lower(title) LIKE ? OR lower(description) LIKE ?)`);
    args.push(`%${word}%`, `%${word}%`);
  }
  if (p.get('cpv')) {
    where.push(`ocid IN (SELECT ocid FROM tender_cpv WHERE code LIKE ?)`);
    args.push(`${p.get('cpv')!.replace(/0+$/, '')}%`);
  }
  if (p.get('region')) {
    where.push(`ocid IN (SELECT ocid FROM tender_places WHERE role = 'delivery' AND code LIKE ?)`);
    args.push(`${p.get('region')}%`);
  }
  if (p.get('open')) {
    where.push(`(status IS NULL OR status NOT IN ('cancelled','unsuccessful','complete','withdrawn')) AND (deadline IS NULL OR deadline > ?)`);
    args.push(NOW.toISOString());
  }
  if (p.get('value_min')) {
    where.push('value_amount >= ?');
    args.push(Number(p.get('value_min')));
  }
  return {
    text: `SELECT ocid, title, buyer_name, value_amount, published_at, deadline FROM tenders NOT INDEXED ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY coalesce(published_at, '') DESC, ocid DESC LIMIT 51`,
    args,
  };
}

async function tenderSearch(): Promise<Record<string, unknown>> {
  const store = await tenderStore(TENDERS, NOW);
  console.log(`tender store: ${TENDERS.toLocaleString()} tenders ${store.built ? `built in ${round(store.seconds)} s` : 'from bench-out/'}`);
  const db = await openDb(store.path);
  await migrate(db);
  const deps: Deps = {
    db,
    clock: fixedClock(NOW),
    log: createLog('silent'),
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    mailer: memoryMailer(),
    fetch,
    sleep: async () => {},
    jobs: noJobs,
  };
  const app = createApp(deps);
  const all: number[] = [];
  const perQuery: Record<string, Timing & { baseline?: Timing; found: number }> = {};
  const handle = sqliteHandleOf(db)!;
  for (const query of TENDER_QUERIES) {
    const ask = async (path: string) => {
      const res = await app.request(path);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { tenders: unknown[]; next_cursor: string | null };
    };
    const first = await ask(`/tenders?${query}`);
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      // Every third run asks for the second page, from the first page's cursor.
      await ask(`/tenders?${query}${i % 3 === 2 && first.next_cursor ? `${query ? '&' : ''}cursor=${first.next_cursor}` : ''}`);
      ms.push(performance.now() - started);
    }
    all.push(...ms);
    const b = baselineStatement(query);
    const statement = handle.prepare(b.text);
    const baseline: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      statement.all(...b.args);
      baseline.push(performance.now() - started);
    }
    perQuery[query || '(list)'] = { ...timing(ms), found: first.tenders.length, baseline: timing(baseline) };
    const t = perQuery[query || '(list)'];
    console.log(`  GET /tenders?${query.padEnd(48)} p50 ${String(t.p50).padStart(6)} ms  p95 ${String(t.p95).padStart(6)} ms   before: ${String(t.baseline!.p50).padStart(7)} ms   (${t.found} on the page)`);
  }
  await db.destroy();
  const overall = timing(all);
  console.log(`tender search over ${TENDERS.toLocaleString()} tenders: p50 ${overall.p50} ms, p95 ${overall.p95} ms over ${overall.n} requests (target p95 ≤ 50 ms: ${overall.p95 <= 50 ? 'met' : 'NOT met'})`);
  return { tenders: TENDERS, store_built_seconds: store.built ? round(store.seconds) : null, overall, queries: perQuery };
}

/** The officers' search as it was: fuse.js over the vocabulary for each word, then every supplier filtered and sorted. */
class FormerSupplierSearch {
  private readonly postings = new Map<string, Map<number, number>>();
  private vocabulary: Fuse<string> | null = null;
  constructor(private readonly suppliers: ReturnType<typeof searchableOf>[]) {
    suppliers.forEach((s, doc) => {
      for (const [weight, texts] of [[2, [s.name, ...s.keywords]], [1, [s.description ?? '', ...s.certifications]]] as const) {
        for (const text of texts) for (const w of words(text)) {
          let docs = this.postings.get(w);
          if (!docs) this.postings.set(w, (docs = new Map()));
          if ((docs.get(doc) ?? 0) < weight) docs.set(doc, weight);
        }
      }
    });
  }
  find(text: string, region: string | null, limit: number): number {
    let scores: Map<number, number> | null = null;
    const query = words(text);
    for (const q of query) {
      this.vocabulary ??= new Fuse([...this.postings.keys()], { threshold: 0.3, includeScore: true });
      const alikes: Array<[string, number]> = this.postings.has(q) ? [[q, 1]] : [];
      if (q.length >= 4) for (const r of this.vocabulary.search(q, { limit: 20 })) if (r.item !== q) alikes.push([r.item, 1 - (r.score ?? 1)]);
      const best = new Map<number, number>();
      for (const [w, c] of alikes) for (const [doc, weight] of this.postings.get(w)!) best.set(doc, Math.max(best.get(doc) ?? 0, (c * weight) / 2));
      const next = new Map<number, number>();
      for (const [doc, s] of best) if (!scores || scores.has(doc)) next.set(doc, (scores?.get(doc) ?? 0) + s);
      scores = next;
    }
    const hits = this.suppliers.filter((s, i) => (!scores || scores.has(i)) && (!region || (s.areas ?? []).some((a) => a.startsWith(region) || region.startsWith(a))));
    hits.sort((a, b) => a.name.localeCompare(b.name));
    return hits.slice(0, limit).length;
  }
}

const SUPPLIER_QUERIES = [
  'q=maintenance',
  'q=electrical+inspection',
  'q=electricl',
  'q=cleaning&region=TLM',
  'q=software+development',
  'q=catering',
  'cpv=45',
  'region=TLG3',
  'kind=vcse',
  'min_value=100000',
  'certification=iso9001',
  '',
];

async function supplierSearch(): Promise<Record<string, unknown>> {
  const rows = benchSuppliers(SUPPLIERS, NOW);
  const searchable = rows.map((r) => searchableOf({ ...r, high_potential_override: r.high_potential_override ?? null } as never));
  let started = performance.now();
  const index = new SupplierSearch(searchable);
  const buildMs = performance.now() - started;
  console.log(`supplier index over ${SUPPLIERS.toLocaleString()} suppliers: ${index.vocabularySize.toLocaleString()} distinct words, built in ${round(buildMs)} ms`);

  // In process, the search alone, beside the former one.
  const former = new FormerSupplierSearch(searchable);
  const inProcess: Record<string, { now: Timing; before: Timing }> = {};
  for (const query of SUPPLIER_QUERIES.filter((q) => q.startsWith('q='))) {
    const p = new URLSearchParams(query);
    const nowMs: number[] = [];
    const beforeMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      started = performance.now();
      index.find({ text: p.get('q')!, regions: p.get('region') ? [p.get('region')!] : undefined, boostHighPotential: true }, { limit: 50 });
      nowMs.push(performance.now() - started);
      if (i < 3) {
        started = performance.now();
        former.find(p.get('q')!, p.get('region'), 50);
        beforeMs.push(performance.now() - started);
      }
    }
    inProcess[query] = { now: timing(nowMs), before: timing(beforeMs) };
    console.log(`  search alone ${query.padEnd(28)} p50 ${String(inProcess[query].now.p50).padStart(6)} ms   before: ${String(inProcess[query].before.p50).padStart(7)} ms`);
  }

  // Over HTTP, from the real entry point in a process of its own.
  const path = join(BENCH_OUT, `suppliers-${SUPPLIERS}.db`);
  if (!existsSync(path)) {
    const db = await openDb(`${path}.partial`);
    await migrate(db);
    await insertSuppliers(db, rows);
    await storeReleases(db, 'bench', realReleases().map((value) => ({ raw: JSON.stringify(value), value })), NOW.toISOString());
    await db.destroy();
    copyFileSync(`${path}.partial`, path);
    for (const s of ['', '-wal', '-shm']) rmSync(`${path}.partial${s}`, { force: true });
  }
  const working = join(BENCH_OUT, `suppliers-${SUPPLIERS}.run.db`);
  for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  copyFileSync(path, working);
  const service = await startServiceProcess({ DATABASE_URL: working, LOG_LEVEL: 'warn' });
  try {
    const get = async (q: string) => {
      const res = await fetch(`${service.url}/suppliers?${q}`);
      if (res.status !== 200) throw new Error(`GET /suppliers?${q} answered ${res.status}`);
      return res.text();
    };
    started = performance.now();
    await get('q=maintenance');
    const firstMs = performance.now() - started;
    const sequential: number[] = [];
    for (let i = 0; i < 10 * RUNS; i++) {
      const t0 = performance.now();
      await get(SUPPLIER_QUERIES[i % SUPPLIER_QUERIES.length]);
      sequential.push(performance.now() - t0);
    }
    const concurrent: number[] = [];
    let next = 0;
    const total = 40 * RUNS;
    const wallStart = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < total) {
          const i = next++;
          const t0 = performance.now();
          await get(SUPPLIER_QUERIES[i % SUPPLIER_QUERIES.length]);
          concurrent.push(performance.now() - t0);
        }
      }),
    );
    const wall = (performance.now() - wallStart) / 1000;
    const seq = timing(sequential);
    const con = timing(concurrent);
    console.log(`GET /suppliers over HTTP, ${SUPPLIERS.toLocaleString()} suppliers: first search (loads and indexes the registry) ${round(firstMs)} ms`);
    console.log(`  one at a time: p50 ${seq.p50} ms, p95 ${seq.p95} ms (target ≤ 20 ms: ${seq.p95 <= 20 ? 'met' : 'NOT met'}), n=${seq.n}`);
    console.log(`  20 at a time:  p50 ${con.p50} ms, p95 ${con.p95} ms (target ≤ 100 ms: ${con.p95 <= 100 ? 'met' : 'NOT met'}), ${round(total / wall)} req/s, n=${con.n}`);

    // Who could bid for the real Scotland tender with the most lots.
    const scotland = realReleases().filter((r) => String(r.ocid).startsWith('ocds-r6ebe6'));
    const big = scotland.sort((a, b) => (b.tender?.lots?.length ?? 0) - (a.tender?.lots?.length ?? 0))[0];
    const bidders = async (q: string) => {
      const t0 = performance.now();
      const res = await fetch(`${service.url}/tenders/${big.ocid}/suppliers${q}`);
      const body = await res.text();
      return { status: res.status, bytes: body.length, ms: round(performance.now() - t0) };
    };
    await bidders('');
    const byDefault = await bidders('');
    const former50 = await bidders('?limit=50');
    console.log(
      `who could bid for ${big.ocid} (${big.tender?.lots?.length ?? 0} lots): ${round(byDefault.bytes / 1024)} kB by default in ${byDefault.ms} ms; ${round(former50.bytes / 1024)} kB with 50 a lot, as every answer was, in ${former50.ms} ms`,
    );
    return {
      suppliers: SUPPLIERS,
      vocabulary: index.vocabularySize,
      index_build_ms: round(buildMs),
      first_search_ms: round(firstMs),
      sequential: seq,
      concurrent: { ...con, per_second: round(total / wall) },
      in_process: inProcess,
      who_could_bid: { ocid: big.ocid, lots: big.tender?.lots?.length ?? 0, default: byDefault, fifty_per_lot: former50 },
    };
  } finally {
    await service.stop();
    for (const s of ['', '-wal', '-shm']) rmSync(working + s, { force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  requireSharedData('search');
  const tenders = await tenderSearch();
  const suppliers = await supplierSearch();
  return { tenders, suppliers };
}
