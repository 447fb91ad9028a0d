import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { compileOpportunity, compileSupplier } from '../../src/domain/matching/compile.js';
import { rankAllPairs, SupplierIndex } from '../../src/domain/matching/supplier-index.js';
import { Vocabulary, words } from '../../src/domain/matching/text.js';
import type { MatchSettings } from '../../src/domain/matching/types.js';
import { rankValue, scoreMatch } from '../../src/domain/matching/verdict.js';
import { opportunitiesOf } from '../../src/domain/matching/opportunity.js';
import { deriveHighPotential, normaliseCompanyNumber } from '../../src/domain/suppliers/index.js';
import { SHARED_DATA } from '../support/helpers.js';
import { opportunity, supplier } from '../support/matching-fixtures.js';

const NOW = new Date('2026-11-24T09:00:00Z');
const SETTINGS: MatchSettings = { localWeight: 0.25, highPotentialBoost: 0.05 };

// Real notices: "Composting of Organic Green Waste" (Public Contracts Scotland, East Ayrshire, CPV 90500000 and
// 77120000) and "Five Year Electrical Inspection Contract, Various Addresses, North Glasgow" (CPV 50711000, UKM82).
const composting = opportunity({
  title: 'Composting of Organic Green Waste',
  text: 'Composting of Organic Green Waste\nLot 2 - South of the Authority\nCollection from a central location',
  cpv: ['90500000', '77120000'],
  places: [{ code: 'TLM93', national: false }],
  value: 120000,
});
const electrical = opportunity({
  title: 'Five Year Electrical Inspection Contract, Various Addresses, North Glasgow',
  text: 'Five Year Electrical Inspection Contract, Various Addresses, North Glasgow\nElectrical installation condition reports. The works are to be carried out in accordance with BS 7671',
  cpv: ['50711000'],
  places: [{ code: 'TLM82', national: false }],
  value: 300000,
  suitableSme: true,
});

