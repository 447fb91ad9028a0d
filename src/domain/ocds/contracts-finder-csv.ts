/**
 * Contracts Finder's CSV export (the "Download" of a search on the portal: 43 columns, one notice per row)
 * mapped to an OCDS release in Contracts Finder's own OCDS shape, so that a row goes through the same
 * checks, compilation, normalisation, tagging and quarantine as a release from the feed.
 *
 * The export carries no notice GUID, so the ocid is derived: `ocds-b5fd17-csv-` and a digest of the buyer's
 * name and the notice identifier (the buyer's reference), stable across exports of the same notice. The
 * release id adds the row's published date: the same row exported again is the same release (unchanged); a
 * notice published again (an award after the opportunity) is a new release of the same tender. A notice
 * later read from the OCDS feed has its real ocid and is a tender of its own.
 *
 * Supplier cells read `[Name|Address|Ref type|Ref Number|Is SME|Is VCSE]`, one bracket per supplier; an
 * address may itself hold `|`, so a cell is read from both ends. Dates are dd/mm/yyyy, times UK local.
 */
import { derivedDigest } from './derived-id.js';
import { normaliseCpv } from '../cpv/index.js';
import { findPostcodes, normalisePostcode } from '../geo/index.js';
import type { JsonObject } from './types.js';

/** One row of the export: column heading (as published) to cell text. */
export type ContractsFinderCsvRow = Record<string, string | undefined>;

export type CsvRowResult = { ok: true; release: JsonObject } | { ok: false; reason: string };

/** The headings that make a file a Contracts Finder export (the first row must have all of them). */
export const CONTRACTS_FINDER_CSV_HEADINGS = ['Notice Identifier', 'Organisation Name', 'Published Date', 'Title', 'Cpv Codes'] as const;

const SUPPLIER_COLUMN = 'Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]';

export function isContractsFinderCsvHeader(headings: string[]): boolean {
  const trimmed = new Set(headings.map((h) => h.trim()));
  return CONTRACTS_FINDER_CSV_HEADINGS.every((h) => trimmed.has(h));
}

const cell = (row: ContractsFinderCsvRow, name: string): string => (row[name] ?? row[`${name} `] ?? '').trim();

const yes = (v: string): boolean | null => (/^(yes|true|y)$/i.test(v) ? true : /^(no|false|n)$/i.test(v) ? false : null);

function amount(v: string): number | null {
  const cleaned = v.replace(/[£,\s]/g, '');
  if (!cleaned) return null;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : null;
}

/** The UTC offset of UK local time at a wall-clock moment: +01:00 in British Summer Time, else Z. */
function ukOffset(year: number, month: number, day: number, hour: number): string {
  const lastSunday = (m: number) => {
    const last = new Date(Date.UTC(year, m, 0));
    return last.getUTCDate() - last.getUTCDay();
  };
  const start = Date.UTC(year, 2, lastSunday(3), 1);
  const end = Date.UTC(year, 9, lastSunday(10), 1);
  const at = Date.UTC(year, month - 1, day, hour);
  return at >= start && at < end ? '+01:00' : 'Z';
}

