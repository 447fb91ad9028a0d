/**
 * `npm run eval:matching [-- --data DIR --cutoff YYYY-MM-DD]`: does the matcher put the real winner near the top?
 *
 * From the awards in the real shared releases, every supplier that won before the cut-off gets a profile
 * built only from what it won then: the CPV codes and words of those notices, its postcode's region,
 * its published scale. For each award after the cut-off, all known suppliers are ranked for that notice and
 * we record where the real winner lands (any of the winners, for a shared award). Ties are scored at their
 * expected value under a random order, for every method alike.
 *
 * Baselines in the same run: random order; most frequent winner before the cut-off; CPV exact match with
 * hierarchical back-off (deepest shared CPV level, then win count).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpvSignificant } from '../domain/cpv/index.js';
import { findPostcodes, postcodeToItl1 } from '../domain/geo/index.js';
import { compileReleases } from '../domain/ocds/compile.js';
import { normalise } from '../domain/ocds/normalise.js';
import type { Release, TenderRecord } from '../domain/ocds/types.js';
import { unpackDocument } from '../domain/ocds/unpack.js';
import { SupplierIndex } from '../domain/matching/supplier-index.js';
import type { MatchSettings, SupplierProfile } from '../domain/matching/types.js';
import { opportunitiesOf, wholeTenderOpportunity } from '../domain/matching/opportunity.js';
import { evaluateAwardSplit, loadRealAwards } from './eval-matching-awards.js';
import { expectedRank, type Metrics } from './ranking-metrics.js';
import { stringOption, type Command } from './types.js';

export const DEFAULT_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** Every tender in the shared OCDS files, compiled per ocid from all its releases and normalised. */
export function loadSharedTenders(dir = DEFAULT_DATA): TenderRecord[] {
  const root = join(dir, 'ocds');
  if (!existsSync(root)) throw new Error(`no OCDS data at ${root}: the shared data sits beside the project (../shared/data); pass --data DIR`);
  const byOcid = new Map<string, Map<string, Release>>();
  for (const source of readdirSync(root).sort()) {
    const folder = join(root, source);
    if (source === 'schema' || !existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).sort()) {
      for (const entry of unpackDocument(readFileSync(join(folder, file), 'utf8'))) {
        const r = entry.value as Release | undefined;
        if (!r || typeof r !== 'object' || typeof r.ocid !== 'string') continue;
        const releases = byOcid.get(r.ocid) ?? new Map<string, Release>();
        releases.set(typeof r.id === 'string' ? r.id : entry.raw, r);
        byOcid.set(r.ocid, releases);
      }
    }
  }
  const out: TenderRecord[] = [];
  for (const releases of byOcid.values()) {
    try {
      out.push(normalise(compileReleases([...releases.values()])));
    } catch {
      // A release without what normalise needs is left out, as the store would quarantine it.
    }
  }
  return out.sort((a, b) => (a.ocid < b.ocid ? -1 : 1));
}

interface AwardEvent {
  ocid: string;
  date: string;
  winners: string[];
  record: TenderRecord;
  lotIds: string[];
}

interface Winner {
  id: string;
  name: string;
  scale: string | null;
  postcode: string | null;
}

function winnerKey(s: { identifierScheme: string | null; identifier: string | null; partyId: string; name: string | null }): string {
  if (s.identifierScheme && s.identifier) return `${s.identifierScheme}-${s.identifier}`.toUpperCase();
  return (s.name ?? s.partyId).toLowerCase().replace(/\b(ltd|limited|plc|llp)\b|[^a-z0-9]+/g, '');
}

