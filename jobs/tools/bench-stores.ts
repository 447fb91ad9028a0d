/**
 * Stores for the search and write benchmarks and the load script, made from the real shared data and cached under
 * bench-out/ (gitignored), since a million tenders take minutes to make.
 *
 * - Tenders are the real Contracts Finder, Scotland and Wales releases, copied with their ocids rewritten, their
 *   published dates spread over five years and their deadlines moved; each copy's title is a real notice title and
 *   its description two real descriptions, drawn from every notice text in the shared data (OCDS releases, the
 *   Contracts Finder CSV, TED award notices and titles), so the words are spread as real ones are: a few in most
 *   notices, thousands in a handful.
 * - The million-tender store is written by bulk inserts of the rows the ingest would write for tenders and their
 *   tags (no raw releases, lots or items: the list and the search do not read them); the triggers of the text
 *   index run as for any write. The smaller stores go through the real file ingest, so matching can read them.
 * - Suppliers are registrations as the routes write them: names of real award suppliers, descriptions and keywords
 *   from real notices and CPV labels, CPV codes the notices ask for, homes across the ITL3 areas. Each one's key is
 *   `tmk_bench_<n>`, so benchmarks can change profiles as the supplier would.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { sameStore, type Db } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { installTenderSearch } from '../../db/tender-search.js';
import { migrate } from '../../db/migrate.js';
import { bulkWriter } from '../../db/bulk.js';
import { prepareBatch } from '../../src/ingest/pipeline.js';
import type { NewSupplierRow } from '../../db/schema.suppliers.js';
import { allCpvCodes, cpvLabel } from '../../src/domain/cpv/index.js';
import { allItlCodes, itlLevel } from '../../src/domain/geo/index.js';
import { hashKey } from '../../src/routes/auth.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/clock.js';
import { noJobs, realSleep, type Deps } from '../../src/deps.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { ingestFile } from '../ingest-file.js';
import { parseCsv } from './csv.js';
import { prng } from './seeded-random.js';

export const SHARED = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
export const BENCH_OUT = fileURLToPath(new URL('../../bench-out/', import.meta.url));
const RELEASE_FILES = ['ocds/contracts-finder/releases-2022.jsonl', 'ocds/public-contracts-scotland/releases-2019.jsonl', 'ocds/sell2wales/releases-2025.jsonl'];

export function requireSharedData(part: string): void {
  if (!existsSync(join(SHARED, 'ocds'))) throw new Error(`the shared data folder is missing (${SHARED}); the ${part} benchmark needs its real notices`);
}

export function realReleases(): Array<Record<string, any>> {
  return RELEASE_FILES.flatMap((f) => readFileSync(join(SHARED, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

export interface NoticeText {
  title: string;
  description: string;
}

/** Every real notice text in the shared data: OCDS releases, the Contracts Finder CSV, TED award notices and titles. */
export function realNoticeTexts(): NoticeText[] {
  const out: NoticeText[] = [];
  for (const r of realReleases()) if (r.tender?.title) out.push({ title: r.tender.title, description: r.tender.description ?? '' });
  const csv = (path: string) => parseCsv(readFileSync(join(SHARED, path), 'utf8'));
  const cf = csv('contracts-finder-csv/awarded-notices-2020.csv');
  const col = (rows: string[][], name: string) => rows[0].indexOf(name);
  for (const row of cf.slice(1)) out.push({ title: row[col(cf, 'Title')], description: row[col(cf, 'Description')] });
  const ted = csv('awards/ted-uk-award-suppliers-2020.csv');
  for (const row of ted.slice(1)) out.push({ title: row[col(ted, 'CONTRACT_TITLE')], description: row[col(ted, 'CONTRACT_DESC')] });
  const titles = csv('ted/notices-2016-2020.csv');
  for (const row of titles.slice(1)) out.push({ title: row[col(titles, 'title_en')], description: '' });
  return out.filter((t) => t.title);
}

/** Real supplier names: TED award suppliers, and the payees of the Oxford and Birmingham spend files. */
function realSupplierNames(): string[] {
  const names = new Set<string>();
  const ted = parseCsv(readFileSync(join(SHARED, 'awards/ted-uk-award-suppliers-2020.csv'), 'utf8'));
  for (const r of ted.slice(1)) if (r[0]) names.add(r[0]);
  for (const folder of ['spend/oxford-city-council', 'spend/birmingham-city-council-purchase-cards']) {
    const dir = join(SHARED, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv'))) {
      const rows = parseCsv(readFileSync(join(dir, file), 'latin1'));
      const col = rows[0]?.findIndex((h) => /^(supplier[ _]name|merchant name)\s*$/i.test(h.trim())) ?? -1;
      if (col < 0) continue;
      for (const r of rows.slice(1)) if (r[col]?.trim()) names.add(r[col].trim());
    }
  }
  return [...names];
}

