import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { insertSupplier } from '../../db/queries/suppliers.js';
import { listPayeeRows, saveCorrection } from '../../db/queries/spend-payees.js';
import { rebuildClassRollup } from '../../db/queries/spend.js';
import { importDirectoryFile } from '../../jobs/spend-directory.js';
import { importSpendFile } from '../../jobs/spend-import.js';
import { resolvePayees } from '../../jobs/spend-resolve.js';
import { cfAward } from '../support/fixtures/releases.js';
import { STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { csvBytes, supplierRow } from '../support/spend-fixtures.js';

const OXFORD = { name: 'Oxford City Council', postcode: 'OX1 1BX' };
const HEADER = 'Paid Date,Trans No,Amount,Expenditure Category,Supplier Name';
const SPEND = [
  HEADER,
  '05/04/2016,1,1200.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
  '05/04/2016,2,44341.25,Software Purchase,BYTES SOFTWARE SERVICES LTD',
  '06/04/2016,3,2500.00,Materials,GRAFTON MERCHANTING GB LTD',
  '07/04/2016,4,300.00,Software Maintenance/Running Costs,Bytes Softwre Services Ltd',
  '08/04/2016,5,650.00,Grants-Private Persons,Redacted personal data',
  '09/04/2016,6,59.99,Vehicle Fuel,shell kings 587',
];

async function store(deps: Awaited<ReturnType<typeof testDeps>>) {
  await insertSupplier(deps.db, supplierRow('s-safety', 'Oxford Safety Supplies Ltd', { postcode: 'OX2 0ES', home_region: 'TLJ14', cpv_codes: '["18100000"]' }));
  await storeReleases(deps.db, 'cf', [{ raw: JSON.stringify(cfAward(1)), value: cfAward(1) }], '2026-11-01T00:00:00.000Z');
  await importDirectoryFile(deps, { buyer: OXFORD, fileName: 'vendors.csv', bytes: csvBytes(['Vendor Name,Vendor ID,Post Code,SME,Charity', 'Grafton Merchanting GB Limited,V100,OX4 6LB,N,', 'Oxford Homeless Pathways,V200,OX1 1RA,Y,Y']) });
}

const resolution = async (deps: Awaited<ReturnType<typeof testDeps>>) =>
  Object.fromEntries((await listPayeeRows(deps.db, 'oxford city council')).map((r) => [r.payee_key, [r.source, r.method, r.confidence === 1 ? 1 : 'fuzzy', r.postcode, r.itl1, r.sme]]));

describe.each(STORE_ENGINES)('payee resolution on %s', (_engine, makeDb) => {
  const open = storesPerTest(makeDb);

  it('resolves in order registry, award suppliers, directory, exact before fuzzy, keeping method and confidence', async () => {
    const deps = await testDeps({ db: await open() });
    await store(deps);
    const s = await importSpendFile(deps, { buyer: OXFORD, fileName: 'april.csv', bytes: csvBytes(SPEND) });
    expect(s).toMatchObject({ imported: 6, payees_new: 6, payees_resolved: 4 });
    expect(await resolution(deps)).toEqual({
      'oxford safety supplies': ['registry', 'exact', 1, 'OX2 0ES', 'TLJ', 1],
      'bytes software services': ['award', 'exact', 1, 'KT22 7TW', 'TLJ', 0],
      'grafton merchanting gb': ['directory', 'exact', 1, 'OX4 6LB', 'TLJ', 0],
      'bytes softwre services': ['award', 'fuzzy', 'fuzzy', 'KT22 7TW', 'TLJ', 0],
      'redacted personal data': [null, 'individual', 'fuzzy', null, null, null],
      'shell kings 587': [null, 'none', 'fuzzy', null, null, null],
    });
  });

  it('keeps an analyst’s corrections across imports and resolutions', async () => {
    const deps = await testDeps({ db: await open() });
    await store(deps);
    await importSpendFile(deps, { buyer: OXFORD, fileName: 'april.csv', bytes: csvBytes(SPEND) });
    const now = deps.clock.now().toISOString();
    const base = { supplierName: null, postcode: null, sme: null, vcse: null, note: null, source: null, supplierRef: null };
    expect(await saveCorrection(deps.db, 'oxford city council', 'bytes softwre services', { ...base, action: 'confirm' }, now)).toMatchObject({ ok: true, facts: { method: 'analyst', confidence: 1, source: 'award' } });
    expect(await saveCorrection(deps.db, 'oxford city council', 'shell kings 587', { ...base, action: 'correct', supplierName: 'Shell Kings Norton', postcode: 'B38 8SE', sme: false }, now)).toMatchObject({ ok: true, facts: { source: 'analyst', place: { itl1: 'TLG' } } });
    expect(await saveCorrection(deps.db, 'oxford city council', 'grafton merchanting gb', { ...base, action: 'correct', source: 'registry', supplierRef: 's-nobody' }, now)).toMatchObject({ ok: false, problem: 'unknown_supplier' });
    expect(await saveCorrection(deps.db, 'oxford city council', 'no such payee', { ...base, action: 'confirm' }, now)).toMatchObject({ ok: false, problem: 'unknown_payee' });
    const corrected = await resolution(deps);
    // Each correction moved its payee's sums between payee classes: the same as summing them all again.
    const classes = async () => (await deps.db.selectFrom('spend_rollup_classes').selectAll().orderBy('quarter').orderBy('exclusion').orderBy('payee_class').execute()).map((r) => ({ ...r, amount_pence: Number(r.amount_pence), payments: Number(r.payments) }));
    const byCategory = async () => (await deps.db.selectFrom('spend_rollup_class_categories').selectAll().orderBy('category').orderBy('exclusion').orderBy('payee_class').execute()).map((r) => ({ ...r, amount_pence: Number(r.amount_pence), payments: Number(r.payments) }));
    const moved = [await classes(), await byCategory()];
    await rebuildClassRollup(deps.db, 'oxford city council');
    expect([await classes(), await byCategory()]).toEqual(moved);
    await importSpendFile(deps, { buyer: OXFORD, fileName: 'april-again.csv', bytes: csvBytes([...SPEND, '10/04/2016,7,70.00,Vehicle Fuel,shell kings 587']) });
    const summary = await resolvePayees(deps, 'oxford city council');
    expect(summary).toMatchObject({ payees: 6, resolved: 5, individuals: 1, unresolved: 0, corrected: 2, candidates: { registry: 1, award: 1, directory: 2 } });
    expect(await resolution(deps)).toEqual(corrected);
    expect(corrected['shell kings 587']).toEqual(['analyst', 'analyst', 1, 'B38 8SE', 'TLG', 0]);
    expect(corrected['bytes softwre services']).toEqual(['award', 'analyst', 1, 'KT22 7TW', 'TLJ', 0]);
  });

  it('resolves every payee again when the directory changes', async () => {
    const deps = await testDeps({ db: await open() });
    await importSpendFile(deps, { buyer: OXFORD, fileName: 'april.csv', bytes: csvBytes(SPEND) });
    expect((await resolution(deps))['grafton merchanting gb'][0]).toBeNull();
    const d = await importDirectoryFile(deps, { buyer: OXFORD, fileName: 'vendors.csv', bytes: csvBytes(['Supplier Name,Postcode,SME', 'GRAFTON MERCHANTING GB LTD,OX4 6LB,No', ',OX1 1AA,Y', 'Nowhere Ltd,not a postcode,maybe']) });
    expect(d).toMatchObject({ rows: 3, loaded: 2, rejected: 1, rejections: [{ line: 3, reason: 'no supplier name' }], resolution: { resolved: 1 } });
    expect((await resolution(deps))['grafton merchanting gb']).toEqual(['directory', 'exact', 1, 'OX4 6LB', 'TLJ', 0]);
  });
});
