import { describe, expect, it } from 'vitest';
import { lineExclusion, normaliseName, payeeKind, tradingNames } from '../../src/domain/spend/payees.js';
import { payeeKeyOf, REDACTED_PAYEE_KEY } from '../../src/domain/spend/rows.js';
import { SupplierResolver, type SupplierCandidate } from '../../src/domain/spend/resolve.js';
import { checkCorrection } from '../../src/domain/spend/corrections.js';
import { correctedFacts, factsOf } from '../../src/domain/spend/facts.js';

// Payee names exactly as the shared Oxford and Birmingham files publish them.
describe('payee names', () => {
  it.each([
    ['CgMs Ltd. ', 'cgms'],
    ['EDEN BROWN LTD                                    ', 'eden brown'],
    ['GRAFTON MERCHANTING GB LTD', 'grafton merchanting gb'],
    ['WOLSELEY UK LIMITED', 'wolseley uk'],
    ['The Oyster Partnership Ltd', 'oyster partnership'],
    ['Oxford & Cherwell Valley College', 'oxford and cherwell valley college'],
    ['JONES & REEVES', 'jones and reeves'],
    ['OCS GROUP UK LTD T/A CANNON', 'ocs group uk ta cannon'],
    ['1ST CHOICE SCAFFOLDING (OXFORD) LTD', '1st choice scaffolding oxford'],
    ['Café Nero Ltd', 'cafe nero'],
    ['shell kings 587', 'shell kings 587'],
  ])('%j is known as %j', (raw, key) => expect(normaliseName(raw)).toBe(key));

  it('keeps both sides of a trading name', () => {
    expect(tradingNames('OCS GROUP UK LTD T/A CANNON')).toEqual(['ocs group uk ta cannon', 'ocs group uk', 'cannon']);
    expect(tradingNames('J Smith trading as Smith Plumbing')).toEqual(['j smith trading as smith plumbing', 'j smith', 'smith plumbing']);
  });

  it('gives every redacted name one key', () => {
    for (const n of ['Redacted personal data', 'Redacted, personal data', 'REDACTED']) expect(payeeKeyOf(n)).toBe(REDACTED_PAYEE_KEY);
  });
});

describe('payee kinds', () => {
  it.each([
    ['Redacted personal data', 'individual'],
    ['Redacted, personal data', 'individual'],
    ['MR Y ALI', 'individual'],
    ['HMRC', 'public_body'],
    ['KENT COUNTY COUNCIL', 'public_body'],
    ['OXFORDSHIRE COUNTY COUNCIL', 'public_body'],
    ['Oxford & Cherwell Valley College', 'public_body'],
    ['STOWE SCHOOL', 'public_body'],
    ['civil justice cent', 'public_body'],
    ['land registry', 'public_body'],
    ['Oxfordshire Pension Fund', 'public_body'],
    ['Oxford University Hindu Society', 'vcse'],
    ['OXFORD ROUND TABLE CHARITABLE TRUST', 'vcse'],
    ['Three Counties Services CIC', 'vcse'],
    ['Oxford Pride Group', 'company'],
    ['GRAFTON MERCHANTING GB LTD', 'company'],
    ['SOUTHERN ELECTRIC PLC', 'company'],
    ['shell kings 587', 'unknown'],
    ['amazon uk marketplace', 'unknown'],
  ])('%j is %s', (name, kind) => expect(payeeKind(name)).toBe(kind));
});

describe('payroll and tax lines', () => {
  it.each([
    [{ payee: 'HMRC', expenseType: 'C.I.T.Awaiting Payment' }, 'tax'],
    [{ payee: 'HM Revenue & Customs', expenseType: 'PAYE and NIC' }, 'payroll'],
    [{ payee: 'Oxfordshire Pension Fund', expenseType: 'Creditors - BACS' }, 'payroll'],
    [{ payee: 'CHAMPION EMPLOYMENT LTD', expenseType: "Employer's NI" }, 'payroll'],
    [{ payee: 'ATKINS LIMITED', expenseType: 'VAT Pro Forma Invoices' }, null],
    [{ payee: 'CHAMPION EMPLOYMENT LTD', expenseType: 'Temporary Bureau Staffing' }, null],
  ])('%j → %s', (line, exclusion) => expect(lineExclusion(line)).toBe(exclusion));
});

