import { describe, expect, it } from 'vitest';
import { mapSpendHeader, squashHeader } from '../../src/domain/spend/headers.js';
import { describeQuarter, quarterOf, quarterRange } from '../../src/domain/spend/quarters.js';
import { OccurrenceCounter, readSpendRow } from '../../src/domain/spend/rows.js';
import { parseAmountPence, parseSpendDate, penceToPounds } from '../../src/domain/spend/values.js';

// Headers as councils wrote them in the shared Oxford and Birmingham files, and variants named in the issue.
const HEADERS: Array<[string, string]> = [
  ['Supplier Name ', 'supplier name'],
  ['supplier_name', 'supplier name'],
  ['Net Amount(£)', 'net amount'],
  ['Expenditure Catergory', 'expenditure catergory'],
  ['Organisatonal Unit', 'organisatonal unit'],
  ['TRANS CAC DESC 1', 'trans cac desc 1'],
  ['\uFEFFBody Name', 'body name'],
  ['Directorate ', 'directorate'],
  ['Amount (£)', 'amount'],
];

describe('header aliases', () => {
  it.each(HEADERS)('squashes %j to %j', (raw, squashed) => expect(squashHeader(raw)).toBe(squashed));

  it.each([
    [
      'Oxford 2014 (Title Case, trailing space)',
      ['Body Name', 'Organisational Unit', 'Expenditure Category', 'Expenditure Code', 'Paid Date', 'Trans No', 'Amount', 'Type', 'Supplier ID', 'Supplier Name '],
      { date: 'Paid Date', amount: 'Amount', payee: 'Supplier Name ', reference: 'Trans No', expense_type: 'Expenditure Category', expense_code: 'Expenditure Code', service_area: 'Organisational Unit', supplier_id: 'Supplier ID' },
    ],
    [
      'Oxford 2016 (snake case)',
      ['body_name', 'organisational_unit', 'expenditure_category', 'expenditure_code', 'paid_date', 'trans_no', 'amount', 'caporrev', 'supplier_id', 'supplier_name'],
      { date: 'paid_date', amount: 'amount', payee: 'supplier_name', expense_type: 'expenditure_category' },
    ],
    [
      'Oxford 2017 (the typo Catergory)',
      ['Service Area', 'Expenditure Catergory', 'Expenditure Code', 'Paid Date', 'Trans No', 'Amount', 'Type of Expenditure', 'Supplier ID', 'Supplier Name'],
      { service_area: 'Service Area', expense_type: 'Expenditure Catergory' },
    ],
    [
      'Oxford 2015 (Organisatonal, Expenditure Unit)',
      ['Organisation', 'Organisatonal Unit', 'Expenditure Unit', 'Expenditure Code', 'Paid Date', 'Trans No', 'Amount', 'caporrev', 'Supplier ID', 'Supplier Name'],
      { service_area: 'Organisatonal Unit', expense_type: 'Expenditure Unit' },
    ],
    [
      'Birmingham card file: billed pounds before the original currency',
      ['TRANS DATE', 'TRANS VAT DESC', 'ORIGINAL GROSS AMT', 'ORIGINAL CUR', 'BILLING GROSS AMT', 'BILLING CUR CODE', 'MERCHANT NAME', 'CARD NUMBER', 'TRANS CAC CODE 1', 'TRANS CAC DESC 1', 'TRANS CAC CODE 2', 'TRANS CAC DESC 2', 'TRANS CAC CODE 3', 'Directorate'],
      { date: 'TRANS DATE', amount: 'BILLING GROSS AMT', payee: 'MERCHANT NAME', card: 'CARD NUMBER', expense_type: 'TRANS CAC DESC 1', cost_centre: 'TRANS CAC DESC 2', service_area: 'Directorate' },
    ],
    ['Birmingham 2014 card file', ['TRANS DATE', 'TRANS VAT DESC', 'ORIGINAL GROSS AMT', 'MERCHANT NAME', 'CARD NUMBER', 'BILLING CUR CODE'], { amount: 'ORIGINAL GROSS AMT' }],
    ['net amount with a pound sign', ['Date Paid', 'Supplier', 'Net Amount(£)', 'Gross Amount'], { date: 'Date Paid', payee: 'Supplier', amount: 'Net Amount(£)' }],
  ])('maps %s', (_name, header, expected) => {
    const m = mapSpendHeader(header);
    expect(m.ok).toBe(true);
    if (m.ok) expect(m.mapping.headers).toMatchObject(expected);
  });

  it('says which columns a file has and which field is missing', () => {
    const m = mapSpendHeader(['Date', 'Value', 'Description']);
    expect(m).toMatchObject({ ok: false, missing: ['payee'] });
    if (!m.ok) {
      expect(m.message).toContain('"Date", "Value", "Description"');
      expect(m.message).toContain('no column gives the payee');
      expect(m.message).toContain('"merchant name"');
    }
  });
});