const DAY = 86_400_000;

/** Makes `path` with `make` into a temporary file first, so that a stopped build never leaves a store that looks whole. */
async function cached(path: string, make: (partial: string) => Promise<void>): Promise<{ path: string; built: boolean; seconds: number }> {
  if (existsSync(path)) return { path, built: false, seconds: 0 };
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  const started = performance.now();
  await make(partial);
  renameSync(partial, path);
  return { path, built: true, seconds: (performance.now() - started) / 1000 };
}

/**
 * A store of `count` tenders (tender rows and their place and CPV tags) by bulk inserts, published from five years
 * before `now` up to it; about one in ten still open at `now`.
 */
export async function tenderStore(count: number, now: Date): Promise<{ path: string; built: boolean; seconds: number }> {
  requireSharedData('search');
  return cached(join(BENCH_OUT, `tenders-${count}.db`), async (path) => {
    const db = await openDb(path);
    await migrate(db);
    // The text index is made once at the end from every row (as installing it on a store that has tenders does),
    // instead of row by row through its triggers.
    for (const t of ['insert', 'update', 'delete']) await sql.raw(`DROP TRIGGER tender_search_${t}`).execute(db);
    await sql`DROP TABLE tender_search`.execute(db);
    await sql`DROP TABLE tender_search_docs`.execute(db);
    const texts = realNoticeTexts();
    const rnd = prng(20261124);
    const originals = prepareBatch('bench', realReleases().map((value) => ({ raw: JSON.stringify(value), value })), now.toISOString()).tenders.filter((t) => t.rows);
    const span = 5 * 365 * DAY;
    const BATCH = 20_000;
    for (let start = 0; start < count; start += BATCH) {
      await db.transaction().execute(async (trx) => {
        const w = bulkWriter(sameStore(trx, db));
        const tenders = [];
        const places = [];
        const cpv = [];
        for (let k = start; k < Math.min(count, start + BATCH); k++) {
          const rows = originals[k % originals.length].rows!;
          const ocid = `${rows.tender.ocid}-b${k}`;
          const a = texts[Math.floor(rnd() * texts.length)];
          const b = texts[Math.floor(rnd() * texts.length)];
          const c = texts[Math.floor(rnd() * texts.length)];
          const published = new Date(now.getTime() - Math.floor(rnd() * span));
          const open = rnd() < 0.1;
          tenders.push({
            ...rows.tender,
            ocid,
            title: a.title,
            description: `${b.description} ${c.description}`.trim() || a.title,
            published_at: published.toISOString(),
            deadline: new Date(open ? now.getTime() + (2 + Math.floor(rnd() * 60)) * DAY : published.getTime() + 30 * DAY).toISOString(),
            status: open ? 'active' : rows.tender.status,
          });
          for (const p of rows.places) places.push({ ...p, ocid });
          for (const t of rows.cpv) cpv.push({ ...t, ocid });
        }
        await w.insert('tenders', tenders);
        await w.insert('tender_places', places);
        await w.insert('tender_cpv', cpv);
      });
      if ((start / BATCH) % 10 === 9) process.stderr.write(`  tenders: ${(start + BATCH).toLocaleString()} of ${count.toLocaleString()}\n`);
    }
    process.stderr.write('  indexing their text\n');
    await installTenderSearch(db);
    await db.destroy();
  });
}

