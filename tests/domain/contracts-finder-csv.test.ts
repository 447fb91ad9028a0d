import { describe, expect, it } from 'vitest';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { companyNumber, contractsFinderCsvRelease, csvOcid, parseSuppliers, ukDate, type ContractsFinderCsvRow } from '../../src/domain/ocds/contracts-finder-csv.js';

/** A row of the real export (awarded-notices-2020.csv, HMRC, 2 October 2020), cells as published. */
const hmrc: ContractsFinderCsvRow = {
  'Notice Identifier': 'SR458456597',
  'Notice Type': 'Contract',
  'Organisation Name': 'H M REVENUE & CUSTOMS',
  Status: 'Awarded',
  'Published Date': '2020-10-02T08:41:06Z',
  Title: 'Customer Engagement Programme Professional Services',
  Description: 'Provision of Professional Services to support HMRC Customer Engagement Programme work streams',
  Nationwide: '',
  Postcode: 'BN3 1DD',
  Region: '',
  'Cpv Codes': '72000000 ',
  'Contact Address 1': 'Plaza Towers',
  'Contact Town': 'Telford',
  'Contact Postcode': 'TF3 4NT',
  'Contact Country': 'England',
  'Start Date': '23/09/2020',
  'End Date': '22/03/2022',
  'Closing Date': '17/08/2020',
  'Closing Time': '00:00',
  'Suitable for SME': 'Yes',
  'Suitable for VCO': 'No',
  'OJEU Contract Type': 'Services',
  'Value Low': '2500000',
  'Value High': '',
  'Awarded Date': '10/09/2020',
  'Awarded Value': '2500000',
  'Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]':
    '[William Alexander Consulting Ltd|4th Floor Sheridan House 112-116 Western Road Hove BN3 1DD|COMPANIES_HOUSE|12016458|Yes|No]',
  'Contract start date': '23/09/2020',
  'Contract end date': '22/03/2022',
  'OJEU Procedure Type': 'Other DOS 4 Competition',
};

const record = (row: ContractsFinderCsvRow) => {
  const mapped = contractsFinderCsvRelease(row);
  if (!mapped.ok) throw new Error(mapped.reason);
  return normalise(compileReleases([mapped.release]));
};

