import { describe, expect, it } from 'vitest';
import type { Exclusion, PayeeKind } from '../../src/domain/spend/payees.js';
import type { BuyerArea, SupplierPlace } from '../../src/domain/spend/places.js';
import { computeReport, computeReportFromRollups, factsOfClass, payeeClassOf, payeeRef, type LocalSupplier, type PayeeFacts, type SpendCell } from '../../src/domain/spend/report.js';

// Places are set directly here (LADs, ITL3, combined authorities), as geo's postcode lookup will give them.
const WMCA = 'West Midlands Combined Authority';
const birmingham: BuyerArea = { buyerId: 'birmingham city council', name: 'Birmingham City Council', regionCode: null, lad: 'E08000025', ladName: 'Birmingham', itl3: 'TLG31', itl1: 'TLG', combinedAuthority: WMCA };
const oxford: BuyerArea = { buyerId: 'oxford city council', name: 'Oxford City Council', regionCode: null, lad: 'E07000178', ladName: 'Oxford', itl3: 'TLJ14', itl1: 'TLJ', combinedAuthority: null };

const place = (lad: string | null, itl3: string | null, itl1: string | null, ca: string | null = null): SupplierPlace => ({ lad, itl3, itl1, combinedAuthority: ca, uk: true });
const PLACES = {
  birmingham: place('E08000025', 'TLG31', 'TLG', WMCA),
  coventry: place('E08000026', 'TLG33', 'TLG', WMCA),
  stafford: place('E07000197', 'TLG24', 'TLG'),
  london: place('E09000033', 'TLI32', 'TLI', 'Greater London Authority'),
  westMidlandsOnly: place(null, null, 'TLG'),
  southEastOnly: place(null, null, 'TLJ'),
  oxford: place('E07000178', 'TLJ14', 'TLJ'),
};

function facts(buyer: BuyerArea, payeeKey: string, kind: PayeeKind, p: SupplierPlace | null, more: Partial<PayeeFacts> = {}): [string, PayeeFacts] {
  const resolved = p !== null || more.source !== undefined;
  return [
    payeeRef(buyer.buyerId, payeeKey),
    {
      payeeKey, name: payeeKey.toUpperCase(), kind, source: resolved ? 'registry' : null, supplierRef: resolved ? `s-${payeeKey}` : null, supplierName: resolved ? payeeKey : null,
      method: resolved ? 'exact' : kind === 'individual' ? 'individual' : 'none', confidence: resolved ? 1 : 0, postcode: null, place: p, sme: null, vcse: null, ...more,
    },
  ];
}
const cell = (buyer: BuyerArea, payeeKey: string, pounds: number, category: string | null = '45000000', quarter = '2014Q1', exclusion: Exclusion | null = null): SpendCell => ({
  buyerId: buyer.buyerId, quarter, payeeKey, category, exclusion, pence: Math.round(pounds * 100), payments: 1,
});

const payees = new Map<string, PayeeFacts>([
  facts(birmingham, 'local firm', 'company', PLACES.birmingham, { sme: true }),
  facts(birmingham, 'second local firm', 'company', PLACES.birmingham, { sme: true }),
  facts(birmingham, 'coventry firm', 'company', PLACES.coventry, { sme: false }),
  facts(birmingham, 'stafford firm', 'company', PLACES.stafford),
  facts(birmingham, 'london firm', 'company', PLACES.london),
  facts(birmingham, 'region only', 'company', PLACES.westMidlandsOnly),
  facts(birmingham, 'south east only', 'company', PLACES.southEastOnly),
  facts(birmingham, 'unknown payee', 'unknown', null),
  facts(birmingham, 'redacted personal data', 'individual', null),
  facts(birmingham, 'solihull council', 'public_body', place('E08000029', 'TLG32', 'TLG', WMCA)),
  facts(birmingham, 'hmrc', 'public_body', null),
  facts(birmingham, 'pension fund', 'public_body', null),
  facts(oxford, 'oxford firm', 'vcse', PLACES.oxford, { vcse: true, sme: true }),
]);
const cells: SpendCell[] = [
  cell(birmingham, 'local firm', 60),
  cell(birmingham, 'local firm', 40, '45000000', '2014Q3'),
  cell(birmingham, 'coventry firm', 50),
  cell(birmingham, 'stafford firm', 30, '79000000'),
  cell(birmingham, 'london firm', 20, '72000000'),
  cell(birmingham, 'region only', 40),
  cell(birmingham, 'south east only', 10),
  cell(birmingham, 'unknown payee', 25),
  cell(birmingham, 'redacted personal data', 5, null),
  cell(birmingham, 'solihull council', 60),
  cell(birmingham, 'hmrc', 15, null, '2014Q1', 'tax'),
  cell(birmingham, 'pension fund', 7, null, '2014Q1', 'payroll'),
];
const locals: LocalSupplier[] = [
  { id: 'l1', name: 'Digbeth Builders Co-operative', kind: 'cooperative', place: PLACES.birmingham, divisions: ['45000000'] },
  { id: 'l2', name: 'Oxford Code Ltd', kind: 'small', place: PLACES.oxford, divisions: ['72000000'] },
];

