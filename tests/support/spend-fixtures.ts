import { sql } from 'kysely';
import iconv from 'iconv-lite';
import * as SheetJS from 'xlsx';

// Node loads SheetJS's CommonJS build, whose functions sit on its default export; bundlers load its ES module build.
const XLSX = ((SheetJS as unknown as { default?: typeof SheetJS }).default ?? SheetJS) as typeof SheetJS;
import type { Db } from '../../db/client.js';
import type { NewSupplierRow } from '../../db/schema.suppliers.js';

/** Lines copied from the shared Oxford City Council files (2017 layout), the header as published. */
export const OXFORD_HEADER = 'Service Area,Expenditure Catergory,Expenditure Code,Paid Date,Trans No,Amount,Type of Expenditure,Supplier ID,Supplier Name';
export const OXFORD_LINES = [
  'General Fund,VAT Pro Forma Invoices,Z110205,07/02/2017,1034526 - 2,200.00,Revenue,20013684,ATKINS LIMITED',
  'General Fund,AR Refunds (Sundries & Periodics),Z400404,06/01/2017,46292163 - 1,3528.98,Revenue,36721787,LINCOLN COLLEGE',
  'General Fund,C.I.T.Awaiting Payment,Z970590,19/04/2017,46293406 - 1,8151.9,Revenue,20016580,HMRC',
  'Direct Services,Materials,B1501,03/05/2017,1036901 - 1,"1,234.56",Revenue,20000001,GRAFTON MERCHANTING GB LTD',
  'Direct Services,Materials,B1501,03/05/2017,1036901 - 1,"1,234.56",Revenue,20000001,GRAFTON MERCHANTING GB LTD',
  'General Fund,Difference A/c,Z910198,03/05/2017,1036863 - 4,-0.01,Revenue,,',
  'Community Services,Grants,D3701,14/07/2015,46286491_1,600.00,Revenue,20000000_46286491,Redacted personal data',
];

/** Lines from the shared Birmingham purchase-card files (2014 layout). */
export const BIRMINGHAM_HEADER = 'TRANS DATE,TRANS VAT DESC,ORIGINAL GROSS AMT,MERCHANT NAME,CARD NUMBER,BILLING CUR CODE,TRANS CAC CODE 1,TRANS CAC DESC 1,TRANS CAC CODE 2,TRANS CAC DESC 2,TRANS CAC CODE 3,Directorate';
export const BIRMINGHAM_LINES = [
  '01/07/14,VR,59.99,shell kings 587,************5770,GBP,K020,Vehicle Fuel,RV12N,African-Caribbean DC,A00,Adult & Communities',
  '10/06/14,VR,77.49,shell kings 587,************5770,GBP,K020,Vehicle Fuel,RV12N,African-Caribbean DC,A00,Adult & Communities',
  '27/06/14,VR,48.66,acocks green 224,************8143,GBP,K020,Vehicle Fuel,RV14R,Mobile Night Care Service,A00,Adult & Communities',
];

export const csvBytes = (lines: string[], eol = '\r\n', bom = false): Uint8Array => Buffer.from((bom ? '\uFEFF' : '') + lines.join(eol) + eol, 'utf8');
export const windows1252Bytes = (lines: string[], eol = '\r'): Uint8Array => iconv.encode(lines.join(eol) + eol, 'win1252');

/** A workbook of rows (first row the header) with real date cells and number cells, as XLSX or ODS. */
export function workbookBytes(rows: unknown[][], bookType: 'xlsx' | 'ods', sheetName = 'Spend'): Uint8Array {
  const sheet = XLSX.utils.aoa_to_sheet(rows, { cellDates: true, dateNF: 'dd/mm/yyyy' });
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, sheetName);
  return new Uint8Array(XLSX.write(book, { type: 'buffer', bookType }) as Buffer);
}

/** The sum of a file's amount column in pence, read with plain string arithmetic (no code of the importer). */
export function columnPence(values: string[]): number {
  let total = 0;
  for (const v of values) {
    const m = /^(-)?£?([\d,]+)(?:\.(\d{1,2}))?$/.exec(v.trim());
    if (!m) continue;
    const pence = Number(m[2].replace(/,/g, '')) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
    total += m[1] ? -pence : pence;
  }
  return total;
}

export const SPEND_TABLES = ['spend_buyers', 'spend_files', 'spend_payments', 'spend_quarantine', 'spend_rollup', 'spend_rollup_payees', 'spend_rollup_classes', 'spend_rollup_class_categories', 'spend_payees', 'spend_corrections', 'spend_directory', 'spend_categories'] as const;
const RUN_TIME = /"(updated_at|started_at|finished_at|quarantined_at|resolved_at|imported_at)":"[^"]*"/g;

/** Every row of the spend tables as sorted JSON text, run times blanked. */
export async function spendRows(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of SPEND_TABLES) {
    const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db);
    out[table] = result.rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)).replace(RUN_TIME, '"$1":"-"')).sort();
  }
  return out;
}

/** A registered supplier row with only what spend resolution and leakage read. */
export function supplierRow(id: string, name: string, more: Partial<NewSupplierRow> = {}): NewSupplierRow {
  return {
    id, name, kind: 'small', company_number: null, postcode: null, home_region: null, serves: '[]', national: 0, cpv_codes: '[]', description: null,
    keywords: '[]', max_contract_value: null, turnover_band: null, staff_band: null, certifications: '[]', contact_email: null, key_hash: 'h',
    growth: null, high_potential_derived: 0, high_potential_override: null, created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z', ...more,
  };
}

/** The sums of a buyer's payment lines and of each of its three rollups: all four must agree. */
export async function rollupSums(db: Db, buyerId: string) {
  const out: Record<string, { pence: number; payments: number }> = {};
  const lines = await sql<{ pence: unknown; n: unknown }>`SELECT SUM(amount_pence) AS pence, COUNT(*) AS n FROM spend_payments WHERE buyer_id = ${buyerId}`.execute(db);
  out.lines = { pence: Number(lines.rows[0].pence ?? 0), payments: Number(lines.rows[0].n) };
  for (const table of ['spend_rollup', 'spend_rollup_payees', 'spend_rollup_classes', 'spend_rollup_class_categories']) {
    const r = await sql<{ pence: unknown; n: unknown }>`SELECT SUM(amount_pence) AS pence, SUM(payments) AS n FROM ${sql.table(table)} WHERE buyer_id = ${buyerId}`.execute(db);
    out[table] = { pence: Number(r.rows[0].pence ?? 0), payments: Number(r.rows[0].n ?? 0) };
  }
  return out;
}