describe('Contracts Finder CSV export row → normalised tender', () => {
  it('maps buyer, text, CPV, place, values, dates, status and the award supplier', () => {
    const t = record(hmrc);
    expect(t.ocid).toBe(csvOcid(hmrc));
    expect(t.ocid).toMatch(/^ocds-b5fd17-csv-[0-9a-f]{16}$/);
    expect(t).toMatchObject({
      tenderId: 'SR458456597',
      title: 'Customer Engagement Programme Professional Services',
      cpv: ['72000000'],
      status: 'complete',
      mainCategory: 'services',
      suitableSme: true,
      suitableVcse: false,
      value: { amount: 2500000, currency: 'GBP' },
      publishedAt: '2020-10-02T08:41:06.000Z',
      // 17 August is British Summer Time: midnight there is 23:00 UTC the day before.
      deadline: '2020-08-16T23:00:00.000Z',
      procurementMethodDetails: 'Other DOS 4 Competition',
    });
    expect(t.buyer).toMatchObject({ name: 'H M REVENUE & CUSTOMS', address: { postcode: 'TF3 4NT' } });
    expect(t.items[0]).toMatchObject({ deliveryPostcodes: ['BN3 1DD'] });
    expect(t.awards).toHaveLength(1);
    // A date without a time is midnight in the UK (British Summer Time in September).
    expect(t.awards[0]).toMatchObject({ date: '2020-09-09T23:00:00.000Z', value: { amount: 2500000 } });
    expect(t.awards[0].suppliers).toEqual([
      {
        partyId: 'GB-COH-12016458',
        name: 'William Alexander Consulting Ltd',
        identifierScheme: 'GB-COH',
        identifier: '12016458',
        address: expect.objectContaining({ postcode: 'BN3 1DD' }),
        scale: 'sme',
        vcse: false,
      },
    ]);
  });

  it('is the same release every time (same ocid and release id): exporting again changes nothing', () => {
    const a = contractsFinderCsvRelease(hmrc);
    const b = contractsFinderCsvRelease({ ...hmrc });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const later = contractsFinderCsvRelease({ ...hmrc, 'Published Date': '2020-10-09T10:00:00Z' });
    expect(later.ok && a.ok && later.release.ocid === a.release.ocid && later.release.id !== a.release.id).toBe(true);
  });

  it('reads several regions, a nationwide flag and several suppliers whose addresses hold "|"', () => {
    const t = record({
      ...hmrc,
      Region: 'West Midlands,London',
      Postcode: '',
      'Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]':
        '[Sodexo Motivation Solutions Ltd|UNIT 5 ALBANY COURT | ALBANY BUSINESS PARK | FRIMLEY ROAD | CAMBERLEY GU16 7QR|NONE||No|No][Age UK Leeds|Leeds LS1 1AA|CHARITY_COMMISSION|1125403|Yes|Yes][Tiny Co|Hove BN3 1DD|COMPANIES_HOUSE|4835938|Yes|No]',
    });
    expect(t.items[0].deliveryRegions).toEqual(['West Midlands', 'London']);
    expect(t.awards[0].suppliers.map((s) => [s.name, s.identifierScheme, s.identifier, s.scale, s.address?.postcode])).toEqual([
      ['Sodexo Motivation Solutions Ltd', null, null, 'large', 'GU16 7QR'],
      ['Age UK Leeds', 'GB-CHC', '1125403', 'sme', 'LS1 1AA'],
      ['Tiny Co', 'GB-COH', '04835938', 'sme', 'BN3 1DD'],
    ]);
    expect(record({ ...hmrc, Region: '', Postcode: '', Nationwide: 'Yes' }).items[0].deliveryRegions).toEqual(['United Kingdom']);
  });

  it.each([
    [{ Title: '' }, 'no Title'],
    [{ 'Notice Identifier': ' ' }, 'no Notice Identifier'],
    [{ 'Organisation Name': '' }, 'no Organisation Name'],
    [{ 'Published Date': 'yesterday' }, 'Published Date "yesterday" is not a date'],
    [{ 'Closing Date': '31/13/2020' }, 'Closing Date "31/13/2020" is not a dd/mm/yyyy date'],
    [{ 'Cpv Codes': '7200000X' }, 'Cpv Codes: "7200000X" is not a CPV code'],
  ])('gives the reason a row cannot be read: %j', (change, reason) => {
    expect(contractsFinderCsvRelease({ ...hmrc, ...change })).toEqual({ ok: false, reason });
  });

  it.each([
    ['01/07/2020', '12:00', '2020-07-01T12:00:00+01:00'],
    ['05/12/2020', '23:59', '2020-12-05T23:59:00Z'],
    ['29/03/2020', '00:30', '2020-03-29T00:30:00Z'],
    ['29/03/2020', '02:00', '2020-03-29T02:00:00+01:00'],
    ['', '', ''],
    ['2020-13-01', '', null],
  ])('ukDate(%s, %s) = %s', (date, time, expected) => {
    expect(ukDate(date, time)).toBe(expected);
  });

  it.each([
    ['4835938', '04835938'],
    ["'04835938", '04835938'],
    ['OC 303675', 'OC303675'],
    ['OC39438', 'OC039438'],
    ['sc123456', 'SC123456'],
    ['014997267', '014997267'],
  ])('companyNumber(%s) = %s', (published, expected) => {
    expect(companyNumber(published)).toBe(expected);
  });

  it('parses supplier cells with a missing flag and an empty cell', () => {
    expect(parseSuppliers('')).toEqual([]);
    expect(parseSuppliers('[WSP|UK|NONE_OTHER||No|No]')).toEqual([{ name: 'WSP', address: 'UK', refType: 'NONE_OTHER', refNumber: '', sme: false, vcse: false }]);
  });
});