describe('the spend report', () => {
  const r = computeReport(cells, payees, [birmingham], { localSuppliers: locals });

  it('separates what a council cannot influence, by reason, and never drops it', () => {
    expect(r.total).toBe(362);
    expect(r.excluded).toMatchObject({ total: 82, payroll: 7, tax: 15, public_body: 60 });
    expect(r.influenceable).toBe(280);
  });

  it('reports unresolved spend as its own share of influenceable spend', () => {
    expect(r.unresolved_share).toEqual({ share: 0.1071, amount: 30, denominator: 280, of: 'influenceable spend' });
    expect(r.unresolved_individuals).toBe(5);
    expect(r.resolved).toBe(250);
  });

  it('gives the own-area (LAD) share of resolved spend placed at that level, saying what was not placed', () => {
    expect(r.local_share.own_area).toMatchObject({ area: 'Birmingham (E08000025)', share: 0.4762, amount: 100, denominator: 210, not_known: 40 });
  });

  it('gives the combined authority share as the wider area', () => {
    expect(r.local_share.named_place).toMatchObject({ area: WMCA, share: 0.7143, amount: 150, denominator: 210, not_known: 40 });
  });

  it('gives the ITL1 and UK shares', () => {
    expect(r.local_share.itl1).toMatchObject({ area: 'TLG', share: 0.88, amount: 220, denominator: 250, not_known: 0 });
    expect(r.local_share.uk).toMatchObject({ share: 1, denominator: 250 });
  });

  it('gives SME and VCSE shares with their denominators', () => {
    expect(r.sme_share).toMatchObject({ share: 0.6667, amount: 100, denominator: 150, not_known: 100 });
    expect(r.vcse_share).toMatchObject({ share: 0, denominator: 250 });
  });

  it('reports financial quarters, gaps included', () => {
    expect(r.by_quarter.map((q) => [q.quarter, q.label, q.total, q.local_share.own_area.share])).toEqual([
      ['2014Q1', '2014/15 Q1', 322, 0.3529],
      ['2014Q2', '2014/15 Q2', 0, null],
      ['2014Q3', '2014/15 Q3', 40, 1],
    ]);
  });

  it('reports categories with their CPV labels', () => {
    expect(r.by_category.map((c) => [c.category, c.label, c.influenceable, c.leakage])).toEqual([
      ['45000000', 'Construction work', 225, 60],
      ['79000000', 'Business services: law, marketing, consulting, recruitment, printing and security', 30, 0],
      ['72000000', 'IT services: consulting, software development, Internet and support', 20, 0],
      [null, 'Not categorised', 5, 0],
    ]);
  });

  it('names spend leaving the area in categories where a registered local supplier can do the work', () => {
    expect(r.leakage).toMatchObject({ level: 'own_area', area: 'Birmingham (E08000025)', outside: 110, addressable: 60 });
    expect(r.leakage.categories).toEqual([{ category: '45000000', label: 'Construction work', amount: 60, suppliers: 2, local_suppliers: 1, search_url: '/suppliers?cpv=45&region=TLG31' }]);
    expect(r.leakage.suppliers.map((s) => [s.supplier, s.leaking, s.local_alternatives.map((a) => a.name)])).toEqual([
      ['coventry firm', 50, ['Digbeth Builders Co-operative']],
      ['south east only', 10, ['Digbeth Builders Co-operative']],
    ]);
  });

  it('counts public bodies when asked, and says so', () => {
    const withPublic = computeReport(cells, payees, [birmingham], { exclude: ['payroll', 'tax'] });
    expect(withPublic.influenceable).toBe(340);
    expect(withPublic.excluded.public_body).toBe(0);
    expect(withPublic.excluded.included_although_excludable.public_body).toBe(60);
    expect(withPublic.local_share.named_place).toMatchObject({ amount: 210, denominator: 270 });
  });

  it('tests each buyer against its own area in a report of several', () => {
    const both = computeReport([...cells, cell(oxford, 'oxford firm', 100, '72000000')], payees, [birmingham, oxford], { localSuppliers: locals });
    expect(both.local_share.own_area).toMatchObject({ area: 'each buyer’s own area', amount: 200, denominator: 310 });
    expect(both.vcse_share).toMatchObject({ amount: 100, denominator: 350 });
  });

  it('takes an ITL code given for the buyer as its own area', () => {
    const byRegion = computeReport([cell(oxford, 'oxford firm', 100), cell(oxford, 'south east only', 50)], new Map([
      facts(oxford, 'oxford firm', 'company', PLACES.oxford),
      facts(oxford, 'south east only', 'company', PLACES.southEastOnly),
    ]), [{ ...oxford, regionCode: 'TLJ14' }]);
    expect(byRegion.local_share.own_area).toMatchObject({ area: 'TLJ14', share: 1, denominator: 100, not_known: 50 });
  });

  it('tests a named place by its ITL codes', () => {
    const named = computeReport(cells, payees, [birmingham], { place: { name: 'Black Country and Birmingham', codes: ['TLG31', 'TLG32', 'TLG37'], combinedAuthority: null } });
    expect(named.local_share.named_place).toMatchObject({ area: 'Black Country and Birmingham', amount: 100, denominator: 210, not_known: 40 });
    // A report asked for a place leads with it, and measures leakage out of it.
    expect(named.headline_level).toBe('named_place');
    expect(named.leakage).toMatchObject({ level: 'named_place', area: 'Black Country and Birmingham' });
  });
});