const candidate = (source: SupplierCandidate['source'], ref: string, name: string, more: Partial<SupplierCandidate> = {}): SupplierCandidate => ({
  source, ref, name, companyNumber: null, postcode: null, homeRegion: null, sme: null, vcse: null, ...more,
});

describe('supplier resolution', () => {
  const resolver = new SupplierResolver([
    candidate('directory', 'grafton', 'Grafton Merchanting GB Limited', { postcode: 'OX4 6LB' }),
    candidate('award', 'ocds-1/a1/p1', 'GRAFTON MERCHANTING GB LTD', { companyNumber: '00256681', postcode: 'NN4 7YE' }),
    candidate('registry', 's-1', 'Oxford Safety Supplies', { postcode: 'OX2 0ES', sme: true }),
    candidate('directory', 'banbury-glass', 'Banbury Glass Ltd'),
    candidate('award', 'ocds-2/a1/p1', 'Wolseley UK Limited'),
  ]);

  it('takes an exact name in source order: registry, then award suppliers, then the directory', () => {
    expect(resolver.resolve('GRAFTON MERCHANTING GB LTD')).toMatchObject({ method: 'exact', confidence: 1, candidate: { source: 'award', ref: 'ocds-1/a1/p1' } });
    expect(resolver.resolve('OXFORD SAFETY SUPPLIES')).toMatchObject({ method: 'exact', candidate: { source: 'registry' } });
  });

  it('takes a Companies House number the line gives before any name', () => {
    expect(resolver.resolve('Grafton', '00256681')).toMatchObject({ method: 'company_number', candidate: { ref: 'ocds-1/a1/p1' } });
  });

  it('matches a misspelt name fuzzily with its confidence, never a different first word', () => {
    const r = resolver.resolve('WOLSELY UK LTD');
    expect(r).toMatchObject({ method: 'fuzzy', candidate: { ref: 'ocds-2/a1/p1' } });
    expect(r!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(r!.confidence).toBeLessThan(1);
    expect(resolver.resolve('Oxford Glass Ltd')).toBeNull();
    expect(resolver.resolve('shell kings 587')).toBeNull();
  });

  it('never resolves a redacted individual', () => {
    expect(factsOf({ payeeKey: REDACTED_PAYEE_KEY, name: 'Redacted personal data' }, resolver.resolve('Redacted personal data'))).toMatchObject({ source: null, method: 'individual', kind: 'individual' });
  });

  it('lets an analyst confirm, correct or unresolve', () => {
    const payee = { payeeKey: 'grafton merchanting gb', name: 'GRAFTON MERCHANTING GB LTD' };
    const auto = factsOf(payee, resolver.resolve(payee.name));
    expect(auto).toMatchObject({ source: 'award', method: 'exact', postcode: 'NN4 7YE' });
    const correction = { candidate: null, supplierName: null, postcode: null, sme: null, vcse: null };
    expect(correctedFacts(payee, { action: 'confirm', ...correction }, auto)).toMatchObject({ source: 'award', method: 'analyst', confidence: 1 });
    expect(correctedFacts(payee, { action: 'unresolve', ...correction }, auto)).toMatchObject({ source: null, method: 'analyst' });
    const branch = candidate('directory', 'grafton', 'Grafton Merchanting GB Limited', { postcode: 'OX4 6LB', sme: false });
    expect(correctedFacts(payee, { action: 'correct', ...correction, candidate: branch }, auto)).toMatchObject({ source: 'directory', supplierRef: 'grafton', postcode: 'OX4 6LB', place: { itl1: 'TLJ' }, sme: false, method: 'analyst' });
    expect(correctedFacts(payee, { action: 'correct', ...correction, postcode: 'B1 1BB', sme: true }, auto)).toMatchObject({ source: 'analyst', place: { itl1: 'TLG' }, sme: true });
  });

  it('checks a correction, naming every bad field', () => {
    expect(checkCorrection({ action: 'fix', postcode: 'nowhere', sme: 'maybe' })).toEqual({
      ok: false,
      problems: [
        { field: 'action', message: 'must be confirm, correct or unresolve' },
        { field: 'postcode', message: 'must be a UK postcode' },
        { field: 'sme', message: 'must be true or false' },
      ],
    });
    expect(checkCorrection({ action: 'correct' })).toMatchObject({ ok: false, problems: [{ field: 'source' }] });
    expect(checkCorrection({ action: 'correct', source: 'registry', supplier_ref: 's-1' })).toMatchObject({ ok: true, value: { source: 'registry', supplierRef: 's-1' } });
  });
});
