/**
 * `npm run cli -- eval-renewals [--data DIR]`: how far the renewal forecast reaches on real data.
 *
 * On the real shared OCDS releases (each ocid compiled from all its releases) and on the Contracts Finder CSV
 * export (1,000 awarded notices, each row a release as `ingest --file` makes it): how many awarded contracts there
 * are, how many have an end date the forecast can use (published, or worked out from a start and a duration), how
 * many have an extension option, are frameworks or were terminated; then, as of each set's own latest award date
 * (the data are years old, so "6–18 months ahead" is counted from the data's own time: the latest publication
 * date of an awarded procurement in the set), how many forecasts fall in
 * the window, and how many forecasts an average "registered supplier" gets: every award winner in the data stands
 * for a registered firm (profile built from what it won, as eval-matching does), matched by the same matcher as
 * tenders, its own contracts left out. Baseline in the same run: a forecast counted for every firm sharing the
 * contract's CPV division (what a naive "same kind of work" rule would send).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { compileReleases } from '../domain/ocds/compile.js';
import { normalise } from '../domain/ocds/normalise.js';
import { contractsFinderCsvRelease, type ContractsFinderCsvRow } from '../domain/ocds/contracts-finder-csv.js';
import type { JsonObject, Release, TenderRecord } from '../domain/ocds/types.js';
import { unpackDocument } from '../domain/ocds/unpack.js';
import { contractEnds, forecastRenewals, type RenewalForecast } from '../domain/renewals/forecast.js';
import { SupplierIndex } from '../domain/matching/supplier-index.js';
import { matchSettings } from '../config.js';
import { matchForecast } from '../../jobs/renewals.js';
import { awardEvents, DEFAULT_DATA, profilesBefore } from './eval-matching.js';
import { stringOption, type Command } from './types.js';

interface Compiled {
  compiled: JsonObject;
  record: TenderRecord;
}

function compileAll(releases: Release[]): Compiled[] {
  const byOcid = new Map<string, Release[]>();
  for (const r of releases) byOcid.set(String(r.ocid), [...(byOcid.get(String(r.ocid)) ?? []), r]);
  const out: Compiled[] = [];
  for (const list of byOcid.values()) {
    try {
      const compiled = compileReleases(list);
      out.push({ compiled, record: normalise(compiled) });
    } catch {
      // A release the store would quarantine is not a contract either.
    }
  }
  return out;
}

function sharedOcds(dir: string): Release[] {
  const root = join(dir, 'ocds');
  if (!existsSync(root)) throw new Error(`no OCDS data at ${root}: the shared data sits beside the project (../shared/data); pass --data DIR`);
  const seen = new Map<string, Release>();
  for (const source of readdirSync(root).sort()) {
    if (source === 'schema') continue;
    for (const file of readdirSync(join(root, source)).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl')).sort()) {
      for (const entry of unpackDocument(readFileSync(join(root, source, file), 'utf8'))) {
        const r = entry.value as Release | undefined;
        if (r && typeof r === 'object' && typeof r.ocid === 'string') seen.set(`${r.ocid}|${typeof r.id === 'string' ? r.id : entry.raw}`, r);
      }
    }
  }
  return [...seen.values()];
}

function csvExport(dir: string): Release[] {
  const file = join(dir, 'contracts-finder-csv', 'awarded-notices-2020.csv');
  if (!existsSync(file)) return [];
  const rows = parse(readFileSync(file), { bom: true, columns: true, relax_column_count: true, skip_empty_lines: true }) as ContractsFinderCsvRow[];
  return rows.map(contractsFinderCsvRelease).flatMap((r) => (r.ok ? [r.release as Release] : []));
}

export interface RenewalEval {
  set: string;
  procurements: number;
  contracts: number;
  withEndDate: number;
  endFromDuration: number;
  extensionOption: number;
  framework: number;
  terminated: number;
  asOf: string;
  forecasts: number;
  byCertainty: Record<string, number>;
  suppliers: number;
  perSupplier: { mean: number; median: number; withAny: number; max: number };
  baselinePerSupplier: { mean: number; withAny: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
};
const round = (x: number) => Math.round(x * 100) / 100;

export function evaluateRenewals(set: string, tenders: Compiled[], settings: ReturnType<typeof matchSettings>, minScore: number): RenewalEval {
  let contracts = 0;
  let withEndDate = 0;
  let endFromDuration = 0;
  let extensionOption = 0;
  let terminated = 0;
  let framework = 0;
  let latest = '';
  for (const { compiled, record } of tenders) {
    const ends = contractEnds(compiled);
    contracts += ends.length;
    for (const e of ends) {
      if (e.endDate) withEndDate++;
      if (e.endDate && e.fromDuration) endFromDuration++;
      if (e.extensionOption) extensionOption++;
      if (e.terminatedAt) terminated++;
    }
    if (ends.length && (compiled.tender as JsonObject | undefined)?.techniques && ((compiled.tender as JsonObject).techniques as JsonObject).hasFrameworkAgreement === true) framework += ends.length;
    // The set's own "now": its latest publication (an award date can be a typo years ahead: one CSV row says 2028).
    const d = record.awards.length ? record.publishedAt : null;
    if (d && d > latest && !Number.isNaN(Date.parse(d))) latest = d;
  }
  const asOf = latest ? new Date(latest) : new Date(0);
  const forecasts: Array<{ f: RenewalForecast; record: TenderRecord }> = [];
  for (const { compiled, record } of tenders) for (const f of forecastRenewals(compiled, record, asOf)) forecasts.push({ f, record });
  const byCertainty: Record<string, number> = {};
  for (const { f } of forecasts) byCertainty[f.certainty] = (byCertainty[f.certainty] ?? 0) + 1;

  const { events, winners } = awardEvents(tenders.map((t) => t.record));
  const { profiles } = profilesBefore(events, winners, '9999-12-31');
  const byId = new Map(profiles.map((p) => [p.id, p]));
  const index = new SupplierIndex(profiles);
  const counts = new Map(profiles.map((p) => [p.id, 0]));
  const baseline = new Map(profiles.map((p) => [p.id, 0]));
  for (const { f, record } of forecasts) {
    for (const m of matchForecast(index, f, record, asOf, settings, minScore, byId)) counts.set(m.supplier_id, (counts.get(m.supplier_id) ?? 0) + 1);
    const divisions = new Set(f.cpv.map((c) => c.slice(0, 2)));
    for (const p of profiles) if (p.cpv.some((c) => divisions.has(c.slice(0, 2)))) baseline.set(p.id, (baseline.get(p.id) ?? 0) + 1);
  }
  const per = [...counts.values()];
  const base = [...baseline.values()];
  return {
    set,
    procurements: tenders.length,
    contracts,
    withEndDate,
    endFromDuration,
    extensionOption,
    framework,
    terminated,
    asOf: asOf.toISOString().slice(0, 10),
    forecasts: forecasts.length,
    byCertainty,
    suppliers: profiles.length,
    perSupplier: {
      mean: round(per.reduce((a, b) => a + b, 0) / Math.max(1, per.length)),
      median: median(per),
      withAny: per.filter((n) => n > 0).length,
      max: Math.max(0, ...per),
    },
    baselinePerSupplier: { mean: round(base.reduce((a, b) => a + b, 0) / Math.max(1, base.length)), withAny: base.filter((n) => n > 0).length },
  };
}

export const evalRenewalsCommand: Command = {
  summary: 'measure renewal forecasts on the real releases and the Contracts Finder export: usable end dates, forecasts per supplier',
  usage: 'eval-renewals [--data DIR]',
  flags: { data: { type: 'string' } },
  async run(deps, options, io) {
    const dir = stringOption(options, 'data') ?? DEFAULT_DATA;
    const settings = matchSettings(deps.config);
    const sets = [
      evaluateRenewals('OCDS releases (Contracts Finder 2022, Public Contracts Scotland 2019, Sell2Wales 2025)', compileAll(sharedOcds(dir)), settings, deps.config.MATCH_MIN_SCORE),
      evaluateRenewals('Contracts Finder CSV export (1,000 awarded notices, 2020)', compileAll(csvExport(dir)), settings, deps.config.MATCH_MIN_SCORE),
    ];
    for (const r of sets) {
      const share = (n: number) => `${n} (${r.contracts ? ((100 * n) / r.contracts).toFixed(1) : '0.0'}%)`;
      io.progress(`\n${r.set}: ${r.procurements} procurements, ${r.contracts} awarded contracts`);
      io.progress(`  with an end date the forecast can use: ${share(r.withEndDate)}, of which worked out from a duration: ${r.endFromDuration}`);
      io.progress(`  with an extension option: ${share(r.extensionOption)}; frameworks: ${share(r.framework)}; terminated: ${r.terminated}`);
      io.progress(`  as of ${r.asOf} (the set's latest award notice): ${r.forecasts} contracts end 6–18 months ahead ${JSON.stringify(r.byCertainty)}`);
      io.progress(
        `  ${r.suppliers} award winners standing for registered firms: ${r.perSupplier.mean} forecasts each on average (median ${r.perSupplier.median}, most ${r.perSupplier.max}; ${r.perSupplier.withAny} firms get at least one); baseline "same CPV division": ${r.baselinePerSupplier.mean} each, ${r.baselinePerSupplier.withAny} firms`,
      );
    }
    return { command: 'eval-renewals', sets };
  },
};
