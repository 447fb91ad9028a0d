/**
 * Spend benchmark, two parts.
 *
 * Import: a CSV of 1,000,000 payment lines made from the real Birmingham purchase-card lines in ../shared/data
 * (all 44 months, their columns put into one layout, cycled with the years moved on so that every cycle is new
 * spend), imported end to end into a SQLite file as `spend import` does (read, decode, parse, map, check, key,
 * categorise, write lines, rollups and payees, resolve payees), in a child process whose peak RSS is reported.
 * Beside it, measured in the same run before and after: csv-parse alone over the same file with the same
 * options, streamed from disk (the import is held to at least 40% of it).
 *
 * Regional report: 5,000,000 payment lines for the seven West Midlands Combined Authority councils (the real
 * Oxford and Birmingham lines, cycled per council with the years moved on), payees given places directly (own
 * council, elsewhere in the authority, the rest of the West Midlands, elsewhere, region only, unresolved), then
 * the report for the named place read through the service's own report code, on SQLite and on PostgreSQL (where
 * one is reachable), beside a plain GROUP BY over the raw lines in the same run. Target: at most 1 s.
 *
 * Sizes: --spend-rows=N (import), --spend-report-rows=N (report); --postgres-url=URL where PostgreSQL is not at 127.0.0.1:5432/test.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { sql } from 'kysely';
import { type Db } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { putPlace } from '../../db/queries/places.js';
import { buyerIdOf, putBuyer, rebuildClassRollup, rebuildRollups } from '../../db/queries/spend.js';
import { putPayeeFacts } from '../../db/queries/spend-payees.js';
import { insertSupplier } from '../../db/queries/suppliers.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/clock.js';
import { noJobs, realSleep, type Deps } from '../../src/deps.js';
import { createLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { CategoryReader } from '../../src/domain/spend/category.js';
import { mapSpendHeader } from '../../src/domain/spend/headers.js';
import type { PayeeKind } from '../../src/domain/spend/payees.js';
import type { PayeeFacts } from '../../src/domain/spend/report.js';
import { OccurrenceCounter, readSpendRow } from '../../src/domain/spend/rows.js';
import { buildReport, readReportQuery } from '../../src/spend-report.js';
import { importSpendFile } from '../spend-import.js';

const SPEND = new URL('../../../shared/data/spend/', import.meta.url).pathname;
const arg = (name: string, fallback: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : fallback;
};
const IMPORT_ROWS = arg('spend-rows', 1_000_000);
const REPORT_ROWS = arg('spend-report-rows', 5_000_000);
const POSTGRES_URL = process.argv.find((x) => x.startsWith('--postgres-url='))?.slice('--postgres-url='.length) ?? 'postgres://postgres@127.0.0.1:5432/test';
const CSV_OPTIONS = { delimiter: ',', relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true } as const;
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

// --- Import

const LAYOUT = ['TRANS DATE', 'BILLING GROSS AMT', 'MERCHANT NAME', 'CARD NUMBER', 'TRANS CAC CODE 1', 'TRANS CAC DESC 1', 'TRANS CAC DESC 2', 'Directorate'];

/** Every real Birmingham card line, in one layout. */
function birminghamLines(): string[][] {
  const dir = join(SPEND, 'birmingham-city-council-purchase-cards');
  const out: string[][] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.csv')).sort()) {
    const rows = parseSync(readFileSync(join(dir, f)), { relax_column_count: true, skip_empty_lines: true }) as string[][];
    const header = rows[0].map((h) => h.trim().toUpperCase());
    const at = (name: string) => header.indexOf(name);
    const amount = at('BILLING GROSS AMT') >= 0 ? at('BILLING GROSS AMT') : at('ORIGINAL GROSS AMT');
    const cols = [at('TRANS DATE'), amount, at('MERCHANT NAME'), at('CARD NUMBER'), at('TRANS CAC CODE 1'), at('TRANS CAC DESC 1'), at('TRANS CAC DESC 2'), header.findIndex((h) => h.startsWith('DIRECTORATE') || h === '')];
    for (const r of rows.slice(1)) out.push(cols.map((i) => (i >= 0 ? r[i] ?? '' : '')));
  }
  return out;
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Moves a dd/mm/yy date on by `years`. */
const shiftDate = (d: string, years: number) => d.replace(/^(\d{1,2}\/\d{1,2}\/)(\d{2})$/, (_m, dm: string, yy: string) => `${dm}${String(Number(yy) + years).padStart(2, '0')}`);

