import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { paymentTotals } from '../../db/queries/spend.js';
import { importSpendFile, type SpendImportSummary } from '../../jobs/spend-import.js';
import { SHARED_DATA, testDeps } from '../support/helpers.js';
import { columnPence, spendRows } from '../support/spend-fixtures.js';

const SPEND = join(SHARED_DATA, 'spend');
const present = existsSync(SPEND);
if (!present) console.warn(`real-data spend suite skipped: ${SPEND} is absent (it sits beside the project checkout in CI)`);

const filesOf = (dir: string) => (present ? readdirSync(join(SPEND, dir)).filter((f) => f.endsWith('.csv')).sort().map((f) => join(SPEND, dir, f)) : []);

/** The file's own total, read by this test alone: csv-parse for the cells, string arithmetic for the pence. */
function fileTotal(path: string, amountColumns: string[]): { rows: number; pence: number } {
  const rows = parse(readFileSync(path), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const at = amountColumns.map((c) => header.indexOf(c)).find((i) => i >= 0)!;
  const data = rows.slice(1).filter((r) => r.some((c) => c.trim()));
  return { rows: data.length, pence: columnPence(data.map((r) => r[at] ?? '')) };
}

const pence = (pounds: number) => Math.round(pounds * 100);

async function importAll(deps: Awaited<ReturnType<typeof testDeps>>, buyer: { name: string; postcode: string }, files: string[]) {
  const out: Array<[string, SpendImportSummary]> = [];
  for (const f of files) out.push([f, await importSpendFile(deps, { buyer, fileName: f.split('/').pop()!, bytes: readFileSync(f) })]);
  return out;
}

function reconcile(results: Array<[string, SpendImportSummary]>, amountColumns: string[]) {
  for (const [file, s] of results) {
    const own = fileTotal(file, amountColumns);
    expect(s.rows, file).toBe(own.rows);
    expect(s.imported + s.duplicates + s.quarantined, file).toBe(s.rows);
    expect(pence(s.total), file).toBe(own.pence);
    expect(pence(s.amount) + pence(s.duplicate_amount) + pence(s.quarantined_amount), file).toBe(own.pence);
    expect(s.reconciles, file).toBe(true);
  }
}

describe.skipIf(!present)('real council spend files (../shared/data/spend)', () => {
  it('Oxford City Council: all 17 quarterly files import and reconcile to the penny; loading them again changes nothing', { timeout: 600_000 }, async () => {
    const deps = await testDeps();
    const files = filesOf('oxford-city-council');
    expect(files).toHaveLength(17);
    const results = await importAll(deps, { name: 'Oxford City Council', postcode: 'OX1 1BX' }, files);
    reconcile(results, ['amount']);
    const rows = results.reduce((n, [, s]) => n + s.rows, 0);
    expect(rows).toBe(61_529);
    const imported = results.reduce((n, [, s]) => n + s.imported, 0);
    expect(await paymentTotals(deps.db, 'oxford city council')).toEqual({ payments: imported, pence: results.reduce((n, [, s]) => n + pence(s.amount), 0) });
    // Every quarantined line has its reason: lines with no payee, and the April–June 2014 file, whose dates are all "00:00:00".
    const reasons = await deps.db.selectFrom('spend_quarantine').select(['reason']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('reason').orderBy('reason').execute();
    expect(reasons.map((r) => [r.reason, Number(r.n)])).toEqual([
      ['no amount; no date; no payee', 1],
      ['no date: the date column reads "00:00:00", a time without a day', 3836],
      ['no payee', 200],
    ]);
    const before = await spendRows(deps.db);
    const again = await importAll(deps, { name: 'Oxford City Council', postcode: 'OX1 1BX' }, files);
    expect(again.every(([, s]) => s.imported === 0 && s.already_imported)).toBe(true);
    expect(await spendRows(deps.db)).toEqual(before);
  });

  it('Birmingham City Council purchase cards: all 44 monthly files import and reconcile; an identical file and overlapping months add nothing', { timeout: 600_000 }, async () => {
    const deps = await testDeps();
    const files = filesOf('birmingham-city-council-purchase-cards');
    expect(files).toHaveLength(44);
    const results = await importAll(deps, { name: 'Birmingham City Council', postcode: 'B1 1BB' }, files);
    reconcile(results, ['billing gross amt', 'original gross amt']);
    // The buyer's postcode places it down to its council area and combined authority, the levels a local share is read at.
    expect(await deps.db.selectFrom('spend_buyers').select(['lad', 'itl1', 'combined_authority']).executeTakeFirstOrThrow()).toEqual({ lad: 'E08000025', itl1: 'TLG', combined_authority: 'West Midlands Combined Authority' });
    expect(results.reduce((n, [, s]) => n + s.rows, 0)).toBe(185_908);
    expect(results.reduce((n, [, s]) => n + s.quarantined, 0)).toBe(0);
    // The May 2014 file is byte for byte the June one: every line of the second loaded is already stored.
    const [, may] = results.find(([f]) => f.endsWith('purchasecardtransactionsmay2014.csv'))!;
    expect(may).toMatchObject({ rows: 4573, imported: 0, duplicates: 4573, already_imported: true });
    // Identical card lines within one month are all kept: each file imports every line it does not share with earlier months.
    const within = results.filter(([f]) => !f.endsWith('may2014.csv')).reduce((n, [, s]) => n + s.duplicates, 0);
    expect(within).toBe(48);
    const sample = files.slice(0, 6);
    const before = await spendRows(deps.db);
    const again = await importAll(deps, { name: 'Birmingham City Council', postcode: 'B1 1BB' }, sample);
    expect(again.map(([, s]) => s.imported)).toEqual(sample.map(() => 0));
    expect(await spendRows(deps.db)).toEqual(before);
  });
});
