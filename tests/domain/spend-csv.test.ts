import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { awardsView } from '../../src/domain/spend/awards.js';
import { csvText, spendCsv, SPEND_CSV_HEADER } from '../../src/domain/spend/csv.js';
import { payeeRef, type PayeeFacts } from '../../src/domain/spend/report.js';
import type { BuyerArea } from '../../src/domain/spend/places.js';

const buyer: BuyerArea = { buyerId: 'oxford city council', name: 'Oxford City Council', regionCode: null, lad: 'E07000178', ladName: 'Oxford', itl3: 'TLJ14', itl1: 'TLJ', combinedAuthority: null };

describe('CSV export', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+44 1865 000000', `"'+44 1865 000000"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tTAB', `"'\tTAB"`],
    ['Smith, Jones & Co', '"Smith, Jones & Co"'],
  ])('writes %j as text', (value, cell) => expect(csvText(value)).toBe(cell));

  it('writes one row per payee and category, formula-safe, that a CSV reader reads back', () => {
    const hostile = '=HYPERLINK("http://evil.example","x")';
    const payees = new Map<string, PayeeFacts>([
      [payeeRef(buyer.buyerId, 'evil'), { payeeKey: 'evil', name: hostile, kind: 'unknown', source: null, supplierRef: null, supplierName: null, method: 'none', confidence: 0, postcode: null, place: null, sme: null, vcse: null }],
      [payeeRef(buyer.buyerId, 'oxford firm'), { payeeKey: 'oxford firm', name: 'Oxford Firm Ltd', kind: 'company', source: 'directory', supplierRef: 'oxford firm', supplierName: 'Oxford Firm Limited', method: 'fuzzy', confidence: 0.91, postcode: 'OX1 1BX', place: { lad: 'E07000178', itl3: 'TLJ14', itl1: 'TLJ', combinedAuthority: null, uk: true }, sme: true, vcse: false }],
    ]);
    const csv = spendCsv(
      [
        { buyerId: buyer.buyerId, quarter: '2014Q1', payeeKey: 'evil', category: null, exclusion: null, pence: -1250, payments: 1 },
        { buyerId: buyer.buyerId, quarter: '2014Q1', payeeKey: 'oxford firm', category: '45000000', exclusion: null, pence: 100000, payments: 2 },
        { buyerId: buyer.buyerId, quarter: '2014Q2', payeeKey: 'oxford firm', category: '45000000', exclusion: null, pence: 5, payments: 1 },
      ],
      payees,
      [buyer],
    );
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual(SPEND_CSV_HEADER);
    const at = (row: string[], name: string) => row[SPEND_CSV_HEADER.indexOf(name)];
    expect(rows.length).toBe(3);
    expect([at(rows[1], 'payee'), at(rows[1], 'in_own_area'), at(rows[1], 'amount'), at(rows[1], 'payments'), at(rows[1], 'category_label')]).toEqual(['Oxford Firm Ltd', 'yes', '1000.05', '3', 'Construction work']);
    expect([at(rows[2], 'payee'), at(rows[2], 'in_own_area'), at(rows[2], 'amount')]).toEqual([`'${hostile}`, 'unresolved', '-12.50']);
  });
});

describe('the awards view', () => {
  it('shares each award among its suppliers to the penny, places them and sizes them', () => {
    const view = awardsView(
      [
        {
          buyerId: buyer.buyerId, ocid: 'ocds-b5fd17-1', awardId: 'a1', date: '2022-05-03T00:00:00Z', value: 100000.01, currency: 'GBP', category: '79000000',
          suppliers: [
            { partyId: 'p1', name: 'Three Counties Services CIC', companyNumber: null, postcode: 'OX4 2JZ', scale: 'sme' },
            { partyId: 'p2', name: 'Big Consulting PLC', companyNumber: '01234567', postcode: null, scale: 'large' },
          ],
        },
        { buyerId: buyer.buyerId, ocid: 'ocds-b5fd17-2', awardId: 'a1', date: null, value: 5000, currency: 'GBP', category: null, suppliers: [{ partyId: 'p1', name: 'X Ltd', companyNumber: null, postcode: null, scale: null }] },
        { buyerId: buyer.buyerId, ocid: 'ocds-b5fd17-3', awardId: 'a1', date: '2022-06-01', value: 5000, currency: 'EUR', category: null, suppliers: [{ partyId: 'p1', name: 'X Ltd', companyNumber: null, postcode: null, scale: null }] },
      ],
      new Map([['01234567', { id: 's-9', name: 'Big Consulting', kind: 'medium', postcode: 'B1 1BB', homeRegion: null }]]),
    );
    expect(view.skipped).toEqual({ 'no date': 1, 'not in pounds': 1 });
    expect(view.cells.map((c) => [c.quarter, c.payeeKey, c.pence]).sort()).toEqual([
      ['2022Q1', 'big consulting', 5000000],
      ['2022Q1', 'three counties services cic', 5000001],
    ]);
    expect(view.payees.get(payeeRef(buyer.buyerId, 'three counties services cic'))).toMatchObject({ source: 'award', sme: true, vcse: true, place: { itl1: 'TLJ' } });
    // The notice says large; the registry's postcode places it.
    expect(view.payees.get(payeeRef(buyer.buyerId, 'big consulting'))).toMatchObject({ sme: false, supplierRef: 'registry:s-9', place: { itl1: 'TLG' } });
  });
});