describe('scoring a supplier against a tender or lot', () => {
  const cases: Array<{
    name: string;
    opp: ReturnType<typeof opportunity>;
    sup: ReturnType<typeof supplier>;
    eligible: boolean;
    rule?: string;
    reason: RegExp;
    /**
     * Where the score must fall, from the documented formula: 0.25 × place + 0.75 × (0.55 × capability + 0.15 × size
     * + 0.15 × suitability + 0.15 × time), capability = 0.6 × CPV + 0.25 × text + 0.15 × track record.
     */
    score?: [number, number];
  }> = [
    {
      name: 'exact CPV, based in the same ITL3 area',
      opp: composting,
      sup: supplier({ id: 'a', cpv: ['90500000'], homeRegion: 'TLM93', description: 'Organic waste composting and green waste collection', maxContractValue: 500000 }),
      eligible: true,
      reason: /exactly what the tender asks for/,
      // CPV (1 + 0) / 2, some shared words: capability 0.3–0.55; place 1, size 1, suitability 0.6, time 1.
      score: [0.66, 0.77],
    },
    {
      name: 'broader CPV code covering the notice code',
      opp: electrical,
      sup: supplier({ id: 'b', cpv: ['50700000'], homeRegion: 'TLM8', maxContractValue: 1e6 }),
      eligible: true,
      reason: /falls under your 50700000/,
      // CPV 0.683 (the group above the notice's class), no shared words: capability 0.41; ITL2 place 0.75, size 1, suitable 1, time 1.
      score: [0.685, 0.705],
    },
    {
      name: 'no CPV code near the notice',
      opp: electrical,
      sup: supplier({ id: 'c', cpv: ['79421100'], homeRegion: 'TLM82', national: true }),
      eligible: false,
      rule: 'capability',
      reason: /None of your CPV codes/,
    },
    {
      name: 'does not serve the delivery place',
      opp: electrical,
      sup: supplier({ id: 'd', cpv: ['50711000'], homeRegion: 'TLK4', serves: ['TLK'] }),
      eligible: false,
      rule: 'place',
      reason: /Delivery is in .*TLM82.*which you do not serve/,
    },
    {
      name: 'value above its capacity',
      opp: electrical,
      sup: supplier({ id: 'e', cpv: ['50711000'], homeRegion: 'TLM82', maxContractValue: 100000 }),
      eligible: false,
      rule: 'capacity',
      reason: /above the largest contract you can deliver alone \(£100k\); a consortium could bid/,
    },
    {
      name: 'VCSE-reserved tender and a small firm',
      opp: { ...electrical, reserved: ['vcse'] },
      sup: supplier({ id: 'f', cpv: ['50711000'], homeRegion: 'TLM82' }),
      eligible: false,
      rule: 'reserved',
      reason: /reserved for VCSEs/,
    },
    {
      name: 'SME/VCSE-reserved tender and a VCSE',
      opp: { ...electrical, reserved: ['smeVcse'] },
      sup: supplier({ id: 'g', kind: 'vcse', cpv: ['50711000'], homeRegion: 'TLM82' }),
      eligible: true,
      reason: /reserved for SMEs and VCSEs, and you qualify/,
      // CPV 1: capability 0.6; ITL3 place 1, size 0.6 (capacity unstated), reserved 1, time 1.
      score: [0.78, 0.8],
    },
    {
      name: 'past its deadline',
      opp: { ...electrical, deadline: '2026-11-20T12:00:00Z' },
      sup: supplier({ id: 'h', cpv: ['50711000'], homeRegion: 'TLM82' }),
      eligible: false,
      rule: 'expired',
      reason: /closed for bids on 2026-11-20/,
    },
    {
      name: 'cancelled',
      opp: { ...electrical, status: 'cancelled' },
      sup: supplier({ id: 'i', cpv: ['50711000'], homeRegion: 'TLM82' }),
      eligible: false,
      rule: 'closed',
      reason: /cancelled/,
    },
    {
      name: 'UK-wide work is open to a supplier anywhere',
      opp: { ...electrical, places: [{ code: 'TL', national: true }] },
      sup: supplier({ id: 'j', cpv: ['50711000'], homeRegion: 'TLK4' }),
      eligible: true,
      reason: /UK-wide/,
      // CPV 1: capability 0.6; UK-wide place 0.3, size 0.6, suitable 1, time 1.
      score: [0.605, 0.625],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = scoreMatch(c.opp, c.sup, SETTINGS, NOW);
      expect(v.eligible).toBe(c.eligible);
      if (v.eligible) {
        const [min, max] = c.score ?? [Number.NaN, Number.NaN];
        expect(v.score).toBeGreaterThanOrEqual(min);
        expect(v.score).toBeLessThanOrEqual(max);
        expect(v.reasons.join(' ')).toMatch(c.reason);
      } else {
        expect(v.rule).toBe(c.rule);
        expect(v.reason).toMatch(c.reason);
      }
    });
  }

  it('ranks local over distant, ITL3 over ITL1, and the local weight widens the gap', () => {
    const national = supplier({ id: 'n', cpv: ['50711000'], homeRegion: 'TLK4', national: true });
    const region = supplier({ id: 'r', cpv: ['50711000'], homeRegion: 'TLM' });
    const area = supplier({ id: 'l', cpv: ['50711000'], homeRegion: 'TLM82' });
    const score = (s: typeof national, w: number) => {
      const v = scoreMatch(electrical, s, { ...SETTINGS, localWeight: w }, NOW);
      if (!v.eligible) throw new Error(v.reason);
      return v.score;
    };
    expect(score(area, 0.25)).toBeGreaterThan(score(region, 0.25));
    expect(score(region, 0.25)).toBeGreaterThan(score(national, 0.25));
    expect(score(area, 0.6) - score(national, 0.6)).toBeGreaterThan(score(area, 0.25) - score(national, 0.25));
    const v = scoreMatch(electrical, area, SETTINGS, NOW);
    expect(v.eligible && v.reasons.join(' ')).toMatch(/You are based in Glasgow City \(TLM82\), where the work is delivered/);
  });

  it('says the days left and that the buyer marked it suitable for SMEs', () => {
    const v = scoreMatch(electrical, supplier({ id: 's', cpv: ['50711000'], homeRegion: 'TLM82', maxContractValue: 1e6 }), SETTINGS, NOW);
    expect(v.eligible).toBe(true);
    if (!v.eligible) return;
    expect(v.reasons).toContain('26 days left to bid (closes 2026-12-20).');
    expect(v.reasons).toContain('The buyer marked it as suitable for SMEs.');
    expect(v.reasons).toContain('The value, £300k, is within the £1m you can deliver.');
  });

  it('raises a high-potential firm in rankings without dropping anyone', () => {
    const a = scoreMatch(electrical, supplier({ id: 'a', cpv: ['50711000'], homeRegion: 'TLM82' }), SETTINGS, NOW);
    const b = scoreMatch(electrical, supplier({ id: 'b', cpv: ['50711000'], homeRegion: 'TLM82', highPotential: true }), SETTINGS, NOW);
    if (!a.eligible || !b.eligible) throw new Error('both should match');
    expect(a.score).toBe(b.score);
    expect(rankValue(b, SETTINGS)).toBeCloseTo(b.score + 0.05);
    expect(rankValue(a, SETTINGS)).toBe(a.score);
  });
});

