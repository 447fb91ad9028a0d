/**
 * Tenders reserved for suppliers based in a place (UK extension: otherRequirements.reservedParticipationLocation):
 * from the release, through the normaliser and the opportunities, to the scorer's gate, its reasons, and the
 * index, which must keep exactly the suppliers that scoring every pair keeps.
 */
import { describe, expect, it } from 'vitest';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { opportunitiesOf, wholeTenderOpportunity } from '../../src/domain/matching/opportunity.js';
import { SupplierIndex } from '../../src/domain/matching/supplier-index.js';
import type { MatchSettings, Opportunity } from '../../src/domain/matching/types.js';
import { scoreMatch } from '../../src/domain/matching/verdict.js';
import { ftsReservedTender, s2wLotsByPlace } from '../support/fixtures/releases.js';
import { supplier } from '../support/matching-fixtures.js';

const NOW = new Date('2026-11-24T09:00:00Z');
const SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };
const KENT = { description: 'Kent', gazetteer: { scheme: 'NUTS', identifiers: ['UKJ4'] } };

/** The opportunities of a release, normalised as the store does. */
const opportunities = (release: JsonObject) => opportunitiesOf(normalise(compileReleases([release])));

describe('a location reservation is carried from the notice into what suppliers bid for', () => {
  it('the whole of a one-lot tender reserved on the tender', () => {
    const [o] = opportunities(ftsReservedTender(1, { tender: { reservedParticipation: ['smeVcse'], reservedParticipationLocation: KENT } }));
    expect(o).toMatchObject({ lotId: '', reserved: ['smeVcse'], reservedPlaces: ['TLJ4'], reservedLocation: 'Kent' });
  });

  it('the whole of a one-lot tender whose lot carries the reservation', () => {
    const [o] = opportunities(ftsReservedTender(2, { lot: { reservedParticipation: ['vcse'], reservedParticipationLocation: KENT } }));
    expect(o).toMatchObject({ lotId: '', reserved: ['vcse'], reservedPlaces: ['TLJ4'] });
  });

  it('each lot of a multi-lot tender its own reservation, or else the tender\'s', () => {
    const release = s2wLotsByPlace(1);
    const tender = release.tender as { lots: JsonObject[]; otherRequirements?: JsonObject };
    tender.otherRequirements = { reservedParticipationLocation: { description: 'Wales', gazetteer: { scheme: 'NUTS', identifiers: ['UKL'] } } };
    tender.lots[1].otherRequirements = { reservedParticipationLocation: { description: 'Gwynedd', gazetteer: { scheme: 'NUTS', identifiers: ['UKL12'] } } };
    const opps = opportunities(release);
    expect(opps.map((o) => [o.lotId, o.reservedPlaces])).toEqual([
      ['1', ['TLL']],
      ['2', ['TLL12']],
      ['3', ['TLL']],
    ]);
  });

  it('the whole of a multi-lot tender whose every lot reserves by location: anywhere one lot allows', () => {
    const release = s2wLotsByPlace(2);
    const lots = (release.tender as { lots: JsonObject[] }).lots;
    ['UKL13', 'UKL12', 'UKL23'].forEach((code, i) => (lots[i].otherRequirements = { reservedParticipationLocation: { gazetteer: { scheme: 'NUTS', identifiers: [code] } } }));
    expect(wholeTenderOpportunity(normalise(compileReleases([release]))).reservedPlaces).toEqual(['TLL13', 'TLL12', 'TLL23']);
    // One lot open to all: the whole is not reserved by location.
    delete lots[2].otherRequirements;
    expect(wholeTenderOpportunity(normalise(compileReleases([release]))).reservedPlaces).toEqual([]);
  });
});

describe('the scorer enforces the reservation and says whether the supplier is based there', () => {
  const [kent] = opportunities(ftsReservedTender(3, { tender: { reservedParticipation: ['smeVcse'], reservedParticipationLocation: KENT } }));
  const [norfolk] = opportunities(ftsReservedTender(4, { tender: { reservedParticipationLocation: { description: 'Norfolk' } } }));
  const [uk] = opportunities(ftsReservedTender(5, { tender: { reservedParticipationLocation: { description: 'United Kingdom' } } }));
  const grounds = { cpv: ['77310000'], maxContractValue: 200000, description: 'Grass cutting and hedge maintenance for councils' };
  it.each<[string, Opportunity, ReturnType<typeof supplier>, boolean, RegExp]>([
    ['based in Mid Kent, inside Kent', kent, supplier({ id: 'mid-kent', homeRegion: 'TLJ45', ...grounds }), true, /^Bids are reserved for suppliers based in Kent \(TLJ4\), and you are \(Mid Kent \(TLJ45\)\)\.$/],
    ['based in Heart of Essex, serving Kent', kent, supplier({ id: 'essex', homeRegion: 'TLH36', serves: ['TLJ4'], ...grounds }), false, /^Bids are reserved for suppliers based in Kent \(TLJ4\), and you are not: you are based in Heart of Essex \(TLH36\)\.$/],
    ['national, based in Devon', kent, supplier({ id: 'devon', homeRegion: 'TLK43', national: true, ...grounds }), false, /and you are not: you are based in/],
    ['no base given, serving nationally', kent, supplier({ id: 'nowhere', national: true, ...grounds }), false, /^Bids are reserved for suppliers based in Kent \(TLJ4\), and you have not said where you are based\.$/],
    ['registered only in the South East region (from its postcode)', kent, supplier({ id: 'south-east', homeRegion: 'TLJ', ...grounds }), true, /^Bids are reserved for suppliers based in Kent \(TLJ4\); you are registered in South East \(England\) \(TLJ\), which is wider, so check that you are based in Kent \(TLJ4\) before bidding\.$/],
    ['a place tendermatch cannot read: no one is shut out, everyone is warned', norfolk, supplier({ id: 'anyone', homeRegion: 'TLJ45', ...grounds }), true, /^The notice reserves bids for suppliers based in "Norfolk", a place tendermatch could not read: check that you are based there before bidding\.$/],
    ['UK-based suppliers only, and a Glasgow firm serving Kent', uk, supplier({ id: 'glasgow', homeRegion: 'TLM82', serves: ['TLJ'], ...grounds }), true, /^Bids are reserved for suppliers based in the UK, and you are\.$/],
  ])('%s', (_name, opp, sup, eligible, reason) => {
    const v = scoreMatch(opp, sup, SETTINGS, NOW);
    expect(v.eligible).toBe(eligible);
    if (v.eligible) expect(v.reasons.filter((r) => /reserve/.test(r) && !/SMEs and VCSEs/.test(r))).toEqual([expect.stringMatching(reason)]);
    else expect(v).toMatchObject({ rule: 'reserved', reason: expect.stringMatching(reason) });
  });

  it('says "England" for a reservation to the nine English regions', () => {
    const [england] = opportunities(ftsReservedTender(6, { tender: { reservedParticipationLocation: { description: 'England' } } }));
    const v = scoreMatch(england, supplier({ id: 'cardiff', homeRegion: 'TLL22', serves: ['TLJ'], cpv: ['77310000'] }), SETTINGS, NOW);
    expect(v).toMatchObject({ eligible: false, reason: 'Bids are reserved for suppliers based in England, and you are not: you are based in Cardiff and Vale of Glamorgan (TLL22).' });
  });
});

