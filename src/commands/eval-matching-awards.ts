/**
 * Matching measured on a real temporal split of UK awards (issue 14, point 8): the suppliers with a Companies
 * House number in the shared award data — the TED UK award-supplier rows of 2020 (`awards/`, CPV inferred by the
 * classifier from title and description: the file has none) and the Contracts Finder CSV export of 2020 (its
 * published codes) — get profiles built only from the awards they won before the cut-off; every later award is
 * then ranked against all of them. The cut-off leaves at least `minTest` awards (default 500) to rank.
 *
 * Reported twice: over every later award (a winner never seen before is a miss for every method, as a new
 * entrant is for any recommender), and over the awards won by a supplier seen before (the only ones any ranking
 * can hit). Methods: the matcher; random order; the most frequent winner; CPV back-off (deepest shared CPV digits
 * with the supplier's past awards). Ties are scored at their expected value under a random order (expectedRank).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { cpvSignificant } from '../domain/cpv/index.js';
import { findPostcodes, postcodeToItl1 } from '../domain/geo/index.js';
import { SupplierIndex } from '../domain/matching/supplier-index.js';
import type { MatchSettings, Opportunity, SupplierProfile } from '../domain/matching/types.js';
import { companyNumber, contractsFinderCsvRelease, parseSuppliers } from '../domain/ocds/contracts-finder-csv.js';
import { normaliseCompanyNumber } from '../domain/suppliers/index.js';
import { classifyNotice } from '../domain/tagging/classifier.js';
import { expectedRank, type Metrics } from './ranking-metrics.js';

export interface RealAward {
  /** YYYY-MM-DD. */
  date: string;
  source: 'ted' | 'contracts-finder-csv';
  title: string;
  text: string;
  cpv: string[];
  /** ITL code of the buyer's postcode, if known. */
  place: string | null;
  /** Winners' normalised Companies House numbers. */
  winners: string[];
  /** Each winner's postcode, where published. */
  winnerPostcodes: Map<string, string>;
}

const tedDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : null);