describe('words of a text as ids', () => {
  it.each([
    ['Grounds maintenance, grass cutting and planting for councils and housing associations.'],
    ['Supply of LED street lights and lighting columns; lights, LIGHT, lighting'],
    // Mojibake exactly as Contracts Finder publishes it, digits, short words, boilerplate and plurals.
    ['Installationâ€™s of 3G pitches (Lot 2) â€“ 2024/25 works, services, provision, supplies and companies'],
    ['   '],
  ])('gives the ids of words() of %j, sorted and distinct, however many texts share them', (text) => {
    const vocab = new Vocabulary();
    const ids = vocab.idsOf([text, text.toUpperCase(), null]);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.map((id) => vocab.word(id)).sort()).toEqual([...new Set(words(text))].sort());
    // The second time the words are known: the same ids.
    expect(vocab.idsOf([text])).toEqual(ids);
  });
});

describe('candidate index', () => {
  it('gives the same top-10 lists as scoring every pair', () => {
    const codes = ['50711000', '50700000', '45310000', '45311000', '90500000', '90511000', '77310000', '77000000', '79421100', '72000000', '50000000', '45000000'];
    const regions = ['TLM82', 'TLM93', 'TLM', 'TLK4', 'TLG31', 'TLL1', 'TLL'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const suppliers = Array.from({ length: 600 }, (_, i) =>
      supplier({
        id: `s${String(i).padStart(4, '0')}`,
        cpv: [pick(codes), pick(codes)],
        homeRegion: pick(regions),
        serves: rnd() < 0.3 ? [pick(regions)] : [],
        national: rnd() < 0.1,
        maxContractValue: rnd() < 0.5 ? Math.round(rnd() * 1e6) : null,
        description: pick(['electrical inspection and testing', 'waste composting', 'grounds maintenance', 'software']),
        highPotential: rnd() < 0.2,
        pastWins: rnd() < 0.2 ? [[pick(codes)]] : [],
      }),
    );
    const index = new SupplierIndex(suppliers);
    for (let t = 0; t < 40; t++) {
      const opp = opportunity({
        ocid: `o${t}`,
        cpv: [pick(codes)],
        places: rnd() < 0.2 ? [] : [{ code: pick(regions), national: false }],
        value: rnd() < 0.5 ? Math.round(rnd() * 5e5) : null,
        text: pick(['Electrical inspection', 'Composting of organic green waste', 'Grounds maintenance']),
      });
      const fast = index.match(opp, NOW, SETTINGS, { limit: 10 });
      const slow = index.matchAllPairs(opp, NOW, SETTINGS, { limit: 10 });
      expect(fast.map((r) => [r.supplierId, r.score])).toEqual(slow.map((r) => [r.supplierId, r.score]));
      expect(index.candidates(index.compile(opp, NOW)).length).toBeLessThan(suppliers.length);
    }
  });
});

describe('bounded top-k search', () => {
  // Real CPV codes at every depth (divisions, groups, classes, deep codes) so that exact, parent, child, sibling
  // and division-only relations all occur; real delivery places at ITL1, ITL2 and ITL3.
  const codes = ['45000000', '45200000', '45210000', '45212000', '45212200', '45310000', '45311000', '50000000', '50700000', '50711000', '71000000', '71200000', '71220000', '71221000', '71222000', '90500000', '90511000', '77310000'];
  const homes = ['TLM82', 'TLM93', 'TLM71', 'TLM8', 'TLM', 'TLK41', 'TLK4', 'TLG31', 'TLL11', 'TLL22'];
  const texts = ['electrical inspection and testing', 'waste composting', 'grounds maintenance of parks', 'school building works', 'architectural design services for schools', 'road maintenance'];
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  // Groups of identical profiles under different ids make exact ties, which must break by supplier id.
  const suppliers = Array.from({ length: 240 }, (_, g) => {
    const base = {
      cpv: [pick(codes), ...(rnd() < 0.5 ? [pick(codes)] : []), ...(rnd() < 0.2 ? [pick(codes)] : [])],
      homeRegion: pick(homes),
      serves: rnd() < 0.2 ? [pick(homes).slice(0, 3)] : [],
      national: rnd() < 0.08,
      maxContractValue: rnd() < 0.6 ? Math.round(rnd() * 2e6) : null,
      description: `${pick(texts)}. ${pick(texts)}`,
      kind: pick(['micro', 'small', 'medium', 'vcse', 'cooperative'] as const),
      pastWins: rnd() < 0.15 ? [[pick(codes)]] : [],
    };
    return Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, k) => supplier({ id: `t${String(g).padStart(3, '0')}-${k}`, ...base }));
  }).flat();
  const index = new SupplierIndex(suppliers);
  const opps = Array.from({ length: 80 }, (_, t) => {
    const placeKind = rnd();
    const places =
      placeKind < 0.15
        ? []
        : placeKind < 0.25
          ? [{ code: 'TLC', national: true }, { code: 'TLD', national: true }, { code: 'TLK', national: true }]
          : placeKind < 0.3
            ? [{ code: 'TL', national: true }, { code: pick(homes), national: false }]
            : Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({ code: pick(homes), national: false }));
    return opportunity({
      ocid: `k${t}`,
      cpv: Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(codes)),
      places,
      value: rnd() < 0.6 ? Math.round(rnd() * 1e6) : null,
      text: `${pick(texts)}\n${pick(texts)}`,
      suitableSme: rnd() < 0.3 ? true : rnd() < 0.2 ? false : null,
      suitableVcse: rnd() < 0.2 ? true : null,
      reserved: rnd() < 0.1 ? [pick(['sme', 'vcse', 'publicServiceMissionOrganization'])] : [],
    });
  });
  const pairs = (rs: Array<{ supplierId: string; score: number }>) => rs.map((r) => [r.supplierId, r.score]);

  it.each([1, 3, 10, 25])('gives the same top-%i (suppliers, scores, tie order) as scoring every pair', (limit) => {
    let withTies = 0;
    for (const opp of opps) {
      const fast = index.match(opp, NOW, SETTINGS, { limit });
      const slow = index.matchAllPairs(opp, NOW, SETTINGS, { limit });
      expect(pairs(fast)).toEqual(pairs(slow));
      expect(fast.map((r) => r.reasons)).toEqual(slow.map((r) => r.reasons));
      if (slow.some((r, i) => i > 0 && r.score === slow[i - 1].score)) withTies++;
    }
    if (limit >= 3) expect(withTies).toBeGreaterThan(5);
  });

  it('gives every eligible supplier above a minimum score, in order, when unlimited', () => {
    for (const opp of opps) {
      for (const minScore of [0, 0.45, 0.6]) {
        expect(pairs(index.match(opp, NOW, SETTINGS, { minScore, explain: false }))).toEqual(pairs(index.matchAllPairs(opp, NOW, SETTINGS, { minScore, explain: false })));
      }
    }
  });

  it('agrees with the naive scorer over suppliers compiled separately, and scores far fewer suppliers', () => {
    const vocab = new Vocabulary();
    const compiled = suppliers.map((s) => compileSupplier(s, vocab));
    const before = index.scored;
    let placed = 0;
    for (const opp of opps) {
      const naive = rankAllPairs(compileOpportunity(opp, NOW, vocab), compiled, SETTINGS, { limit: 5, explain: false });
      expect(pairs(index.match(opp, NOW, SETTINGS, { limit: 5, explain: false }))).toEqual(pairs(naive));
      if (opp.places.some((p) => !p.national)) placed++;
    }
    expect(placed).toBeGreaterThan(40);
    expect(index.scored - before).toBeLessThan(opps.length * suppliers.length * 0.5);
  });

  it('keeps the lists equal when notices reserve bids for suppliers based in a place', () => {
    // Reservations at every ITL level, several places, the UK and England; suppliers based inside, outside,
    // registered only at a wider level, or nowhere said.
    const reservations = [['TLM8'], ['TLM82'], ['TLM'], ['TLK41', 'TLM93'], ['TL'], ['TLC', 'TLD', 'TLE', 'TLF', 'TLG', 'TLH', 'TLI', 'TLJ', 'TLK'], ['TLL2']];
    const all = [...suppliers, supplier({ id: 'u-nowhere', cpv: codes.slice(0, 6), national: true }), supplier({ id: 'u-wide', cpv: codes.slice(0, 6), homeRegion: 'TLM', national: true })];
    const withUnplaced = new SupplierIndex(all);
    let shut = 0;
    opps.forEach((o, t) => {
      const opp = { ...o, reservedPlaces: reservations[t % reservations.length] };
      for (const limit of [3, 10]) expect(pairs(withUnplaced.match(opp, NOW, SETTINGS, { limit }))).toEqual(pairs(withUnplaced.matchAllPairs(opp, NOW, SETTINGS, { limit })));
      const every = withUnplaced.match(opp, NOW, SETTINGS, { explain: false });
      expect(pairs(every)).toEqual(pairs(withUnplaced.matchAllPairs(opp, NOW, SETTINGS, { explain: false })));
      if (every.length < withUnplaced.matchAllPairs(o, NOW, SETTINGS, { explain: false }).length) shut++;
    });
    expect(shut).toBeGreaterThan(20);
  });

  it('a local weight of 0 or 1 keeps the lists equal', () => {
    for (const localWeight of [0, 1]) {
      for (const opp of opps.slice(0, 30)) {
        const settings = { ...SETTINGS, localWeight };
        expect(pairs(index.match(opp, NOW, settings, { limit: 10 }))).toEqual(pairs(index.matchAllPairs(opp, NOW, settings, { limit: 10 })));
      }
    }
  });
});

