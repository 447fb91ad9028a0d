/**
 * The council's own files beside its spend: its supplier directory (vendor file: name, Companies House number,
 * postcode, SME and VCSE flags) and its mapping of expense codes to categories. Read through alias tables like
 * spend files, row by row, each bad row with its reason.
 */
import { normaliseCompanyNumber } from '../suppliers/index.js';
import { normalisePostcode } from '../geo/index.js';
import { codeKey, divisionOf } from './category.js';
import { mapColumns } from './headers.js';
import { normaliseName, payeeKind } from './payees.js';

export type DirectoryField = 'name' | 'vendor_id' | 'company_number' | 'postcode' | 'sme' | 'vcse' | 'size';

export const DIRECTORY_ALIASES: Record<DirectoryField, readonly string[]> = {
  name: ['supplier name', 'vendor name', 'name', 'supplier', 'vendor', 'creditor name', 'payee name', 'payee', 'trading name'],
  vendor_id: ['supplier id', 'vendor id', 'supplier number', 'vendor number', 'supplier code', 'vendor code', 'creditor number', 'id'],
  company_number: ['company number', 'companies house number', 'company registration number', 'company reg no', 'crn', 'registration number'],
  postcode: ['postcode', 'post code', 'supplier postcode', 'address postcode', 'zip'],
  sme: ['sme', 'is sme', 'sme flag', 'sme status', 'small or medium enterprise'],
  vcse: ['vcse', 'is vcse', 'vcse flag', 'vcs', 'charity', 'voluntary sector', 'third sector', 'social enterprise'],
  size: ['size', 'company size', 'supplier size', 'business size', 'scale'],
};

const TRUE = new Set(['y', 'yes', 'true', '1', 'x', 'sme', 'vcse', 'charity']);
const FALSE = new Set(['n', 'no', 'false', '0', 'large', 'non sme', 'not sme']);

/** A yes/no cell: `Y`, `Yes`, `TRUE`, `1`, `x` / `N`, `No`, `0`; blank or anything else is not known. */
export function readFlag(raw: string | undefined): boolean | null {
  const t = (raw ?? '').trim().toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').trim();
  if (!t) return null;
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return null;
}

/** A size band: micro, small and medium are SMEs; large is not. */
function sizeFlag(raw: string | undefined): boolean | null {
  const t = (raw ?? '').trim().toLowerCase();
  if (/^(micro|small|medium|sme)\b/.test(t)) return true;
  if (/^large\b/.test(t)) return false;
  return null;
}

export interface DirectoryEntry {
  entryKey: string;
  name: string;
  vendorId: string | null;
  companyNumber: string | null;
  postcode: string | null;
  sme: boolean | null;
  vcse: boolean | null;
}

export type DirectoryHeader = { ok: true; columns: Partial<Record<DirectoryField, number>> } | { ok: false; message: string };

export function mapDirectoryHeader(header: string[]): DirectoryHeader {
  const { columns } = mapColumns(header, DIRECTORY_ALIASES);
  if (columns.name === undefined) {
    return { ok: false, message: `the directory's columns are ${header.filter(Boolean).map((h) => JSON.stringify(h)).join(', ') || 'none'}; no column gives the supplier's name (looked for "supplier name", "vendor name", "name"…)` };
  }
  return { ok: true, columns };
}

export function readDirectoryRow(cells: readonly string[], columns: Partial<Record<DirectoryField, number>>): { ok: true; entry: DirectoryEntry } | { ok: false; reason: string } {
  const get = (f: DirectoryField) => {
    const i = columns[f];
    const v = i === undefined ? '' : (cells[i] ?? '').replace(/\s+/g, ' ').trim();
    return v || undefined;
  };
  const name = get('name');
  if (!name) return { ok: false, reason: 'no supplier name' };
  const entryKey = normaliseName(name);
  if (!entryKey) return { ok: false, reason: `the name ${JSON.stringify(name)} has no letters or digits` };
  const rawNumber = get('company_number');
  const companyNumber = rawNumber ? normaliseCompanyNumber(rawNumber.replace(/^'/, '')) : null;
  const rawPostcode = get('postcode');
  const postcode = rawPostcode ? normalisePostcode(rawPostcode) : null;
  const vcse = readFlag(get('vcse')) ?? (payeeKind(name) === 'vcse' ? true : null);
  return {
    ok: true,
    entry: { entryKey, name, vendorId: get('vendor_id') ?? null, companyNumber, postcode, sme: readFlag(get('sme')) ?? sizeFlag(get('size')), vcse },
  };
}

export type CategoryField = 'code' | 'category';
export const CATEGORY_ALIASES: Record<CategoryField, readonly string[]> = {
  code: ['expense code', 'expenditure code', 'account code', 'subjective code', 'nominal code', 'code', 'expense type', 'expenditure category', 'expense category', 'subjective'],
  category: ['cpv division', 'cpv code', 'cpv', 'category', 'division', 'procurement category'],
};

export function readCategoryRow(cells: readonly string[], columns: Partial<Record<CategoryField, number>>): { ok: true; codeKey: string; code: string; category: string } | { ok: false; reason: string } {
  const code = (cells[columns.code ?? -1] ?? '').trim();
  const raw = (cells[columns.category ?? -1] ?? '').trim();
  if (!code) return { ok: false, reason: 'no expense code' };
  if (!codeKey(code)) return { ok: false, reason: `the expense code ${JSON.stringify(code)} has no letters or digits` };
  const category = divisionOf(raw);
  if (!category) return { ok: false, reason: `${JSON.stringify(raw)} is not a CPV code or division (such as 72 or 72000000-5)` };
  return { ok: true, codeKey: codeKey(code), code, category };
}