export async function writeImportFile(path: string): Promise<number> {
  const lines = birminghamLines();
  const out = createWriteStream(path);
  out.write(LAYOUT.join(',') + '\r\n');
  let bytes = 0;
  for (let k = 0; k < IMPORT_ROWS; k++) {
    const cycle = Math.floor(k / lines.length);
    const r = lines[k % lines.length];
    const line = [shiftDate(r[0], cycle * 5), ...r.slice(1)].map(csvCell).join(',') + '\r\n';
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

/** csv-parse alone over the file: the records per second the import is measured against. */
export async function parseOnly(path: string): Promise<number> {
  const started = performance.now();
  let n = 0;
  for await (const _record of createReadStream(path).pipe(parse(CSV_OPTIONS))) n++;
  return (n - 1) / ((performance.now() - started) / 1000);
}

interface ImportChild {
  seconds: number;
  peakRss: number;
  summary: { rows: number; imported: number; duplicates: number; quarantined: number; payees_new: number; reconciles: boolean };
}

export async function importChild(file: string, dbPath: string): Promise<void> {
  const config = loadConfig({ DATABASE_URL: dbPath, LOG_LEVEL: 'silent' });
  const db = await openDb(dbPath);
  await migrate(db);
  const deps: Deps = { db, clock: systemClock, log: createLog('silent'), config, mailer: memoryMailer(), fetch, sleep: realSleep, jobs: noJobs };
  const started = performance.now();
  const s = await importSpendFile(deps, { buyer: { name: 'Birmingham City Council', postcode: 'B1 1BB' }, fileName: 'bench.csv', bytes: readFileSync(file), progress: (l) => process.stderr.write(`  ${l}\n`), progressEvery: 250_000 });
  const seconds = (performance.now() - started) / 1000;
  await db.destroy();
  process.stdout.write(
    JSON.stringify({ seconds, peakRss: process.resourceUsage().maxRSS * 1024, summary: { rows: s.rows, imported: s.imported, duplicates: s.duplicates, quarantined: s.quarantined, payees_new: s.payees_new, reconciles: s.reconciles } }) + '\n',
  );
}

function runImportChild(file: string, dbPath: string): Promise<ImportChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--spend-child', file, dbPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ImportChild) : reject(new Error(`import child exited with ${code}`))));
  });
}

// --- Regional report

const WMCA = 'West Midlands Combined Authority';
const COUNCILS: Array<[string, string, string]> = [
  ['Birmingham City Council', 'E08000025', 'TLG31'],
  ['Coventry City Council', 'E08000026', 'TLG33'],
  ['Dudley Metropolitan Borough Council', 'E08000027', 'TLG36'],
  ['Sandwell Metropolitan Borough Council', 'E08000028', 'TLG37'],
  ['Solihull Metropolitan Borough Council', 'E08000029', 'TLG32'],
  ['Walsall Metropolitan Borough Council', 'E08000030', 'TLG38'],
  ['City of Wolverhampton Council', 'E08000031', 'TLG39'],
];