describe('supplier rules', () => {
  it.each([
    ['SC123456', 'SC123456'],
    ['01234567', '01234567'],
    ['1234567', '01234567'],
    ['oc 301234', 'OC301234'],
    ['XX123456', null],
    ['12345', null],
    ['SC12345A', null],
  ])('Companies House number %s → %s', (input, expected) => {
    expect(normaliseCompanyNumber(input)).toBe(expected);
  });

  it.each([
    [[{ year: 2022, employees: 10, turnover: 1e6 }, { year: 2025, employees: 18, turnover: 1.1e6 }], true, /employees grew 22% a year/],
    [[{ year: 2022, employees: 12, turnover: 1e6 }, { year: 2025, employees: 13, turnover: 1.8e6 }], true, /turnover grew 22% a year/],
    [[{ year: 2022, employees: 8, turnover: 1e6 }, { year: 2025, employees: 30, turnover: 5e6 }], false, /fewer than 10 employees in 2022/],
    [[{ year: 2022, employees: 20, turnover: 1e6 }, { year: 2025, employees: 30, turnover: 1.5e6 }], false, /not above 20%/],
    [[{ year: 2024, employees: 20, turnover: 1e6 }, { year: 2025, employees: 40, turnover: 2e6 }], false, /no figures for 2022/],
    // Accounts for 2024 are filed during 2025: in 2026 they are the latest a firm may have, and count.
    [[{ year: 2021, employees: 10, turnover: 1e6 }, { year: 2024, employees: 18, turnover: 1.1e6 }], true, /employees grew 22% a year 2021–2024/],
    // Growth that ended in 2023 says nothing about the firm in 2026.
    [[{ year: 2020, employees: 10, turnover: 1e6 }, { year: 2023, employees: 30, turnover: 5e6 }], false, /^the latest figures are for 2023; growth is judged on figures up to 2024 or later$/],
  ])('high-potential (OECD high-growth) in 2026 %#', (growth, expected, why) => {
    const g = growth.map((x) => ({ year: x.year, employees: x.employees, turnover: x.turnover }));
    const r = deriveHighPotential(g, 2026);
    expect(r.highPotential).toBe(expected);
    expect(r.reason).toMatch(why);
  });
});

