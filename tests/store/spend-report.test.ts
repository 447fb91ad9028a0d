import { describe, expect, it } from 'vitest';
import { putBuyer, loadSpendCells, rebuildClassRollup, toBuyerArea, getBuyer } from '../../db/queries/spend.js';
import { loadLocalSuppliers, loadPayeeFacts, putPayeeFacts, listPayeeRows, factsOfRow } from '../../db/queries/spend-payees.js';
import { insertSupplier } from '../../db/queries/suppliers.js';
import { putPlace } from '../../db/queries/places.js';
import { importSpendFile } from '../../jobs/spend-import.js';
import { computeReport } from '../../src/domain/spend/report.js';
import { buildReport, readReportQuery } from '../../src/spend-report.js';
import { STORE_ENGINES, storesPerTest, testDeps } from '../support/helpers.js';
import { csvBytes, supplierRow } from '../support/spend-fixtures.js';

const WMCA = 'West Midlands Combined Authority';
const place = (lad: string | null, itl3: string | null, itl1: string | null, ca: string | null = null) => ({ lad, itl3, itl1, combinedAuthority: ca, uk: true });
// Payee names from the shared Birmingham card files; places set directly, as geo's postcode lookup will give them.
const PAYEES: Record<string, ReturnType<typeof place> | null> = {
  'screwfix direct': place('E08000025', 'TLG31', 'TLG', WMCA),
  'argos ltd': place('E08000026', 'TLG33', 'TLG', WMCA),
  'travelodge gb0000': place('E09000033', 'TLI32', 'TLI'),
  'premier inn': place('E06000060', 'TLJ13', 'TLJ'),
  'the book people': place(null, null, 'TLG'),
  'west coast trains': place('E08000003', 'TLD33', 'TLD', 'Greater Manchester Combined Authority'),
  'asda superstore': null,
};
const LINES = [
  'TRANS DATE,ORIGINAL GROSS AMT,MERCHANT NAME,CARD NUMBER,TRANS CAC CODE 1,TRANS CAC DESC 1',
  '02/04/15,120.00,screwfix direct,************5770,K020,Tools',
  '03/04/15,80.00,argos ltd,************5770,K020,Equip Operational',
  '04/05/15,400.00,travelodge gb0000,************8143,K020,Hotel accommodation',
  '05/07/15,250.00,premier inn,************8143,K020,Hotel accommodation',
  '06/07/15,75.50,the book people,************8143,K020,Books',
  '07/10/15,310.00,west coast trains,************8143,K020,Travel Bus/Rail',
  '08/10/15,45.00,asda superstore,************8143,K020,Purchases Food',
  '09/01/16,99.99,travelodge gb0000,************5770,K020,Hotel accommodation',
  '09/01/16,1500.00,Solihull Metropolitan Borough Council,************5770,K020,Other Third Parties',
];

describe.each(STORE_ENGINES)('a report read from rollups on %s', (_engine, makeDb) => {
  const open = storesPerTest(makeDb);

  it('is the report computed from every payee cell, for a place, a period and a short list', async () => {
    const deps = await testDeps({ db: await open() });
    await importSpendFile(deps, { buyer: { name: 'Birmingham City Council' }, fileName: 'cards.csv', bytes: csvBytes(LINES) });
    const stored = (await getBuyer(deps.db, 'birmingham city council'))!;
    await putBuyer(deps.db, { ...stored, lad: 'E08000025', lad_name: 'Birmingham', itl3: 'TLG31', itl1: 'TLG', combined_authority: WMCA });
    const rows = await listPayeeRows(deps.db, 'birmingham city council');
    await putPayeeFacts(
      deps.db,
      'birmingham city council',
      rows.map((r) => {
        const p = PAYEES[r.payee_key];
        const f = factsOfRow(r);
        if (r.payee_key.includes('council')) return { ...f, source: 'directory', supplierRef: 'solihull', supplierName: r.name, method: 'exact', confidence: 1, place: place('E08000029', 'TLG32', 'TLG', WMCA) };
        return p ? { ...f, source: 'directory', supplierRef: r.payee_key, supplierName: r.name.toUpperCase(), method: 'exact', confidence: 1, place: p, sme: r.payee_key.length % 2 === 0 } : f;
      }),
      deps.clock.now().toISOString(),
    );
    await rebuildClassRollup(deps.db, 'birmingham city council');
    await insertSupplier(deps.db, supplierRow('s-1', 'Digbeth Hotels Co-operative', { kind: 'cooperative', home_region: 'TLG31', cpv_codes: '["55110000"]' }));
    await insertSupplier(deps.db, supplierRow('s-2', 'Aston Rail Services', { home_region: 'TLG31', cpv_codes: '["60100000"]' }));
    // Categories as a council's mapping would give them: hotels (55) and rail (60), where the local firms work.
    await deps.db.updateTable('spend_payments').set({ category: '55000000', category_method: 'mapping' }).where('expense_type', '=', 'Hotel accommodation').execute();
    await deps.db.updateTable('spend_payments').set({ category: '60000000', category_method: 'mapping' }).where('expense_type', '=', 'Travel Bus/Rail').execute();
    const { rebuildRollups } = await import('../../db/queries/spend.js');
    await rebuildRollups(deps.db, 'birmingham city council');

    await putPlace(deps.db, { name: WMCA, codes: ['TLG31', 'TLG32', 'TLG33', 'TLG36', 'TLG37', 'TLG38', 'TLG39'], description: null }, deps.clock.now().toISOString());
    const named = { name: WMCA, codes: ['TLG31', 'TLG32', 'TLG33', 'TLG36', 'TLG37', 'TLG38', 'TLG39'], combinedAuthority: null };
    const buyers = [toBuyerArea((await getBuyer(deps.db, 'birmingham city council'))!)];
    const direct = async (from: string | null, to: string | null, options: Parameters<typeof computeReport>[3]) =>
      computeReport(await loadSpendCells(deps.db, ['birmingham city council'], from, to), await loadPayeeFacts(deps.db, ['birmingham city council']), buyers, {
        localSuppliers: await loadLocalSuppliers(deps.db),
        ...options,
      });
    for (const [params, from, to, options] of [
      [{ buyer: 'Birmingham City Council', top: '2' }, null, null, { topSuppliers: 2, topLeaks: 2 }],
      [{ place: WMCA, top: '1' }, null, null, { topSuppliers: 1, topLeaks: 1, place: named }],
      [{ buyer: 'Birmingham City Council', from: '2015-07-01', to: '2015Q4', include: 'public_body' }, '2015Q2', '2015Q4', { exclude: ['payroll', 'tax'] as const }],
    ] as const) {
      const { query } = readReportQuery(params as Record<string, string>);
      const fromStore = (await buildReport(deps.db, query)).report;
      expect(fromStore).toEqual(await direct(from, to, { ...options, exclude: 'exclude' in options ? options.exclude : undefined }));
    }
    const r = (await buildReport(deps.db, readReportQuery({ place: WMCA, top: '2' }).query)).report;
    expect(r.top_suppliers.map((s) => s.supplier)).toEqual(['TRAVELODGE GB0000', 'WEST COAST TRAINS']);
    expect(r.leakage).toMatchObject({ level: 'named_place', addressable: 1059.99, categories: [{ category: '55000000', suppliers: 2 }, { category: '60000000', suppliers: 1 }] });
    expect(r.excluded.public_body).toBe(1500);
  });
});