/** TED's supplier ids as published (`OC 303675`, `'04835938`) to a company number, or null. */
function tedCompanyNumber(raw: string | undefined): string | null {
  const cleaned = (raw ?? '').replace(/['\s]/g, '');
  return cleaned ? normaliseCompanyNumber(cleaned) : null;
}

function placeOf(postcode: string | null | undefined): string | null {
  return postcode ? postcodeToItl1(postcode)?.code ?? null : null;
}

/** The UK awards with at least one winner that has a Companies House number, one per notice, by date. */
export function loadRealAwards(dir: string): RealAward[] {
  const out = new Map<string, RealAward>();
  const ted = join(dir, 'awards/ted-uk-award-suppliers-2020.csv');
  if (existsSync(ted)) {
    for (const r of parse(readFileSync(ted, 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>) {
      const number = tedCompanyNumber(r.SUPPLIER_ID);
      const date = tedDate(r.CONTRACT_DATE ?? '');
      if (!number || !date) continue;
      // One award per notice: its URL, else its title, buyer and date.
      const key = r.CONTRACT_URL || `${r.CONTRACT_TITLE}|${r.CONTRACT_BUYER}|${date}`;
      let award = out.get(key);
      if (!award) {
        const title = r.CONTRACT_TITLE ?? '';
        const text = [title, r.CONTRACT_DESC ?? ''].join('\n');
        award = {
          date,
          source: 'ted',
          title,
          text,
          cpv: classifyNotice(title, r.CONTRACT_DESC ?? '', 3).codes.map((c) => c.code),
          place: placeOf(r.CONTRACT_BUYER_POSTCODE),
          winners: [],
          winnerPostcodes: new Map(),
        };
        out.set(key, award);
      }
      if (!award.winners.includes(number)) award.winners.push(number);
      if (r.SUPPLIER_POSTCODE) award.winnerPostcodes.set(number, r.SUPPLIER_POSTCODE);
    }
  }
  const csv = join(dir, 'contracts-finder-csv/awarded-notices-2020.csv');
  if (existsSync(csv)) {
    for (const row of parse(readFileSync(csv, 'utf8'), { columns: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>) {
      const suppliers = parseSuppliers(row['Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]'] ?? '');
      const winners = new Map<string, string>();
      for (const s of suppliers) {
        const number = s.refType === 'COMPANIES_HOUSE' && s.refNumber ? normaliseCompanyNumber(companyNumber(s.refNumber)) : null;
        if (number) winners.set(number, findPostcodes(s.address ?? '')[0] ?? '');
      }
      if (!winners.size || !contractsFinderCsvRelease(row).ok) continue;
      const rawDate = row['Awarded Date'] || row['Published Date'] || '';
      const m = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(rawDate);
      const date = m ? `${m[3]}-${m[2]}-${m[1]}` : null;
      if (!date) continue;
      const title = row.Title ?? '';
      out.set(`cf|${row['Notice Identifier']}`, {
        date,
        source: 'contracts-finder-csv',
        title,
        text: [title, row.Description ?? ''].join('\n'),
        cpv: (row['Cpv Codes'] ?? '').split(/\s+/).filter((c) => /^\d{8}$/.test(c)),
        place: placeOf(row.Postcode),
        winners: [...winners.keys()],
        winnerPostcodes: new Map([...winners].filter(([, pc]) => pc)),
      });
    }
  }
  return [...out.values()].filter((a) => a.cpv.length).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.title < b.title ? -1 : 1));
}

function opportunityOf(a: RealAward, i: number): Opportunity {
  return {
    ocid: `award-${i}`,
    lotId: '',
    lotTitle: null,
    title: a.title,
    text: a.text,
    cpv: a.cpv,
    places: a.place ? [{ code: a.place, national: false }] : [],
    value: null,
    // Judge fit, not timing: the award is long closed.
    status: 'active',
    deadline: null,
    suitableSme: null,
    suitableVcse: null,
    reserved: [],
    reservedPlaces: [],
    reservedLocation: null,
    lotCount: 1,
  };
}

/** Profiles from the awards before the cut-off only: what each supplier won, its words, its postcode's region. */
function profilesFrom(train: RealAward[]): { profiles: SupplierProfile[]; wins: Map<string, number>; codes: Map<string, string[]> } {
  const won = new Map<string, RealAward[]>();
  for (const a of train) for (const w of a.winners) won.set(w, [...(won.get(w) ?? []), a]);
  const profiles: SupplierProfile[] = [];
  const wins = new Map<string, number>();
  const codes = new Map<string, string[]>();
  for (const [id, list] of won) {
    const postcode = list.map((a) => a.winnerPostcodes.get(id)).find((p) => !!p) ?? null;
    const cpv = [...new Set(list.flatMap((a) => a.cpv))];
    profiles.push({
      id,
      name: id,
      kind: 'small',
      homeRegion: placeOf(postcode),
      serves: [],
      national: true,
      cpv,
      description: list.map((a) => a.title).join('\n'),
      keywords: [],
      maxContractValue: null,
      highPotential: false,
      pastWins: list.map((a) => a.cpv),
    });
    wins.set(id, list.length);
    codes.set(id, cpv);
  }
  return { profiles: profiles.sort((a, b) => (a.id < b.id ? -1 : 1)), wins, codes };
}

function backoff(notice: string[], supplier: string[]): number {
  let best = 0;
  for (const n of notice.map(cpvSignificant)) {
    for (const s of supplier.map(cpvSignificant)) {
      let d = 0;
      while (d < n.length && d < s.length && n[d] === s[d]) d++;
      if (d >= 2 && d > best) best = d === n.length && d === s.length ? 9 : d;
    }
  }
  return best;
}

export interface AwardSplitResult {
  cutoff: string;
  awards: number;
  trainAwards: number;
  /** Every award from the cut-off on (n for the first table). */
  testAwards: number;
  /** Of those, won by a supplier seen before (n for the second table). */
  knownWinner: number;
  suppliers: number;
  bySource: Record<string, number>;
  all: Record<string, Metrics>;
  known: Record<string, Metrics>;
}

/** The temporal split: the cut-off is the date that leaves at least `minTest` awards (or 40%) for testing. */
export function evaluateAwardSplit(awards: RealAward[], settings: MatchSettings, minTest = 500): AwardSplitResult {
  const testCount = Math.min(awards.length, Math.max(minTest, Math.ceil(awards.length * 0.4)));
  const cutoff = awards[awards.length - testCount]?.date ?? '9999-12-31';
  const train = awards.filter((a) => a.date < cutoff);
  const test = awards.filter((a) => a.date >= cutoff);
  const { profiles, wins, codes } = profilesFrom(train);
  const index = new SupplierIndex(profiles);
  const sumsAll: Record<string, Metrics> = {};
  const sumsKnown: Record<string, Metrics> = {};
  const add = (into: Record<string, Metrics>, name: string, m: Metrics) => {
    const s = (into[name] ??= { hit1: 0, hit5: 0, hit10: 0, mrr: 0 });
    s.hit1 += m.hit1;
    s.hit5 += m.hit5;
    s.hit10 += m.hit10;
    s.mrr += m.mrr;
  };
  const ids = new Set(profiles.map((p) => p.id));
  let knownWinner = 0;
  const now = new Date(`${cutoff}T00:00:00Z`);
  test.forEach((a, i) => {
    const known = a.winners.some((w) => ids.has(w));
    if (known) knownWinner++;
    const matcher = new Map<string, number>(profiles.map((p) => [p.id, -1]));
    for (const r of index.match(opportunityOf(a, i), now, settings, { explain: false })) matcher.set(r.supplierId, r.score);
    const methods: Record<string, Map<string, number>> = {
      matcher,
      random: new Map(profiles.map((p) => [p.id, 0])),
      'most frequent winner': new Map(profiles.map((p) => [p.id, wins.get(p.id) ?? 0])),
      'CPV back-off': new Map(profiles.map((p) => [p.id, backoff(a.cpv, codes.get(p.id) ?? [])])),
    };
    for (const [name, scores] of Object.entries(methods)) {
      const m = expectedRank(scores, a.winners);
      add(sumsAll, name, m);
      if (known) add(sumsKnown, name, m);
    }
  });
  const mean = (sums: Record<string, Metrics>, n: number) =>
    Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, { hit1: s.hit1 / Math.max(1, n), hit5: s.hit5 / Math.max(1, n), hit10: s.hit10 / Math.max(1, n), mrr: s.mrr / Math.max(1, n) }]));
  const bySource: Record<string, number> = {};
  for (const a of test) bySource[a.source] = (bySource[a.source] ?? 0) + 1;
  return {
    cutoff,
    awards: awards.length,
    trainAwards: train.length,
    testAwards: test.length,
    knownWinner,
    suppliers: profiles.length,
    bySource,
    all: mean(sumsAll, test.length),
    known: mean(sumsKnown, knownWinner),
  };
}
