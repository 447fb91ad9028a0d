/**
 * Feed benchmark, on real Contracts Finder search pages from ../shared/data:
 * 1. Page reading: readReleasePackage (JSON.parse plus cutting out each release's exact published
 *    text) beside the baseline of JSON.parse plus JSON.stringify of each release.
 * 2. Feed ingest end to end over HTTP on 127.0.0.1 (fetch, retry wrapper, pacing switched off, page
 *    reading, store, watermark) beside the baseline of fetching and JSON.parse-ing the same pages.
 * 3. What pacing allows against the real services: releases per second at 100 releases per page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { noJobs, type Deps } from '../../src/deps.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { readReleasePackage } from '../../src/sources/package.js';
import { sourceAdapters } from '../../src/sources/adapters.js';
import { ingestSource } from '../ingest.js';

const SHARED = new URL('../../../shared/data/ocds/contracts-finder/', import.meta.url).pathname;
const PAGES = 60;

function time<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

/** Real 100-release pages, with ocids and ids rewritten per copy so that every release is new. */
function buildPages(): string[] {
  const originals = ['ukc_100a.release-package.json', 'ukc_100b.release-package.json'].map((f) => readFileSync(join(SHARED, f), 'utf8'));
  const pages: string[] = [];
  for (let i = 0; i < PAGES; i++) {
    const text = originals[i % 2].replaceAll('ocds-b5fd17-', `ocds-b5fd17-p${i}-`);
    const pkg = JSON.parse(text) as { links?: unknown; releases: Array<Record<string, unknown>> };
    for (const r of pkg.releases) r.id = `${String(r.id)}-p${i}`;
    pkg.links = i + 1 < PAGES ? { next: `https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?cursor=${i + 1}` } : undefined;
    pages.push(JSON.stringify(pkg, null, 1));
  }
  return pages;
}

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(SHARED)) {
    console.log('sources: skipped, ../shared/data is not here');
    return { skipped: 'no shared data' };
  }
  const pages = buildPages();
  const releases = pages.length * 100;
  const mb = pages.reduce((n, p) => n + Buffer.byteLength(p), 0) / 1e6;

  // 1. Page reading.
  for (const p of pages.slice(0, 5)) readReleasePackage(p); // warm up
  const ours = time(() => pages.reduce((n, p) => n + readReleasePackage(p).releases.length, 0));
  const base = time(() =>
    pages.reduce((n, p) => n + (JSON.parse(p) as { releases: unknown[] }).releases.map((r) => JSON.stringify(r)).length, 0),
  );
  const readPerSec = Math.round(releases / (ours.ms / 1000));
  const basePerSec = Math.round(releases / (base.ms / 1000));
  console.log(`page reading: ${readPerSec.toLocaleString()} releases/s (${(mb / (ours.ms / 1000)).toFixed(0)} MB/s), exact published text kept`);
  console.log(`  baseline JSON.parse + JSON.stringify per release: ${basePerSec.toLocaleString()} releases/s (${((100 * base.ms) / ours.ms).toFixed(0)}% of ours in time)`);

  // 2. Feed ingest over HTTP.
  const server = createServer((req, res) => {
    const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(pages[cursor ? Number(cursor) : 0]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-bench-sources-'));
  try {
    const fetchOnly = performance.now();
    let parsed = 0;
    for (let i = 0; i < PAGES; i++) {
      const body = await (await fetch(`${url}/api/1.0/ocdsReleasePackages${i ? `?cursor=${i}` : ''}`)).text();
      parsed += (JSON.parse(body) as { releases: unknown[] }).releases.length;
    }
    const fetchMs = performance.now() - fetchOnly;

    const db = await openDb(join(dir, 'bench.db'));
    await migrate(db);
    const config = loadConfig({ FTS_BASE_URL: url, FTS_MAX_REQUESTS: '100000', FTS_PER_SECONDS: '1', LOG_LEVEL: 'silent' });
    const deps: Deps = {
      db,
      clock: fixedClock('2026-11-24T09:00:00Z'),
      log: createLog('silent'),
      config,
      mailer: memoryMailer(),
      fetch: globalThis.fetch.bind(globalThis),
      sleep: async () => {},
      jobs: noJobs,
    };
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t = performance.now();
    const summary = await ingestSource(deps, { source: 'fts', from: '2026-11-24T03:00:00Z', to: '2026-11-24T09:00:00Z' });
    const ingestMs = performance.now() - t;
    clearInterval(sampler);
    await db.destroy();
    if (summary.status !== 'ok' || summary.fetched !== releases) throw new Error(`feed ingest failed: ${summary.error ?? summary.fetched}`);
    const e2e = Math.round(releases / (ingestMs / 1000));
    const fetchPerSec = Math.round(parsed / (fetchMs / 1000));
    console.log(
      `feed ingest over HTTP: ${releases.toLocaleString()} releases in ${PAGES} pages, ${e2e.toLocaleString()} releases/s end to end, ` +
        `peak RSS ${(peak / 1e6).toFixed(0)} MB (${(rssBefore / 1e6).toFixed(0)} MB before it, with the pages in memory)`,
    );
    console.log(`  baseline fetch + JSON.parse of the same pages: ${fetchPerSec.toLocaleString()} releases/s (ours is ${((100 * e2e) / fetchPerSec).toFixed(0)}% of it)`);

    // 3. The real ceiling is the publishers' rate limits.
    const defaults = loadConfig({});
    const ceilings = Object.fromEntries(
      sourceAdapters.map((a) => {
        const p = a.pacing(defaults);
        return [a.id, Math.round(((100 * p.maxRequests) / p.perSeconds) * 10) / 10];
      }),
    );
    for (const [id, perSec] of Object.entries(ceilings)) console.log(`paced ceiling ${id}: ${perSec} releases/s at 100 per page (${Math.round(perSec * 3600).toLocaleString()} an hour)`);

    return {
      releases,
      pageReadReleasesPerSec: readPerSec,
      pageReadBaselinePerSec: basePerSec,
      feedIngestReleasesPerSec: e2e,
      fetchParseBaselinePerSec: fetchPerSec,
      peakRssMb: Math.round(peak / 1e6),
      rssBeforeIngestMb: Math.round(rssBefore / 1e6),
      pacedCeilingReleasesPerSec: ceilings,
    };
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