const SCOTLAND = join(SHARED_DATA, 'ocds/public-contracts-scotland/releases-2019.jsonl');

describe.skipIf(!existsSync(SCOTLAND))('real notices (skipped: ../shared/data is not beside the project)', () => {
  it('matches every lot of the real Scottish notices on its own CPV and place', () => {
    const records = readFileSync(SCOTLAND, 'utf8')
      .trim()
      .split('\n')
      .map((l) => normalise(compileReleases([JSON.parse(l)])));
    const lotted = records.filter((r) => r.lots.length >= 2);
    expect(lotted.length).toBeGreaterThan(10);
    const at = new Date('2019-01-01T00:00:00Z');
    let matched = 0;
    for (const r of lotted) {
      const opps = opportunitiesOf(r);
      expect(opps.map((o) => o.lotId)).toEqual(r.lots.map((l) => l.id));
      for (const o of opps) {
        if (!o.cpv.length || !o.places.length) continue;
        const local = supplier({ id: 'local', cpv: [o.cpv[0]], homeRegion: o.places[0].code });
        const v = scoreMatch(o, local, SETTINGS, at);
        if (o.deadline && Date.parse(o.deadline) <= at.getTime()) {
          expect(v.eligible).toBe(false);
          continue;
        }
        expect(v.eligible).toBe(true);
        if (v.eligible) {
          expect(v.reasons[0]).toMatch(new RegExp(`lot ${o.lotId}`));
          // Not a tautology: the same firm based in Northern Ireland ranks below it, or cannot bid unless it serves the UK.
          if (o.places.every((p) => !p.national)) {
            const distant = scoreMatch(o, supplier({ id: 'distant', cpv: [o.cpv[0]], homeRegion: 'TLN0', national: true }), SETTINGS, at);
            expect(distant.eligible && distant.score < v.score).toBe(true);
            expect(scoreMatch(o, supplier({ id: 'away', cpv: [o.cpv[0]], homeRegion: 'TLN0' }), SETTINGS, at)).toMatchObject({ eligible: false, rule: 'place' });
          }
          matched++;
        }
      }
    }
    expect(matched).toBeGreaterThan(50);
  });
});