describe('the report from rollups', () => {
  it('is the same report as from payee cells, when shares are summed by payee class and suppliers over the period', () => {
    const all = [...cells, cell(birmingham, 'second local firm', 12.5), cell(oxford, 'oxford firm', 100, '72000000', '2014Q2')];
    const buyers = [birmingham, oxford];
    const byClass = new Map<string, SpendCell>();
    const byPayee = new Map<string, SpendCell>();
    for (const c of all) {
      const cls = payeeClassOf(payees.get(payeeRef(c.buyerId, c.payeeKey))!);
      for (const [map, key, cellOf] of [
        [byClass, `${c.buyerId}|${c.quarter}|${c.category}|${c.exclusion}|${cls}`, { ...c, payeeKey: cls }],
        [byPayee, `${c.buyerId}|${c.payeeKey}|${c.category}|${c.exclusion}`, { ...c, quarter: '' }],
      ] as Array<[Map<string, SpendCell>, string, SpendCell]>) {
        const known = map.get(key);
        if (known) {
          known.pence += c.pence;
          known.payments += c.payments;
        } else map.set(key, { ...cellOf });
      }
    }
    expect(byClass.size).toBeLessThan(all.length);
    const direct = computeReport(all, payees, buyers, { localSuppliers: locals });
    const fromRollups = computeReportFromRollups([...byClass.values()], [...byPayee.values()], payees, buyers, { localSuppliers: locals });
    expect(fromRollups).toEqual(direct);
  });

  it('reads a payee class back as the facts the shares need', () => {
    const f = payees.get(payeeRef(birmingham.buyerId, 'coventry firm'))!;
    expect(factsOfClass(payeeClassOf(f))).toMatchObject({ kind: 'company', source: 'class', place: f.place, sme: false, vcse: null });
    expect(factsOfClass(payeeClassOf(payees.get(payeeRef(birmingham.buyerId, 'unknown payee'))!))).toMatchObject({ source: null, place: null });
  });
});