/** Releases made from the real ones for the file ingest: ocids rewritten, texts mixed, open until after `now`. */
async function writeOpenReleases(path: string, count: number, now: Date): Promise<void> {
  const originals = realReleases();
  const texts = realNoticeTexts();
  const rnd = prng(7);
  const out = createWriteStream(path);
  for (let k = 0; k < count; k++) {
    const r = structuredClone(originals[k % originals.length]);
    r.ocid = `${r.ocid}-b${k}`;
    r.id = `${r.id ?? 'noid'}-b${k}`;
    const published = new Date(now.getTime() - Math.floor(rnd() * 700 * DAY)).toISOString();
    r.date = published;
    r.tag = ['tender'];
    r.awards = undefined;
    r.contracts = undefined;
    r.tender = { ...(r.tender ?? {}), status: 'active', datePublished: published, tenderPeriod: { endDate: new Date(now.getTime() + (20 + Math.floor(rnd() * 300)) * DAY).toISOString() } };
    const t = texts[Math.floor(rnd() * texts.length)];
    r.tender.title = t.title;
    r.tender.description = `${texts[Math.floor(rnd() * texts.length)].description} ${r.tender.description ?? ''}`.trim();
    for (const lot of r.tender.lots ?? []) lot.status = 'active';
    if (!out.write(JSON.stringify(r) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const CERTIFICATIONS = ['ISO 9001:2015', 'ISO 14001', 'ISO 27001', 'Cyber Essentials', 'Cyber Essentials Plus', 'NICEIC', 'Gas Safe', 'CHAS', 'SafeContractor', 'Constructionline Gold', 'Living Wage employer'];
const KINDS = ['micro', 'micro', 'small', 'small', 'medium', 'vcse'];

/** `count` supplier rows as registration writes them, with keys tmk_bench_<n>. */
export function benchSuppliers(count: number, now: Date, seed = 11): NewSupplierRow[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const texts = realNoticeTexts();
  const names = realSupplierNames();
  const noticeCodes = [...new Set(realReleases().flatMap((r) => [r.tender?.classification?.id, ...(r.tender?.items ?? []).map((i: any) => i.classification?.id)]).filter((c): c is string => typeof c === 'string' && /^\d{8}/.test(c)))];
  const everyCode = allCpvCodes();
  const itl3 = allItlCodes().filter((c) => itlLevel(c) === 3).sort();
  const iso = now.toISOString();
  return Array.from({ length: count }, (_, i) => {
    const cpv = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => (rnd() < 0.6 ? pick(noticeCodes) : pick(everyCode)).slice(0, 8)))];
    const home = pick(itl3);
    const r = rnd();
    const text = pick(texts);
    return {
      id: `sup_bench${String(i).padStart(7, '0')}`,
      name: `${pick(names)} ${i}`,
      kind: pick(KINDS),
      company_number: null,
      postcode: null,
      home_region: home,
      serves: JSON.stringify(r < 0.6 ? [] : r < 0.85 ? [home.slice(0, 4)] : [home.slice(0, 3)]),
      national: r >= 0.97 ? 1 : 0,
      cpv_codes: JSON.stringify(cpv),
      description: `${text.title}. ${pick(texts).description}`.slice(0, 2000),
      keywords: JSON.stringify(cpv.map((c) => cpvLabel(c)).filter((l): l is string => !!l).slice(0, 3)),
      max_contract_value: rnd() < 0.15 ? null : Math.round(Math.exp(Math.log(20_000) + rnd() * Math.log(250))),
      turnover_band: null,
      staff_band: null,
      certifications: JSON.stringify(rnd() < 0.4 ? [pick(CERTIFICATIONS)] : []),
      contact_email: null,
      key_hash: hashKey(`tmk_bench_${i}`),
      growth: null,
      high_potential_derived: rnd() < 0.1 ? 1 : 0,
      high_potential_override: null,
      created_at: iso,
      updated_at: iso,
    };
  });
}

export async function insertSuppliers(db: Db, rows: NewSupplierRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 10_000) {
    await db.transaction().execute((trx) => bulkWriter(sameStore(trx, db)).insert('suppliers', rows.slice(i, i + 10_000)));
  }
}

/**
 * A store of `tenders` open tenders ingested through the real file ingest (releases kept, so matching reads them)
 * and `suppliers` registered suppliers, none of them matched yet.
 */
export async function serviceStore(tenders: number, suppliers: number, now: Date): Promise<{ path: string; built: boolean; seconds: number }> {
  requireSharedData('service');
  return cached(join(BENCH_OUT, `service-${tenders}t-${suppliers}s.db`), async (path) => {
    const file = `${path}.jsonl`;
    await writeOpenReleases(file, tenders, now);
    const config = loadConfig({ DATABASE_URL: path, LOG_LEVEL: 'silent' });
    const db = await openDb(path);
    await migrate(db);
    const deps: Deps = { db, clock: systemClock, log: createLog('silent'), config, mailer: memoryMailer(), fetch, sleep: realSleep, jobs: noJobs };
    process.stderr.write(`  ingesting ${tenders.toLocaleString()} releases\n`);
    await ingestFile(deps, file);
    rmSync(file, { force: true });
    await db.deleteFrom('match_queue').execute();
    process.stderr.write(`  registering ${suppliers.toLocaleString()} suppliers\n`);
    await insertSuppliers(db, benchSuppliers(suppliers, now));
    await db.destroy();
  });
}

/** Percentile of sorted numbers (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
