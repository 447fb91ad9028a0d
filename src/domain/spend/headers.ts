/**
 * Column headers of council spend files mapped to the fields the importer reads, through one table of
 * aliases. Headers drift between councils and from month to month (`Supplier Name`, `supplier_name`,
 * `Supplier Name ` with a trailing space, `MERCHANT NAME`, `Net Amount(£)`, `Catergory`, Oxford's
 * `Organisatonal Unit`), so a header is squashed (case, spaces, `_`, `£`, brackets, punctuation) before it
 * is looked up, and each field takes the first of its aliases, in the table's order, that the file has.
 */

export type SpendField =
  | 'date'
  | 'amount'
  | 'payee'
  | 'reference'
  | 'card'
  | 'supplier_id'
  | 'expense_code'
  | 'expense_type'
  | 'service_area'
  | 'cost_centre'
  | 'description'
  | 'postcode'
  | 'company_number'
  | 'body';

export const REQUIRED_FIELDS: readonly SpendField[] = ['date', 'amount', 'payee'];

/**
 * Aliases in order of preference. Amounts: a net amount first (councils publish net of VAT where they can),
 * and on purchase-card files the amount billed in pounds before the amount in the original currency.
 */
export const SPEND_ALIASES: Record<SpendField, readonly string[]> = {
  date: [
    'paid date', 'payment date', 'date paid', 'date of payment', 'trans date', 'transaction date', 'date', 'posting date',
    'posted date', 'processed date', 'invoice paid date', 'effective date', 'invoice date',
  ],
  amount: [
    'net amount', 'net value', 'amount net', 'amount excluding vat', 'amount excl vat', 'amount ex vat', 'amount', 'value',
    'payment amount', 'amount paid', 'transaction amount', 'line amount', 'billing gross amt', 'billing amount',
    'original gross amt', 'gross amount', 'gross value', 'total', 'total amount', 'invoice amount', 'expenditure',
  ],
  payee: [
    'supplier name', 'supplier', 'payee name', 'payee', 'merchant name', 'merchant', 'vendor name', 'vendor',
    'creditor name', 'creditor', 'beneficiary name', 'beneficiary', 'recipient name', 'recipient', 'name',
  ],
  reference: [
    'trans no', 'transaction number', 'transaction no', 'transaction id', 'transaction reference', 'trans ref',
    'payment reference', 'payment ref', 'reference', 'reference number', 'ref', 'invoice number', 'invoice no',
    'invoice ref', 'document number', 'document no', 'voucher number', 'voucher no', 'unique id',
  ],
  card: ['card number', 'card no', 'card'],
  supplier_id: ['supplier id', 'supplier number', 'supplier no', 'supplier ref', 'supplier code', 'vendor id', 'vendor number', 'vendor code', 'creditor number', 'creditor id'],
  expense_code: [
    'expenditure code', 'expense code', 'expenses code', 'account code', 'subjective code', 'nominal code', 'cost code',
    'ledger code', 'trans cac code 1', 'category code',
  ],
  expense_type: [
    'expenditure category', 'expenditure catergory', 'expense category', 'expense type', 'expenses type', 'expenditure type',
    'category', 'catergory', 'purpose', 'subjective description', 'subjective', 'account description', 'expense description',
    'expenditure description', 'trans cac desc 1', 'expenditure unit', 'merchant category', 'mcc description',
  ],
  service_area: [
    'service area', 'service', 'organisational unit', 'organisatonal unit', 'organisation unit', 'department', 'directorate',
    'directorates', 'service division', 'division', 'portfolio', 'service label', 'business unit',
  ],
  cost_centre: ['cost centre', 'cost centre description', 'cost center', 'trans cac desc 2', 'responsible unit'],
  description: ['description', 'narrative', 'details', 'transaction description', 'item description', 'purpose of expenditure', 'summary of purpose'],
  postcode: ['supplier postcode', 'supplier post code', 'postcode', 'post code'],
  company_number: ['company number', 'companies house number', 'company registration number', 'company reg no', 'crn', 'supplier company number'],
  body: ['body name', 'body', 'organisation name', 'organisation', 'council', 'client'],
};

/** `Net Amount(£) ` → `net amount`; `supplier_name` → `supplier name`; `TRANS CAC CODE 1` → `trans cac code 1`. */
export function squashHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/£|\bgbp\b/g, ' ')
    .replace(/[_()[\]{}:.*#'"’/\\-]+/g, ' ')
    .replace(/&/g, ' and ')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface HeaderMapping {
  /** Field → index of its column. */
  columns: Partial<Record<SpendField, number>>;
  /** Field → the header as written in the file. */
  headers: Partial<Record<SpendField, string>>;
  /** Headers no field took. */
  unused: string[];
  /** How many columns the header has: a row with more, filled, has shifted. */
  width: number;
}

export type MappingResult = { ok: true; mapping: HeaderMapping } | { ok: false; missing: SpendField[]; message: string };

/** Maps any alias table over a header row; the first column wins where a header is repeated. */
export function mapColumns<F extends string>(header: string[], aliases: Record<F, readonly string[]>): { columns: Partial<Record<F, number>>; used: Set<number> } {
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    const key = squashHeader(h ?? '');
    if (key && !index.has(key)) index.set(key, i);
  });
  const columns: Partial<Record<F, number>> = {};
  const used = new Set<number>();
  for (const field of Object.keys(aliases) as F[]) {
    for (const alias of aliases[field]) {
      const i = index.get(alias);
      if (i !== undefined && !used.has(i)) {
        columns[field] = i;
        used.add(i);
        break;
      }
    }
  }
  return { columns, used };
}

const shown = (h: string) => JSON.stringify(h.replace(/^\uFEFF/, ''));

/**
 * Maps a header row. When a required field has no column, the message says which columns the file has and
 * which field is missing, with the names looked for, so the publisher or analyst can rename one.
 */
export function mapSpendHeader(header: string[], required: readonly SpendField[] = REQUIRED_FIELDS): MappingResult {
  const { columns, used } = mapColumns(header, SPEND_ALIASES);
  const missing = required.filter((f) => columns[f] === undefined);
  if (missing.length) {
    const has = header.filter((h) => h && h.trim()).map(shown);
    const wants = missing.map((f) => `${f} (looked for ${SPEND_ALIASES[f].slice(0, 8).map((a) => `"${a}"`).join(', ')}…)`);
    return {
      ok: false,
      missing,
      message: `the file's columns are ${has.length ? has.join(', ') : 'none'}; no column gives the ${wants.join('; nor the ')}`,
    };
  }
  const headers: Partial<Record<SpendField, string>> = {};
  for (const [field, i] of Object.entries(columns) as Array<[SpendField, number]>) headers[field] = header[i].replace(/^\uFEFF/, '');
  const unused = header.filter((h, i) => !used.has(i) && h && h.trim()).map((h) => h.replace(/^\uFEFF/, ''));
  // Columns under an empty header count: Birmingham's February 2016 file heads its Directorate column with nothing.
  return { ok: true, mapping: { columns, headers, unused, width: header.length } };
}

/** How many rows at the top of a file may precede its header (titles, notes, blank lines). */
export const HEADER_SEARCH_ROWS = 15;