describe('dates', () => {
  it.each([
    ['21/01/2014', '2014-01-21'],
    ['03/01/17', '2017-01-03'],
    ['2016-04-05', '2016-04-05'],
    ['2016-04-05T00:00:00', '2016-04-05'],
    ['03-Jan-2017', '2017-01-03'],
    ['3 January 2017', '2017-01-03'],
    ['21/01/2014 00:00:00', '2014-01-21'],
    ['01.07.2015', '2015-07-01'],
    ['42738', '2017-01-03'],
  ])('reads %j as %s', (raw, iso) => expect(parseSpendDate(raw)).toEqual({ ok: true, value: iso }));

  it.each([
    ['00:00:00', 'a time without a day'],
    ['', 'no date'],
    ['31/02/2016', 'does not exist'],
    ['13/13/2016', 'no month 13'],
    ['sometime in May', 'not in a form read here'],
    ['01/01/1890', 'outside 1990–2100'],
  ])('refuses %j (%s)', (raw, reason) => {
    const r = parseSpendDate(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe('amounts in pence', () => {
  it.each([
    ['1,234.56', 123456],
    ['£1,234.56', 123456],
    ['(123.45)', -12345],
    ['-123.45', -12345],
    ['-0.01', -1],
    ['1500', 150000],
    ['485.1', 48510],
    ['123.45-', -12345],
    ['123.45 CR', -12345],
    ['£ 500', 50000],
    ['-£12.50', -1250],
    ['1054.105', 105411],
    ['100565.40', 10056540],
    [59.99, 5999],
    [1054.1100000000001, 105411],
  ])('reads %j as %d pence', (raw, pence) => expect(parseAmountPence(raw)).toEqual({ ok: true, value: pence }));

  it.each(['1,23', 'abc', '', '12.3.4', '£', 'N/A'])('refuses %j', (raw) => expect(parseAmountPence(raw).ok).toBe(false));

  it.each([
    [123456, '1234.56'],
    [-5, '-0.05'],
    [0, '0.00'],
  ])('prints %d pence as %s', (pence, text) => expect(penceToPounds(pence)).toBe(text));
});

describe('financial quarters', () => {
  it.each([
    ['2014-04-01', '2014Q1'],
    ['2014-06-30', '2014Q1'],
    ['2014-07-01', '2014Q2'],
    ['2014-12-31', '2014Q3'],
    ['2015-01-01', '2014Q4'],
    ['2015-03-31', '2014Q4'],
  ])('%s is in %s', (date, key) => expect(quarterOf(date)).toBe(key));

  it('describes quarters and fills ranges', () => {
    expect(describeQuarter('2014Q4')).toEqual({ key: '2014Q4', year: 2014, quarter: 4, label: '2014/15 Q4', from: '2015-01-01', to: '2015-03-31' });
    expect(describeQuarter('2016Q3')).toMatchObject({ from: '2016-10-01', to: '2016-12-31' });
    expect(quarterRange('2014Q3', '2015Q2')).toEqual(['2014Q3', '2014Q4', '2015Q1', '2015Q2']);
  });
});

describe('payment lines', () => {
  const header = ['Service Area', 'Expenditure Catergory', 'Expenditure Code', 'Paid Date', 'Trans No', 'Amount', 'Type of Expenditure', 'Supplier ID', 'Supplier Name'];
  const m = mapSpendHeader(header);
  if (!m.ok) throw new Error(m.message);

  it('reads a real Oxford line with its natural key', () => {
    const r = readSpendRow(['General Fund', 'C.I.T.Awaiting Payment', 'Z970590', '19/04/2017', '46293406 - 1', '8151.9', 'Revenue', '20016580', 'HMRC'], m.mapping);
    expect(r).toMatchObject({ ok: true, payment: { paidOn: '2017-04-19', quarter: '2017Q1', amountPence: 815190, payeeKey: 'hmrc', exclusion: 'tax', baseKey: '2017-04-19|hmrc|815190|462934061' } });
  });

  it('quarantines a line without a payee, keeping its amount for the reconciliation', () => {
    expect(readSpendRow(['General Fund', 'Difference A/c', 'Z910198', '03/05/2017', '1036863 - 4', '-0.01', 'Revenue', '', ''], m.mapping)).toEqual({ ok: false, reason: 'no payee', amountPence: -1 });
  });

  it('gives a stated date to lines whose date is only a time, when told one', () => {
    const row = ['General Fund', 'Grants', 'D3701', '00:00:00', '46281108_1', '1500', 'Revenue', '20000000_46281108', 'OXFORD ROUND TABLE CHARITABLE TRUST'];
    expect(readSpendRow(row, m.mapping)).toMatchObject({ ok: false, amountPence: 150000 });
    expect(readSpendRow(row, m.mapping, { dateMissingAs: '2014-06-30' })).toMatchObject({ ok: true, payment: { paidOn: '2014-06-30', dateStated: true } });
  });

  it('numbers equal lines of one file, so two identical payments on one day are both kept', () => {
    const counter = new OccurrenceCounter();
    expect([counter.keyOf('a'), counter.keyOf('b'), counter.keyOf('a')]).toEqual(['a|1', 'b|1', 'a|2']);
  });
});
