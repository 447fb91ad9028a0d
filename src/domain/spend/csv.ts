/**
 * The report's rows as CSV: one row per buyer, payee and category over the period, with who the payee was
 * found to be, where, and whether that is inside each area, so an analyst can pivot the figures themselves.
 *
 * Safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a
 * formula to Excel and LibreOffice, so it is written with a leading apostrophe (OWASP's advice), and every
 * text cell is quoted. A payee named `=HYPERLINK("http://evil","x")` stays text.
 */
import { EXCLUSIONS, type Exclusion } from './payees.js';
import { ownAreaOf, regionOf, widerAreaOf, within, type Area, type BuyerArea } from './places.js';
import { divisionLabel } from './category.js';
import { payeeRef, type NamedPlace, type PayeeFacts, type SpendCell } from './report.js';
import { penceToPounds } from './values.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV text cell, quoted, formula-safe. */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

export type CsvValue = string | number | boolean | null | undefined | { number: string };

/** Numbers we wrote ourselves (amounts, shares) go out bare; everything else as safe text. */
function cell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return value.number;
  return csvText(value);
}

export function toCsv(header: string[], rows: CsvValue[][]): string {
  const lines = [header.map(csvText).join(',')];
  for (const r of rows) lines.push(r.map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}

export const SPEND_CSV_HEADER = [
  'buyer', 'payee', 'payee_kind', 'supplier', 'resolution_source', 'resolution_method', 'resolution_confidence', 'postcode', 'lad', 'itl3',
  'itl1', 'combined_authority', 'in_own_area', 'in_wider_area', 'in_region', 'in_uk', 'sme', 'vcse', 'category', 'category_label',
  'payments', 'amount', 'excluded_as',
];

const yesNo = (v: boolean | null) => (v === null ? 'not known' : v ? 'yes' : 'no');

export function spendCsv(
  cells: readonly SpendCell[],
  payees: ReadonlyMap<string, PayeeFacts>,
  buyers: readonly BuyerArea[],
  options: { exclude?: readonly Exclusion[]; place?: NamedPlace | null } = {},
): string {
  const exclude = new Set(options.exclude ?? EXCLUSIONS);
  const buyerOf = new Map(buyers.map((b) => [b.buyerId, b]));
  const groups = new Map<string, { cell: SpendCell; pence: number; payments: number; excludedAs: string }>();
  for (const c of cells) {
    const facts = payees.get(payeeRef(c.buyerId, c.payeeKey));
    const reason = c.exclusion ?? (facts?.kind === 'public_body' ? 'public_body' : null);
    const excludedAs = reason && exclude.has(reason) ? reason : '';
    const key = `${c.buyerId}\u0000${c.payeeKey}\u0000${c.category ?? ''}\u0000${excludedAs}`;
    const g = groups.get(key);
    if (g) {
      g.pence += c.pence;
      g.payments += c.payments;
    } else groups.set(key, { cell: c, pence: c.pence, payments: c.payments, excludedAs });
  }
  const rows = [...groups.values()]
    .sort((a, b) => b.pence - a.pence || (a.cell.payeeKey < b.cell.payeeKey ? -1 : 1))
    .map(({ cell: c, pence, payments, excludedAs }) => {
      const f = payees.get(payeeRef(c.buyerId, c.payeeKey));
      const buyer = buyerOf.get(c.buyerId);
      const named: Area | null = options.place ? { kind: 'place', ...options.place } : buyer ? widerAreaOf(buyer) : null;
      const own = buyer ? ownAreaOf(buyer) : null;
      const region = buyer ? regionOf(buyer) : null;
      const resolved = !!f?.source;
      const answer = (area: Area | null) => (resolved && area ? yesNo(within(f!.place, area)) : resolved ? 'not known' : 'unresolved');
      return [
        buyer?.name ?? c.buyerId,
        f?.name ?? c.payeeKey,
        f?.kind ?? 'unknown',
        f?.supplierName ?? null,
        f?.source ?? null,
        f?.method ?? 'none',
        f ? f.confidence : null,
        f?.postcode ?? null,
        f?.place?.lad ?? null,
        f?.place?.itl3 ?? null,
        f?.place?.itl1 ?? null,
        f?.place?.combinedAuthority ?? null,
        answer(own),
        answer(named),
        answer(region),
        answer({ kind: 'uk' }),
        resolved ? yesNo(f!.sme) : null,
        resolved ? yesNo(f!.vcse) : null,
        c.category,
        divisionLabel(c.category),
        payments,
        { number: penceToPounds(pence) },
        excludedAs || null,
      ] as CsvValue[];
    });
  return toCsv(SPEND_CSV_HEADER, rows);
}