export function awardEvents(records: TenderRecord[]): { events: AwardEvent[]; winners: Map<string, Winner> } {
  const events: AwardEvent[] = [];
  const winners = new Map<string, Winner>();
  for (const record of records) {
    for (const award of record.awards) {
      const date = award.date ?? award.datePublished;
      if (!date || !award.suppliers.length || award.status === 'cancelled' || award.status === 'unsuccessful') continue;
      const ids: string[] = [];
      for (const s of award.suppliers) {
        const id = winnerKey(s);
        ids.push(id);
        if (!winners.has(id)) {
          const text = s.address?.text ?? '';
          winners.set(id, { id, name: s.name ?? id, scale: s.scale, postcode: s.address?.postcode ?? findPostcodes(text)[0] ?? null });
        }
      }
      events.push({ ocid: record.ocid, date, winners: [...new Set(ids)], record, lotIds: award.lotIds });
    }
  }
  // One event per tender and winner set: award updates repeat the same award.
  const seen = new Set<string>();
  const unique = events
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.ocid < b.ocid ? -1 : 1))
    .filter((e) => {
      const key = `${e.ocid}|${e.winners.slice().sort().join(',')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { events: unique, winners };
}

function awardedOpportunity(e: AwardEvent) {
  const opps = opportunitiesOf(e.record);
  const lot = e.lotIds.length ? opps.find((o) => e.lotIds.includes(o.lotId)) : undefined;
  const o = lot ?? wholeTenderOpportunity(e.record);
  // Judge fit, not timing: the notice is long closed now.
  return { ...o, status: 'active', deadline: null, value: o.value };
}

/** Profiles built only from awards before the cut-off. */
export function profilesBefore(events: AwardEvent[], winners: Map<string, Winner>, cutoff: string) {
  const won = new Map<string, AwardEvent[]>();
  for (const e of events) {
    if (e.date.slice(0, 10) >= cutoff) continue;
    for (const w of e.winners) won.set(w, [...(won.get(w) ?? []), e]);
  }
  const profiles: SupplierProfile[] = [];
  const wins = new Map<string, number>();
  for (const [id, list] of won) {
    const w = winners.get(id)!;
    const opps = list.map(awardedOpportunity);
    const home = w.postcode ? postcodeToItl1(w.postcode)?.code ?? null : null;
    profiles.push({
      id,
      name: w.name,
      kind: w.scale === 'sme' ? 'small' : 'medium',
      homeRegion: home,
      serves: [],
      // Where a past winner will work is unknown: never gate on it, only score closeness.
      national: true,
      cpv: [...new Set(opps.flatMap((o) => o.cpv))],
      description: opps.map((o) => o.text).join('\n'),
      keywords: [],
      maxContractValue: null,
      highPotential: false,
      pastWins: opps.map((o) => o.cpv),
    });
    wins.set(id, list.length);
  }
  return { profiles: profiles.sort((a, b) => (a.id < b.id ? -1 : 1)), wins };
}

export { expectedRank, type Metrics };

function cpvBackoff(notice: string[], supplier: string[]): number {
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

export interface EvalResult {
  cutoff: string;
  awards: number;
  trainAwards: number;
  testAwards: number;
  evaluable: number;
  suppliers: number;
  methods: Record<string, Metrics>;
}

/**
 * `rolling` false: one cut-off, profiles from the awards before it. `rolling` true: every award from the
 * cut-off on is ranked with profiles built from all awards before that award's own date (a moving cut-off).
 */
export function evaluate(records: TenderRecord[], cutoff: string, settings: MatchSettings, rolling = false): EvalResult {
  const { events, winners } = awardEvents(records);
  const day = (d: string) => d.slice(0, 10);
  const test = events.filter((e) => day(e.date) >= cutoff);
  const fixed = profilesBefore(events, winners, cutoff);
  const cache = new Map<string, ReturnType<typeof profilesBefore> & { index: SupplierIndex }>();
  const poolFor = (e: AwardEvent) => {
    const at = rolling ? day(e.date) : cutoff;
    let pool = cache.get(at);
    if (!pool) {
      const built = rolling ? profilesBefore(events, winners, at) : fixed;
      pool = { ...built, index: new SupplierIndex(built.profiles) };
      cache.set(at, pool);
    }
    return pool;
  };
  const evaluable = test.filter((e) => {
    const { profiles } = poolFor(e);
    return e.winners.some((w) => profiles.some((p) => p.id === w));
  });
  const sums: Record<string, Metrics> = {};
  const add = (name: string, m: Metrics) => {
    const s = (sums[name] ??= { hit1: 0, hit5: 0, hit10: 0, mrr: 0 });
    s.hit1 += m.hit1;
    s.hit5 += m.hit5;
    s.hit10 += m.hit10;
    s.mrr += m.mrr;
  };
  let suppliersSeen = 0;
  for (const e of evaluable) {
    const { profiles, wins, index } = poolFor(e);
    suppliersSeen = Math.max(suppliersSeen, profiles.length);
    const opp = awardedOpportunity(e);
    const at = new Date(e.date);
    const matcher = new Map<string, number>(profiles.map((p) => [p.id, -1]));
    for (const r of index.match(opp, at, settings, { explain: false })) matcher.set(r.supplierId, r.score);
    add('matcher', expectedRank(matcher, e.winners));
    add('random', expectedRank(new Map(profiles.map((p) => [p.id, 0])), e.winners));
    add('most frequent winner', expectedRank(new Map(profiles.map((p) => [p.id, wins.get(p.id) ?? 0])), e.winners));
    add('CPV exact, back-off', expectedRank(new Map(profiles.map((p) => [p.id, cpvBackoff(opp.cpv, p.cpv)])), e.winners));
    add(
      'CPV back-off, then wins',
      expectedRank(new Map(profiles.map((p) => [p.id, cpvBackoff(opp.cpv, p.cpv) * 1000 + (wins.get(p.id) ?? 0)])), e.winners),
    );
  }
  const n = Math.max(1, evaluable.length);
  const methods: Record<string, Metrics> = {};
  for (const [name, s] of Object.entries(sums)) {
    methods[name] = { hit1: s.hit1 / n, hit5: s.hit5 / n, hit10: s.hit10 / n, mrr: s.mrr / n };
  }
  return {
    cutoff,
    awards: events.length,
    trainAwards: events.length - test.length,
    testAwards: test.length,
    evaluable: evaluable.length,
    suppliers: rolling ? suppliersSeen : fixed.profiles.length,
    methods,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);

export const evalMatchingCommand: Command = {
  summary: 'rank known suppliers for later real awards: hit@1/5/10 and MRR beside baselines',
  usage: 'eval-matching [--data DIR] [--cutoff YYYY-MM-DD] [--rolling-from YYYY-MM-DD]',
  flags: { data: { type: 'string' }, cutoff: { type: 'string' }, 'rolling-from': { type: 'string' } },
  async run(deps, options, io) {
    const dir = stringOption(options, 'data') ?? DEFAULT_DATA;
    const records = loadSharedTenders(dir);
    const { events } = awardEvents(records);
    // Default cut-off: the date that leaves the last 40% of awards for testing.
    const cutoff = stringOption(options, 'cutoff') ?? events[Math.floor(events.length * 0.6)]?.date.slice(0, 10) ?? '2022-10-01';
    const settings = { localWeight: deps.config.LOCAL_WEIGHT, highPotentialBoost: deps.config.HIGH_POTENTIAL_BOOST };
    const named = ['random', 'most frequent winner', 'CPV exact, back-off'];
    const report = (label: string, r: EvalResult) => {
      io.progress(`\n${label}`);
      io.progress(`  ${r.trainAwards} awards before ${r.cutoff}; ${r.testAwards} from then on, of which ${r.evaluable} were won by a supplier seen before (the only ones any ranking can hit); up to ${r.suppliers} suppliers ranked.`);
      io.progress(`  SMALL SAMPLE: ${r.evaluable} awards; one award moves a hit rate by ${(100 / Math.max(1, r.evaluable)).toFixed(0)} points.`);
      io.progress(`  ${'method'.padEnd(26)} ${'hit@1'.padStart(7)} ${'hit@5'.padStart(7)} ${'hit@10'.padStart(7)} ${'MRR'.padStart(7)}`);
      for (const [name, m] of Object.entries(r.methods)) {
        io.progress(`  ${name.padEnd(26)} ${pct(m.hit1)} ${pct(m.hit5)} ${pct(m.hit10)} ${m.mrr.toFixed(3).padStart(7)}${named.includes(name) || name === 'matcher' ? '' : '   (extra reference)'}`);
      }
      const baselines = Object.entries(r.methods).filter(([k]) => named.includes(k));
      const bestHit10 = Math.max(...baselines.map(([, m]) => m.hit10));
      const bestMrr = Math.max(...baselines.map(([, m]) => m.mrr));
      const m = r.methods.matcher;
      const beatsHit10 = !!m && m.hit10 > bestHit10 + 1e-9;
      const beatsMrr = !!m && m.mrr > bestMrr + 1e-9;
      io.progress(
        `  matcher vs best named baseline: hit@10 ${pct(m?.hit10 ?? 0).trim()} vs ${pct(bestHit10).trim()} (${beatsHit10 ? 'beats' : 'does NOT beat'}), MRR ${(m?.mrr ?? 0).toFixed(3)} vs ${bestMrr.toFixed(3)} (${beatsMrr ? 'beats' : 'does NOT beat'})`,
      );
      return { beatsHit10, beatsMrr };
    };
    io.progress(`${records.length} tenders; ${events.length} distinct awards with a named winner.`);
    const fixed = evaluate(records, cutoff, settings, false);
    const fixedVerdict = report(`Fixed cut-off ${cutoff}: profiles from the awards before it`, fixed);
    const rollingCutoff = stringOption(options, 'rolling-from') ?? events[0]?.date.slice(0, 10) ?? cutoff;
    const rolling = evaluate(records, rollingCutoff, settings, true);
    const rollingVerdict = report(`Rolling cut-off: each award ranked with profiles from all awards before its own day`, rolling);
    const r = { fixed: { ...fixed, ...fixedVerdict }, rolling: { ...rolling, ...rollingVerdict } };
    const beats = rollingVerdict.beatsHit10 && rollingVerdict.beatsMrr;

    // The larger sample: UK award suppliers with Companies House numbers (TED 2020, Contracts Finder CSV 2020).
    const split = evaluateAwardSplit(loadRealAwards(dir), settings);
    io.progress(`\nTemporal split of real UK awards (suppliers with Companies House numbers): ${split.trainAwards} awards before ${split.cutoff} make ${split.suppliers} supplier profiles; ${split.testAwards} awards from then on are ranked (${Object.entries(split.bySource).map(([k, v]) => `${v} ${k}`).join(', ')}), ${split.knownWinner} of them won by a supplier seen before.`);
    for (const [label, table, n] of [['every later award (a new winner is a miss)', split.all, split.testAwards], ['awards won by a supplier seen before', split.known, split.knownWinner]] as const) {
      io.progress(`  ${label}, n = ${n}`);
      io.progress(`  ${'method'.padEnd(26)} ${'hit@1'.padStart(7)} ${'hit@5'.padStart(7)} ${'hit@10'.padStart(7)} ${'MRR'.padStart(7)}`);
      for (const [name, m] of Object.entries(table)) io.progress(`  ${name.padEnd(26)} ${pct(m.hit1)} ${pct(m.hit5)} ${pct(m.hit10)} ${m.mrr.toFixed(3).padStart(7)}`);
    }
    io.progress('  Published references: HR@10 0.25 and MRR 0.12 (Czech public procurement register); top-5 23% on a temporal split (Spain).');
    return { command: 'eval-matching', ...r, beatsBestBaseline: beats, awardSplit: split };
  },
};