/** The real Oxford and Birmingham lines, read as payment lines (for the seed of the report's store). */
function seedLines(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const categories = new CategoryReader();
  for (const dir of ['oxford-city-council', 'birmingham-city-council-purchase-cards']) {
    // The May 2014 card file is the June one again: it is left out of the seed.
    for (const f of readdirSync(join(SPEND, dir)).filter((x) => x.endsWith('.csv') && !x.endsWith('may2014.csv')).sort()) {
      const rows = parseSync(readFileSync(join(SPEND, dir, f)), { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
      const m = mapSpendHeader(rows[0]);
      if (!m.ok) continue;
      const counter = new OccurrenceCounter();
      rows.slice(1).forEach((cells, i) => {
        const r = readSpendRow(cells, m.mapping, { dateMissingAs: '2014-06-30' });
        if (!r.ok) return;
        const p = r.payment;
        const c = categories.of(p.expenseType, p.serviceArea, p.description, p.expenseCode);
        out.push({
          payment_key: `${f}:${counter.keyOf(p.baseKey)}`, file_id: f.slice(0, 32), line: i + 2, paid_on: p.paidOn, date_stated: 0, quarter: p.quarter,
          amount_pence: p.amountPence, payee_name: p.payeeName, payee_key: p.payeeKey, reference: p.reference, expense_code: p.expenseCode, expense_type: p.expenseType,
          service_area: p.serviceArea, description: p.description, category: c.category, category_method: c.method, exclusion: p.exclusion, raw: JSON.stringify(cells),
        });
      });
    }
  }
  return out;
}

/** A stable small number from a text: payees are given their places by it. */
const bucket = (text: string, n: number) => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % n;
};

function payeeFactsFor(buyerIndex: number, payeeKey: string, name: string, kind: PayeeKind): PayeeFacts {
  const b = bucket(`${payeeKey}`, 100);
  const base = { payeeKey, name, kind, supplierRef: `bench:${payeeKey}`, supplierName: name, method: 'exact', confidence: 1, postcode: null, sme: b % 3 === 0 ? null : b % 2 === 0, vcse: b % 10 === 0 };
  const [, lad, itl3] = COUNCILS[(buyerIndex + (b % 7)) % 7];
  if (b < 40 || kind === 'individual') return { ...base, source: null, supplierRef: null, supplierName: null, method: 'none', confidence: 0, place: null, sme: null, vcse: null };
  if (b < 55) return { ...base, source: 'directory', place: { lad: COUNCILS[buyerIndex][1], itl3: COUNCILS[buyerIndex][2], itl1: 'TLG', combinedAuthority: WMCA, uk: true } };
  if (b < 70) return { ...base, source: 'directory', place: { lad, itl3, itl1: 'TLG', combinedAuthority: WMCA, uk: true } };
  if (b < 78) return { ...base, source: 'registry', place: { lad: 'E07000197', itl3: 'TLG24', itl1: 'TLG', combinedAuthority: null, uk: true } };
  if (b < 92) return { ...base, source: 'award', place: { lad: 'E09000033', itl3: 'TLI32', itl1: 'TLI', combinedAuthority: 'Greater London Authority', uk: true } };
  return { ...base, source: 'award', place: { lad: null, itl3: null, itl1: 'TLG', combinedAuthority: null, uk: true } };
}

export async function fillReportStore(db: Db, log: (line: string) => void): Promise<number> {
  const now = new Date().toISOString();
  const seed = seedLines();
  await sql`CREATE TABLE bench_seed AS SELECT * FROM spend_payments WHERE 1 = 0`.execute(db);
  await sql`CREATE TABLE bench_copies (buyer_id TEXT NOT NULL, copy INTEGER NOT NULL)`.execute(db);
  for (let i = 0; i < seed.length; i += 1000) {
    await db.insertInto('bench_seed' as 'spend_payments').values(seed.slice(i, i + 1000).map((r) => ({ buyer_id: '', ...r })) as never).execute();
  }
  const copiesPerBuyer = Math.ceil(REPORT_ROWS / seed.length / COUNCILS.length);
  for (const [name] of COUNCILS) for (let k = 0; k < copiesPerBuyer; k++) await sql`INSERT INTO bench_copies (buyer_id, copy) VALUES (${buyerIdOf(name)}, ${k})`.execute(db);
  // Each copy moves the years on by five (the seed spans 2014–2018), so that every copy is new spend in new quarters.
  await sql`INSERT INTO spend_payments (buyer_id, payment_key, file_id, line, paid_on, date_stated, quarter, amount_pence, payee_name, payee_key, reference,
      expense_code, expense_type, service_area, description, category, category_method, exclusion, raw)
    SELECT c.buyer_id, s.payment_key || '|c' || CAST(c.copy AS TEXT), s.file_id, s.line,
      CAST(CAST(SUBSTR(s.paid_on, 1, 4) AS INTEGER) + 5 * c.copy AS TEXT) || SUBSTR(s.paid_on, 5), 0,
      CAST(CAST(SUBSTR(s.quarter, 1, 4) AS INTEGER) + 5 * c.copy AS TEXT) || SUBSTR(s.quarter, 5),
      s.amount_pence, s.payee_name, s.payee_key, s.reference, s.expense_code, s.expense_type, s.service_area, s.description, s.category, s.category_method, s.exclusion, s.raw
    FROM bench_seed s CROSS JOIN bench_copies c`.execute(db);
  const total = Number((await sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM spend_payments`.execute(db)).rows[0].n);
  log(`  ${fmt(total)} payment lines stored (${fmt(seed.length)} real lines × ${copiesPerBuyer} copies × ${COUNCILS.length} councils)`);
  await putPlace(db, { name: WMCA, codes: COUNCILS.map((c) => c[2]), description: null }, now);
  for (const [i, [name, lad, itl3]] of COUNCILS.entries()) {
    const buyerId = buyerIdOf(name);
    await putBuyer(db, { buyer_id: buyerId, name, postcode: null, region_code: null, lad, lad_name: name, itl3, itl1: 'TLG', combined_authority: WMCA, updated_at: now });
    await rebuildRollups(db, buyerId);
    const payees = await db.selectFrom('spend_payments').select(['payee_key', 'payee_name']).where('buyer_id', '=', buyerId).groupBy(['payee_key', 'payee_name']).execute();
    const seen = new Map<string, string>();
    for (const p of payees) if (!seen.has(p.payee_key)) seen.set(p.payee_key, p.payee_name);
    const { payeeKind } = await import('../../src/domain/spend/payees.js');
    await putPayeeFacts(db, buyerId, [...seen].map(([key, pname]) => payeeFactsFor(i, key, pname, payeeKind(pname))), now);
    await rebuildClassRollup(db, buyerId);
  }
  // Registered local firms across the divisions the spend falls in, for leakage's alternatives.
  const divisions = (await sql<{ category: string }>`SELECT DISTINCT category FROM spend_rollup_payees WHERE category <> ''`.execute(db)).rows.map((r) => r.category);
  for (const [j, division] of divisions.entries()) {
    const [, , itl3] = COUNCILS[j % 7];
    await insertSupplier(db, {
      id: `bench-${j}`, name: `West Midlands Supplier ${j}`, kind: j % 5 === 0 ? 'cooperative' : 'small', company_number: null, postcode: 'B1 1BB', home_region: itl3, serves: '[]', national: 0,
      cpv_codes: JSON.stringify([division]), description: null, keywords: '[]', max_contract_value: null, turnover_band: null, staff_band: null, certifications: '[]',
      contact_email: null, key_hash: 'x', growth: null, high_potential_derived: 0, high_potential_override: null, created_at: now, updated_at: now,
    });
  }
  const sizes = await sql<{ t: string; n: unknown }>`SELECT 'spend_rollup' AS t, COUNT(*) AS n FROM spend_rollup UNION ALL SELECT 'spend_rollup_payees', COUNT(*) FROM spend_rollup_payees UNION ALL SELECT 'spend_rollup_classes', COUNT(*) FROM spend_rollup_classes UNION ALL SELECT 'spend_rollup_class_categories', COUNT(*) FROM spend_rollup_class_categories UNION ALL SELECT 'spend_payees', COUNT(*) FROM spend_payees`.execute(db);
  log(`  rollups: ${sizes.rows.map((r) => `${r.t} ${fmt(Number(r.n))}`).join(', ')}`);
  return total;
}

async function timeReport(db: Db, log: (line: string) => void) {
  const { query } = readReportQuery({ place: WMCA });
  const times: number[] = [];
  const cpu: number[] = [];
  let report: Awaited<ReturnType<typeof buildReport>>['report'] | null = null;
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    const c0 = process.cpuUsage();
    report = (await buildReport(db, query)).report;
    times.push((performance.now() - started) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const ids = COUNCILS.map(([name]) => buyerIdOf(name));
  const baseTimes: number[] = [];
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    await sql`SELECT quarter, SUM(amount_pence) AS pence, COUNT(*) AS n FROM spend_payments WHERE buyer_id IN (${sql.join(ids)}) GROUP BY quarter`.execute(db);
    baseTimes.push((performance.now() - started) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  log(`  report for ${WMCA} (${report!.buyers.length} councils, ${report!.by_quarter.length} quarters, ${report!.by_category.length} categories, ${report!.leakage.suppliers.length} leaking suppliers listed):`);
  log(`    first ${times[0].toFixed(3)} s, then ${times.slice(1).map((t) => t.toFixed(3)).join(' / ')} s (median of the warm runs ${sorted[Math.floor(sorted.length / 2)].toFixed(3)} s; target ≤ 1 s)`);
  log(`    CPU time of this process per report: ${cpu.map((t) => t.toFixed(3)).join(' / ')} s (the machine is shared: wall time waits for the CPU)`);
  log(`    plain GROUP BY quarter over the raw lines: ${baseTimes.map((t) => t.toFixed(3)).join(' / ')} s`);
  log(`    headline ${report!.headline_level}: local ${report!.local_share.named_place?.share}, own area ${report!.local_share.own_area.share}, unresolved ${report!.unresolved_share.share}, leakage £${fmt(report!.leakage.addressable)}`);
  return { first_seconds: round(times[0]), warm_seconds: times.slice(1).map(round), cpu_seconds: cpu.map(round), baseline_group_by_seconds: baseTimes.map(round), meets_target: Math.max(...times.slice(1)) <= 1 };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function reportOn(engine: 'sqlite' | 'postgres', dir: string): Promise<Record<string, unknown>> {
  const log = (l: string) => console.log(l);
  let db: Db;
  let drop = async () => {};
  if (engine === 'sqlite') {
    const path = join(dir, 'report.db');
    db = await openDb(path);
    drop = async () => {
      await db.destroy();
      for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
    };
  } else {
    const admin = await openDb(POSTGRES_URL);
    const schema = `bench_spend_${process.pid}`;
    await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    db = await openDb(url.toString());
    drop = async () => {
      await db.destroy();
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin);
      await admin.destroy();
    };
  }
  try {
    await migrate(db);
    console.log(`regional report on ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}:`);
    const started = performance.now();
    const rows = await fillReportStore(db, log);
    if (engine === 'postgres') await sql`ANALYZE`.execute(db);
    log(`  (store filled in ${((performance.now() - started) / 1000).toFixed(0)} s, not timed)`);
    return { payment_lines: rows, ...(await timeReport(db, log)) };
  } finally {
    await drop();
  }
}

async function postgresReachable(): Promise<boolean> {
  try {
    const db = await openDb(POSTGRES_URL);
    await sql`SELECT 1`.execute(db);
    await db.destroy();
    return true;
  } catch {
    return false;
  }
}

if (process.argv[2] === '--spend-child') await importChild(process.argv[3], process.argv[4]);

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(SPEND)) throw new Error(`the shared data folder is missing (${SPEND}); the spend benchmark needs the real council files`);
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-spend-bench-'));
  try {
    const file = join(dir, 'spend.csv');
    const bytes = await writeImportFile(file);
    console.log(`made ${fmt(IMPORT_ROWS)} payment lines from the real Birmingham card lines (${(bytes / 1e6).toFixed(0)} MB of CSV)`);
    const before = await parseOnly(file);
    const child = await runImportChild(file, join(dir, 'import.db'));
    for (const s of ['', '-wal', '-shm']) rmSync(join(dir, 'import.db') + s, { force: true });
    const after = await parseOnly(file);
    const baseline = Math.max(before, after);
    const perSecond = child.summary.rows / child.seconds;
    const share = perSecond / baseline;
    console.log(`csv-parse alone, same file and options: ${fmt(before)} rows/s before the import, ${fmt(after)} after (the faster is the baseline)`);
    console.log(
      `spend import end to end: ${fmt(perSecond)} rows/s (${child.seconds.toFixed(1)} s; ${fmt(child.summary.imported)} imported, ${fmt(child.summary.duplicates)} duplicates, ${fmt(child.summary.quarantined)} quarantined, ${fmt(child.summary.payees_new)} payees; reconciles: ${child.summary.reconciles})`,
    );
    console.log(`  = ${(share * 100).toFixed(0)}% of csv-parse alone (target ≥ 40%: ${share >= 0.4 ? 'met' : 'NOT met'}); peak RSS of the import process ${fmt(child.peakRss / 2 ** 20)} MB`);
    const reports: Record<string, unknown> = { sqlite: await reportOn('sqlite', dir) };
    if (await postgresReachable()) reports.postgres = await reportOn('postgres', dir);
    else console.log(`regional report on PostgreSQL skipped: nothing answers at ${POSTGRES_URL.replace(/\/\/[^@]*@/, '//')} (give --postgres-url=URL)`);
    return {
      import_rows: child.summary.rows,
      import_rows_per_second: Math.round(perSecond),
      csv_parse_rows_per_second: Math.round(baseline),
      csv_parse_before: Math.round(before),
      csv_parse_after: Math.round(after),
      share_of_csv_parse: Number(share.toFixed(3)),
      import_peak_rss_mb: Math.round(child.peakRss / 2 ** 20),
      report_peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
      report: reports,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
