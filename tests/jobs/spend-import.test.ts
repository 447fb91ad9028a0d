import { describe, expect, it } from 'vitest';
import { paymentsOfFile, paymentTotals, quarantineOfFile, rebuildRollups } from '../../db/queries/spend.js';
import { importSpendFile, SpendImportError } from '../../jobs/spend-import.js';
import { STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { BIRMINGHAM_HEADER, BIRMINGHAM_LINES, columnPence, csvBytes, OXFORD_HEADER, OXFORD_LINES, rollupSums, spendRows, windows1252Bytes, workbookBytes } from '../support/spend-fixtures.js';

const OXFORD = { name: 'Oxford City Council', postcode: 'OX1 1BX' };

/** The rollups' total, after checking that the quarterly, period and class rollups all say the same as the lines. */
async function rollupTotal(db: Awaited<ReturnType<typeof testDeps>>['db'], buyerId: string) {
  const sums = await rollupSums(db, buyerId);
  expect(sums.spend_rollup_payees).toEqual(sums.spend_rollup);
  expect(sums.spend_rollup_classes).toEqual(sums.spend_rollup);
  expect(sums.spend_rollup_class_categories).toEqual(sums.spend_rollup);
  expect(sums.lines).toEqual(sums.spend_rollup);
  return sums.spend_rollup;
}

describe.each(STORE_ENGINES)('spend import on %s', (_engine, makeDb) => {
  const open = storesPerTest(makeDb);

  it('keeps every row with its file, line and raw cells or quarantines it with its reason, and reconciles to the penny', async () => {
    const deps = await testDeps({ db: await open() });
    const bytes = csvBytes([OXFORD_HEADER, ...OXFORD_LINES], '\r\n', true);
    const s = await importSpendFile(deps, { buyer: OXFORD, fileName: 'oxford.csv', bytes });
    expect(s).toMatchObject({ format: 'csv', encoding: 'utf-8-bom', rows: 7, imported: 6, duplicates: 0, quarantined: 1, reconciles: true });
    const fileTotal = columnPence(OXFORD_LINES.map((l) => l.match(/,(-?[\d.]+|"[\d,.]+"),Revenue/)![1].replace(/"/g, '')));
    expect(Math.round(s.total * 100)).toBe(fileTotal);
    expect(Math.round(s.amount * 100) + Math.round(s.quarantined_amount * 100)).toBe(fileTotal);
    const stored = await paymentsOfFile(deps.db, 'oxford city council', s.file_id);
    expect(stored.map((p) => [p.line, p.payee_name, p.amount_pence])).toEqual([
      [2, 'ATKINS LIMITED', 20000],
      [3, 'LINCOLN COLLEGE', 352898],
      [4, 'HMRC', 815190],
      [5, 'GRAFTON MERCHANTING GB LTD', 123456],
      [6, 'GRAFTON MERCHANTING GB LTD', 123456],
      [8, 'Redacted personal data', 60000],
    ]);
    // Two identical payments on one day in one file: both kept, as occurrences 1 and 2.
    expect(stored.filter((p) => p.line === 5 || p.line === 6).map((p) => p.payment_key)).toEqual(['2017-05-03|grafton merchanting gb|123456|10369011|1', '2017-05-03|grafton merchanting gb|123456|10369011|2']);
    expect(JSON.parse(stored[2].raw)).toEqual(OXFORD_LINES[2].split(','));
    expect(stored.find((p) => p.payee_name === 'HMRC')).toMatchObject({ exclusion: 'tax', quarter: '2017Q1' });
    expect(await quarantineOfFile(deps.db, 'oxford city council', s.file_id)).toEqual([
      expect.objectContaining({ line: 7, reason: 'no payee', amount_pence: -1, raw: JSON.stringify(['General Fund', 'Difference A/c', 'Z910198', '03/05/2017', '1036863 - 4', '-0.01', 'Revenue', '', '']) }),
    ]);
    expect(await rollupTotal(deps.db, 'oxford city council')).toEqual({ pence: Math.round(s.amount * 100), payments: 6 });
    const file = await deps.db.selectFrom('spend_files').selectAll().executeTakeFirstOrThrow();
    expect(file).toMatchObject({ status: 'done', rows_read: 7, imported: 6, quarantined: 1, first_paid_on: '2015-07-14', last_paid_on: '2017-05-03' });
  });

  it('adds nothing when the same file is loaded again', async () => {
    const deps = await testDeps({ db: await open() });
    const bytes = csvBytes([OXFORD_HEADER, ...OXFORD_LINES]);
    await importSpendFile(deps, { buyer: OXFORD, fileName: 'oxford.csv', bytes });
    const before = await spendRows(deps.db);
    deps.clock.advance(86_400_000);
    const again = await importSpendFile(deps, { buyer: OXFORD, fileName: 'oxford-again.csv', bytes });
    expect(again).toMatchObject({ rows: 7, imported: 0, duplicates: 6, quarantined: 1, amount: 0, already_imported: true, reconciles: true });
    expect(await spendRows(deps.db)).toEqual(before);
  });

  it('adds only what is new from a quarterly file over its monthly files', async () => {
    const deps = await testDeps({ db: await open() });
    const [fuel1, fuel2, fuel3] = BIRMINGHAM_LINES;
    const buyer = { name: 'Birmingham City Council', region: 'TLG31' };
    // June holds the same fuel purchase twice on one card; the quarter holds it three times (one was late).
    await importSpendFile(deps, { buyer, fileName: 'june.csv', bytes: csvBytes([BIRMINGHAM_HEADER, fuel2, fuel2, fuel3], '\n') });
    await importSpendFile(deps, { buyer, fileName: 'july.csv', bytes: csvBytes([BIRMINGHAM_HEADER, fuel1], '\n') });
    const quarter = await importSpendFile(deps, { buyer, fileName: 'q2.csv', bytes: csvBytes([BIRMINGHAM_HEADER, fuel1, fuel2, fuel2, fuel2, fuel3], '\n') });
    expect(quarter).toMatchObject({ rows: 5, imported: 1, duplicates: 4, amount: 77.49, reconciles: true });
    expect(await paymentTotals(deps.db, 'birmingham city council')).toEqual({ payments: 5, pence: 5999 + 4 * 0 + 7749 * 3 + 4866 });
    expect(await rollupTotal(deps.db, 'birmingham city council')).toEqual({ pence: 5999 + 7749 * 3 + 4866, payments: 5 });
  });

  it('reads Windows-1252 with CR-only line ends, and a quoted field holding a line break', async () => {
    const deps = await testDeps({ db: await open() });
    const bytes = windows1252Bytes([
      'Date Paid,Supplier,Net Amount(£),Description',
      '05/04/2016,Café Nero Ltd,£1,234.50,"Refreshments, Town Hall"',
      '06/04/2016,Jones & Reeves,(120.00),"Credit note\rfor March"',
    ]);
    const s = await importSpendFile(deps, { buyer: OXFORD, fileName: 'latin.csv', bytes });
    expect(s).toMatchObject({ encoding: 'windows-1252', rows: 2, imported: 1, quarantined: 1 });
    const [p] = await paymentsOfFile(deps.db, 'oxford city council', s.file_id);
    expect(p).toMatchObject({ payee_name: 'Jones & Reeves', amount_pence: -12000, description: 'Credit note for March' });
    // `£1,234.50` unquoted in a comma file splits the amount; the row is quarantined with what it held.
    const [q] = await quarantineOfFile(deps.db, 'oxford city council', s.file_id);
    expect(q).toMatchObject({ line: 2, reason: 'the row has 5 filled columns where the header has 4: a comma inside an unquoted value (such as £1,234.50) has shifted its columns' });
    expect(JSON.parse(q.raw)[1]).toBe('Café Nero Ltd');
  });

  it('reads XLSX and ODS workbooks, date cells and number cells, as the same payments as the CSV', async () => {
    const deps = await testDeps({ db: await open() });
    const rows = [
      ['Oxford City Council spend over £500'],
      [],
      ['Paid Date', 'Supplier Name', 'Amount', 'Trans No', 'Expenditure Category'],
      [new Date(Date.UTC(2017, 1, 7)), 'ATKINS LIMITED', 200, '1034526 - 2', 'VAT Pro Forma Invoices'],
      [new Date(Date.UTC(2017, 0, 6)), 'LINCOLN COLLEGE', 3528.98, '46292163 - 1', 'AR Refunds (Sundries & Periodics)'],
    ];
    const xlsx = await importSpendFile(deps, { buyer: OXFORD, fileName: 'spend.xlsx', bytes: workbookBytes(rows, 'xlsx') });
    expect(xlsx).toMatchObject({ format: 'xlsx', rows: 2, imported: 2, blank: 1, amount: 3728.98, first_paid_on: '2017-01-06', last_paid_on: '2017-02-07' });
    const ods = await importSpendFile(deps, { buyer: OXFORD, fileName: 'spend.ods', bytes: workbookBytes(rows, 'ods') });
    expect(ods).toMatchObject({ format: 'ods', rows: 2, imported: 0, duplicates: 2 });
    const csv = await importSpendFile(deps, { buyer: OXFORD, fileName: 'spend.csv', bytes: csvBytes([OXFORD_HEADER, OXFORD_LINES[0], OXFORD_LINES[1]]) });
    expect(csv).toMatchObject({ imported: 0, duplicates: 2 });
  });

  it('stores the same when a reading thread reads the file while this one writes', async () => {
    const lines = [OXFORD_HEADER, ...Array.from({ length: 30 }, (_, i) => OXFORD_LINES.map((l) => l.replace(/,(\d{2})\/(\d{2})\/(\d{4}),/, (_m, d, mo, y) => `,${d}/${mo}/${Number(y) + (i % 3)},`))).flat()];
    const bytes = csvBytes(lines);
    const here = await testDeps({ db: await open() });
    const there = await testDeps({ db: await open() });
    const a = await importSpendFile(here, { buyer: OXFORD, fileName: 'f.csv', bytes, workers: 0, batchSize: 17 });
    const b = await importSpendFile(there, { buyer: OXFORD, fileName: 'f.csv', bytes, workers: 1, batchSize: 17 });
    expect(a.reading_thread).toBe(false);
    expect(b.reading_thread).toBe(true);
    expect({ ...b, reading_thread: false }).toEqual(a);
    expect(await spendRows(there.db)).toEqual(await spendRows(here.db));
    const bad = await importSpendFile(there, { buyer: OXFORD, fileName: 'odd.csv', bytes: csvBytes(['Date,Value', '05/04/2016,100']), workers: 1 }).catch((e) => e);
    expect(bad).toBeInstanceOf(SpendImportError);
  });

  it('names the columns a file has and the one it lacks, and writes nothing', async () => {
    const deps = await testDeps({ db: await open() });
    const bytes = csvBytes(['Date,Value,Description', '05/04/2016,100,Stationery']);
    const err = await importSpendFile(deps, { buyer: OXFORD, fileName: 'odd.csv', bytes }).catch((e) => e);
    expect(err).toBeInstanceOf(SpendImportError);
    expect(err.message).toBe(
      'odd.csv: the file\'s columns are "Date", "Value", "Description"; no column gives the payee (looked for "supplier name", "supplier", "payee name", "payee", "merchant name", "merchant", "vendor name", "vendor"…)',
    );
    expect((await spendRows(deps.db)).spend_payments).toEqual([]);
    expect((await spendRows(deps.db)).spend_files).toEqual([]);
  });

  it('rebuilds the rollups of a buyer whose import stopped part-way', async () => {
    const deps = await testDeps({ db: await open() });
    const first = await importSpendFile(deps, { buyer: OXFORD, fileName: 'a.csv', bytes: csvBytes([OXFORD_HEADER, ...OXFORD_LINES]) });
    // As a crash on D1 leaves it: lines stored, their rollups not, the file still importing.
    await deps.db.deleteFrom('spend_rollup').execute();
    await deps.db.deleteFrom('spend_rollup_payees').execute();
    await deps.db.deleteFrom('spend_rollup_classes').execute();
    await deps.db.deleteFrom('spend_rollup_class_categories').execute();
    await deps.db.updateTable('spend_files').set({ status: 'importing' }).execute();
    const next = await importSpendFile(deps, { buyer: OXFORD, fileName: 'b.csv', bytes: csvBytes([BIRMINGHAM_HEADER, BIRMINGHAM_LINES[0]]) });
    expect(next).toMatchObject({ imported: 1, rollups_rebuilt: true });
    expect(await rollupTotal(deps.db, 'oxford city council')).toEqual({ pence: Math.round(first.amount * 100) + 5999, payments: 7 });
    expect(await rebuildRollups(deps.db, 'oxford city council')).toBeGreaterThan(0);
    expect(await rollupTotal(deps.db, 'oxford city council')).toEqual({ pence: Math.round(first.amount * 100) + 5999, payments: 7 });
  });
});