/** dd/mm/yyyy (and an optional hh:mm, UK time) as ISO-8601; '' when empty; null when it cannot be read. */
export function ukDate(date: string, time = ''): string | null | '' {
  if (!date) return '';
  const iso = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(date) && !Number.isNaN(Date.parse(date));
  if (iso) return date;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date);
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const t = /^(\d{1,2}):(\d{2})$/.exec(time);
  const [hour, minute] = t ? [Number(t[1]), Number(t[2])] : [0, 0];
  if (hour > 23 || minute > 59) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00${ukOffset(year, month, day, hour)}`;
}

export interface CsvSupplier {
  name: string;
  address: string;
  /** COMPANIES_HOUSE, CHARITY_COMMISSION, NONE, NONE_OTHER, NONE_SOLE_TRADER, … as published. */
  refType: string;
  refNumber: string;
  sme: boolean | null;
  vcse: boolean | null;
}

/** The suppliers of one supplier cell, in order. */
export function parseSuppliers(text: string): CsvSupplier[] {
  const t = text.trim();
  if (!t.startsWith('[')) return [];
  const out: CsvSupplier[] = [];
  for (const part of t.replace(/^\[/, '').replace(/\]$/, '').split('][')) {
    const f = part.split('|');
    if (f.length < 6) {
      if (f[0]?.trim()) out.push({ name: f[0].trim(), address: f.slice(1).join(', ').trim(), refType: '', refNumber: '', sme: null, vcse: null });
      continue;
    }
    const tail = f.slice(-4);
    out.push({
      name: f[0].trim(),
      address: f
        .slice(1, -4)
        .map((s) => s.trim())
        .filter((s) => s && s !== '0')
        .join(', '),
      refType: tail[0].trim().toUpperCase(),
      refNumber: tail[1].trim(),
      sme: yes(tail[2].trim()),
      vcse: yes(tail[3].trim()),
    });
  }
  return out.filter((s) => s.name);
}

const SCHEMES: Record<string, string> = { COMPANIES_HOUSE: 'GB-COH', CHARITY_COMMISSION: 'GB-CHC' };

/**
 * A Companies House number as the register writes it: 8 characters, zero-padded (`04835938`, `OC039438`). A number
 * that cannot be one (nine digits, `0186908SC`) is kept as published.
 */
export function companyNumber(ref: string): string {
  const c = ref.replace(/[\s']/g, '').toUpperCase();
  if (/^\d{1,8}$/.test(c)) return c.padStart(8, '0');
  const prefixed = /^([A-Z]{2})(\d{1,6})$/.exec(c);
  return prefixed ? prefixed[1] + prefixed[2].padStart(6, '0') : c;
}

const STATUS: Record<string, string> = { awarded: 'complete', open: 'active', closed: 'complete', withdrawn: 'withdrawn', cancelled: 'cancelled' };
const NOTICE_TAG: Record<string, string> = { contract: 'award', opportunity: 'tender', 'early engagement': 'planning', 'future opportunity': 'planning', pipeline: 'planning' };
const CATEGORY: Record<string, string> = { services: 'services', works: 'works', products: 'goods', goods: 'goods' };

/** The ocid a row's notice gets (see the header comment). */
export function csvOcid(row: ContractsFinderCsvRow): string {
  return `ocds-b5fd17-csv-${derivedDigest(`${cell(row, 'Organisation Name').toLowerCase()}|${cell(row, 'Notice Identifier')}`)}`;
}

/** Maps one row; a row that cannot make a tender (no identifier, no title, an unreadable date or code) gives its reason. */
export function contractsFinderCsvRelease(row: ContractsFinderCsvRow): CsvRowResult {
  const identifier = cell(row, 'Notice Identifier');
  const buyerName = cell(row, 'Organisation Name');
  const title = cell(row, 'Title');
  if (!identifier) return { ok: false, reason: 'no Notice Identifier' };
  if (!buyerName) return { ok: false, reason: 'no Organisation Name' };
  if (!title) return { ok: false, reason: 'no Title' };
  const published = ukDate(cell(row, 'Published Date'));
  if (!published) return { ok: false, reason: `Published Date "${cell(row, 'Published Date')}" is not a date` };

  const codes: string[] = [];
  for (const raw of cell(row, 'Cpv Codes').split(/[\s,;]+/).filter(Boolean)) {
    const code = normaliseCpv(raw);
    if (!code) return { ok: false, reason: `Cpv Codes: "${raw}" is not a CPV code` };
    if (!codes.includes(code)) codes.push(code);
  }

  const dates: Record<string, string | null> = {};
  const dateColumns: Array<[string, string, string?]> = [
    ['start', 'Start Date'],
    ['end', 'End Date'],
    ['closing', 'Closing Date', 'Closing Time'],
    ['awarded', 'Awarded Date'],
    ['contractStart', 'Contract start date'],
    ['contractEnd', 'Contract end date'],
  ];
  for (const [key, column, timeColumn] of dateColumns) {
    const d = ukDate(cell(row, column), timeColumn ? cell(row, timeColumn) : '');
    if (d === null) return { ok: false, reason: `${column} "${cell(row, column)}" is not a dd/mm/yyyy date` };
    dates[key] = d || null;
  }

  const ocid = csvOcid(row);
  const buyerId = `buyer-${derivedDigest(buyerName.toLowerCase())}`;
  const contactPostcode = normalisePostcode(cell(row, 'Contact Postcode'));
  const buyer: JsonObject = {
    id: buyerId,
    name: buyerName,
    roles: ['buyer'],
    address: compact({
      streetAddress: [cell(row, 'Contact Address 1'), cell(row, 'Contact Address 2')].filter(Boolean).join(', ') || null,
      locality: cell(row, 'Contact Town') || null,
      postalCode: contactPostcode ?? (cell(row, 'Contact Postcode') || null),
      countryName: cell(row, 'Contact Country') || null,
    }),
    contactPoint: compact({
      name: cell(row, 'Contact Name') || null,
      email: cell(row, 'Contact Email') || null,
      telephone: cell(row, 'Contact Telephone') || null,
      url: cell(row, 'Contact Website') || null,
    }),
  };

  // "West Midlands,London": one delivery address per region named.
  const regions = cell(row, 'Region').split(',').map((r) => r.trim()).filter(Boolean);
  const deliveryPostcode = cell(row, 'Postcode');
  if (!regions.length && yes(cell(row, 'Nationwide'))) regions.push('United Kingdom');
  const deliveries: JsonObject[] = regions.map((region) => ({ region }));
  if (deliveryPostcode) deliveries.push({ postalCode: normalisePostcode(deliveryPostcode) ?? deliveryPostcode });

  const valueLow = amount(cell(row, 'Value Low'));
  const valueHigh = amount(cell(row, 'Value High'));
  const value = valueHigh !== null && valueHigh > (valueLow ?? 0) ? valueHigh : valueLow;
  const classification = (code: string): JsonObject => ({ scheme: 'CPV', id: code });

  const tender: JsonObject = compact({
    id: identifier,
    title,
    description: cell(row, 'Description') || null,
    status: STATUS[cell(row, 'Status').toLowerCase()] ?? null,
    datePublished: published,
    classification: codes.length ? classification(codes[0]) : null,
    additionalClassifications: codes.length > 1 ? codes.slice(1).map(classification) : null,
    mainProcurementCategory: CATEGORY[cell(row, 'OJEU Contract Type').toLowerCase()] ?? null,
    procurementMethodDetails: cell(row, 'OJEU Procedure Type') || null,
    value: value !== null ? { amount: value, currency: 'GBP' } : null,
    minValue: valueLow !== null && value !== null && valueLow < value ? { amount: valueLow, currency: 'GBP' } : null,
    tenderPeriod: dates.closing ? { endDate: dates.closing } : null,
    contractPeriod: dates.start || dates.end ? compact({ startDate: dates.start, endDate: dates.end }) : null,
    suitability: compact({ sme: yes(cell(row, 'Suitable for SME')), vcse: yes(cell(row, 'Suitable for VCO')) }),
    items: [compact({ id: '1', deliveryAddresses: deliveries.length ? deliveries : null })],
    documents: documents(cell(row, 'Links'), cell(row, 'Attachments')),
  });

  const parties: JsonObject[] = [buyer];
  const awardSuppliers: JsonObject[] = [];
  const suppliers = parseSuppliers(row[SUPPLIER_COLUMN] ?? '');
  for (const s of suppliers) {
    const scheme = SCHEMES[s.refType] ?? null;
    const number = scheme === 'GB-COH' ? companyNumber(s.refNumber) : s.refNumber;
    const id = scheme && number ? `${scheme}-${number}` : `supplier-${derivedDigest(`${s.name.toLowerCase()}|${s.address.toLowerCase()}`)}`;
    if (awardSuppliers.some((a) => a.id === id)) continue;
    const postcode = findPostcodes(s.address).at(-1) ?? null;
    parties.push(
      compact({
        id,
        name: s.name,
        roles: ['supplier'],
        identifier: scheme && number ? { scheme, id: number, legalName: s.name } : null,
        address: compact({ streetAddress: s.address || null, postalCode: postcode }),
        details: compact({ scale: s.sme === null ? null : s.sme ? 'sme' : 'large', vcse: s.vcse }),
      }),
    );
    awardSuppliers.push({ id, name: s.name });
  }
  const awardedValue = amount(cell(row, 'Awarded Value'));
  const awarded = suppliers.length > 0 || dates.awarded !== null || awardedValue !== null;
  const awards: JsonObject[] = awarded
    ? [
        compact({
          id: `${ocid}-award-1`,
          status: 'active',
          date: dates.awarded,
          value: awardedValue !== null ? { amount: awardedValue, currency: 'GBP' } : null,
          suppliers: awardSuppliers,
          contractPeriod: dates.contractStart || dates.contractEnd ? compact({ startDate: dates.contractStart, endDate: dates.contractEnd }) : null,
        }),
      ]
    : [];

  const tag = NOTICE_TAG[cell(row, 'Notice Type').toLowerCase()] ?? (awarded ? 'award' : 'tender');
  const release: JsonObject = {
    ocid,
    id: `${ocid}-${published.replace(/\D/g, '').slice(0, 14)}`,
    date: published,
    tag: [tag],
    initiationType: 'tender',
    language: 'en',
    buyer: { id: buyerId, name: buyerName },
    parties,
    tender,
    awards,
  };
  return { ok: true, release };
}

function documents(links: string, attachments: string): JsonObject[] | null {
  const urls = links.split(/\s+/).filter((u) => /^https?:\/\//i.test(u));
  const out: JsonObject[] = urls.map((url, i) => ({ id: `link-${i + 1}`, documentType: i === 0 ? 'tenderNotice' : 'biddingDocuments', url }));
  for (const [i, name] of attachments.split(/\s+/).filter(Boolean).entries()) out.push({ id: `attachment-${i + 1}`, title: name });
  return out.length ? out : null;
}

/** The object without its null and empty-object members (a release states only what the row says). */
function compact(o: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
    out[k] = v as JsonObject[string];
  }
  return out;
}