describe('the index keeps exactly the suppliers that scoring every pair keeps under a location reservation', () => {
  // Real ITL areas in and around Kent and Wales, at every level, and suppliers that serve beyond their base.
  const homes = ['TLJ41', 'TLJ43', 'TLJ45', 'TLJ4', 'TLJ', 'TLJ2', 'TLH36', 'TLI31', 'TLL12', 'TLL13', 'TLL23', 'TLL', 'TLK43'];
  const codes = ['77310000', '77311000', '77300000', '77000000', '50712000', '50800000', '50700000', '45000000'];
  let seed = 5;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const suppliers = Array.from({ length: 400 }, (_, i) =>
    supplier({
      id: `r${String(i).padStart(3, '0')}`,
      kind: pick(['micro', 'small', 'medium', 'vcse', 'cooperative'] as const),
      cpv: [pick(codes), ...(rnd() < 0.4 ? [pick(codes)] : [])],
      homeRegion: rnd() < 0.05 ? null : pick(homes),
      serves: rnd() < 0.4 ? [pick(homes)] : [],
      national: rnd() < 0.1,
      maxContractValue: rnd() < 0.3 ? null : Math.round(20000 + rnd() * 300000),
      description: pick(['grass cutting and hedge maintenance', 'automatic door maintenance', 'tree works', 'building works']),
    }),
  );
  const index = new SupplierIndex(suppliers);
  const notices: Opportunity[] = [
    ...opportunities(ftsReservedTender(7, { tender: { reservedParticipationLocation: KENT } })),
    ...opportunities(ftsReservedTender(8, { tender: { reservedParticipation: ['vcse'], reservedParticipationLocation: { gazetteer: { identifiers: ['UKJ45', 'UKJ46'] } } } })),
    ...opportunities(ftsReservedTender(9, { lot: { reservedParticipationLocation: { description: 'United Kingdom' } } })),
    ...opportunities(ftsReservedTender(10, { tender: { reservedParticipationLocation: { description: 'Norfolk' } } })),
    ...(() => {
      const release = s2wLotsByPlace(3);
      const lots = (release.tender as { lots: JsonObject[] }).lots;
      ['UKL13', 'UKL1', 'UKL23'].forEach((code, i) => (lots[i].otherRequirements = { reservedParticipationLocation: { gazetteer: { identifiers: [code] } } }));
      return opportunities(release);
    })(),
  ];
  const pairs = (rs: Array<{ supplierId: string; score: number }>) => rs.map((r) => [r.supplierId, r.score]);

  it.each([1, 5, 20, Number.POSITIVE_INFINITY])('top %s: same suppliers, scores and order as all pairs, and only suppliers the one-off scorer accepts', (limit) => {
    let shutOut = 0;
    for (const opp of notices) {
      const options = limit === Number.POSITIVE_INFINITY ? {} : { limit };
      const fast = index.match(opp, NOW, SETTINGS, options);
      const slow = index.matchAllPairs(opp, NOW, SETTINGS, options);
      expect(pairs(fast)).toEqual(pairs(slow));
      expect(fast.map((r) => r.reasons)).toEqual(slow.map((r) => r.reasons));
      const accepted = suppliers.filter((s) => scoreMatch(opp, s, SETTINGS, NOW).eligible).map((s) => s.id);
      if (limit === Number.POSITIVE_INFINITY) expect(fast.map((r) => r.supplierId).sort()).toEqual(accepted);
      const open = index.matchAllPairs({ ...opp, reservedPlaces: [] }, NOW, SETTINGS, options);
      if (open.length > slow.length) shutOut++;
    }
    // The reservation bites: it shuts suppliers out that would otherwise be matched.
    if (limit === Number.POSITIVE_INFINITY) expect(shutOut).toBeGreaterThanOrEqual(5);
  });
});
