import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Deps } from '../deps.js';
import { buyerIdOf } from '../../db/queries/spend.js';
import { saveCorrection } from '../../db/queries/spend-payees.js';
import { importCategoryFile, importDirectoryFile } from '../../jobs/spend-directory.js';
import { importSpendFile, type BuyerInput, type SpendImportSummary } from '../../jobs/spend-import.js';
import { resolvePayees } from '../../jobs/spend-resolve.js';
import { runSpendUploads } from '../../jobs/spend-uploads.js';
import { checkCorrection } from '../domain/spend/corrections.js';
import { payeeKeyOf } from '../domain/spend/rows.js';
import { pounds } from '../domain/spend/values.js';
import { buildReport, readReportQuery } from '../spend-report.js';
import { stringOption, type Command, type CommandIo, type Options } from './types.js';

const USAGE = [
  'spend import --buyer NAME [--buyer-postcode PC | --buyer-region CODE] [--date-missing-as YYYY-MM-DD] FILE...',
  'spend directory import --buyer NAME FILE',
  'spend categories import --buyer NAME FILE',
  'spend resolve --buyer NAME',
  'spend report (--buyer NAME[,NAME] | --place NAME) [--from DATE|2014Q1] [--to ...] [--view spend|awards] [--include public_body,...] [--format json|csv] [--out FILE]',
  'spend correct --buyer NAME --payee NAME --action confirm|correct|unresolve [--source registry|award|directory --ref REF] [--supplier-name N] [--postcode PC] [--sme yes|no] [--vcse yes|no]',
  'spend uploads',
];

function buyerOf(options: Options): BuyerInput {
  const name = stringOption(options, 'buyer');
  if (!name) throw new Error(`--buyer NAME is needed\nusage:\n  ${USAGE.join('\n  ')}`);
  const postcode = stringOption(options, 'buyer-postcode');
  const region = stringOption(options, 'buyer-region');
  return { name, postcode, region };
}

function filesOf(args: string[], from: number, what: string): string[] {
  const files = args.slice(from);
  if (!files.length) throw new Error(`give the ${what} to load: ${USAGE.find((u) => u.includes(what.split(' ')[0])) ?? USAGE[0]}`);
  return files;
}

async function importFiles(deps: Deps, options: Options, io: CommandIo, files: string[]) {
  const buyer = buyerOf(options);
  const results: SpendImportSummary[] = [];
  for (const path of files) {
    const bytes = await readFile(path);
    io.progress(`importing ${path} (${bytes.length.toLocaleString('en-GB')} bytes)`);
    results.push(await importSpendFile(deps, { buyer, fileName: basename(path), bytes, progress: io.progress, dateMissingAs: stringOption(options, 'date-missing-as') }));
  }
  const sum = (f: (r: SpendImportSummary) => number) => results.reduce((s, r) => s + f(r), 0);
  const pence = (f: (r: SpendImportSummary) => number) => pounds(results.reduce((s, r) => s + Math.round(f(r) * 100), 0));
  return {
    command: 'spend import',
    buyer: buyer.name,
    files: results.map(({ file, file_id, rows, imported, duplicates, quarantined, amount, total, reconciles, quarantine_reasons, first_paid_on, last_paid_on }) => ({
      file, file_id, rows, imported, duplicates, quarantined, amount, total, reconciles, first_paid_on, last_paid_on, quarantine_reasons,
    })),
    rows: sum((r) => r.rows),
    imported: sum((r) => r.imported),
    duplicates: sum((r) => r.duplicates),
    quarantined: sum((r) => r.quarantined),
    amount: pence((r) => r.amount),
    total: pence((r) => r.total),
    quarantined_amount: pence((r) => r.quarantined_amount),
    duplicate_amount: pence((r) => r.duplicate_amount),
    reconciles: results.every((r) => r.reconciles),
    payees_new: sum((r) => r.payees_new),
    payees_resolved: sum((r) => r.payees_resolved),
    dates_stated: sum((r) => r.dates_stated),
  };
}

async function report(deps: Deps, options: Options, io: CommandIo) {
  const record: Record<string, string | undefined> = {};
  for (const name of ['buyer', 'place', 'from', 'to', 'view', 'include', 'top']) record[name] = stringOption(options, name);
  const { query, problems } = readReportQuery(record);
  if (problems.length) throw new Error(problems.map((p) => `--${p.field} ${p.message}`).join('; '));
  const format = stringOption(options, 'format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new Error('--format must be json or csv');
  const built = await buildReport(deps.db, query, `${deps.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/suppliers`);
  if (format === 'json') return { command: 'spend report', ...built.report };
  const csv = (await built.csv());
  const out = stringOption(options, 'out');
  if (out) await writeFile(out, csv);
  else io.out(csv.replace(/\r\n$/, ''));
  return { command: 'spend report', format: 'csv', out: out ?? 'stdout', lines: csv.split('\r\n').length - 2, total: built.report.total, influenceable: built.report.influenceable };
}

async function correct(deps: Deps, options: Options) {
  const buyer = buyerOf(options);
  const payee = stringOption(options, 'payee');
  if (!payee) throw new Error('--payee NAME is needed');
  const checked = checkCorrection({
    action: stringOption(options, 'action'),
    source: stringOption(options, 'source'),
    supplier_ref: stringOption(options, 'ref'),
    supplier_name: stringOption(options, 'supplier-name'),
    postcode: stringOption(options, 'postcode'),
    sme: stringOption(options, 'sme'),
    vcse: stringOption(options, 'vcse'),
    note: stringOption(options, 'note'),
  });
  if (!checked.ok) throw new Error(checked.problems.map((p) => `${p.field} ${p.message}`).join('; '));
  const saved = await saveCorrection(deps.db, buyerIdOf(buyer.name), payeeKeyOf(payee), checked.value, deps.clock.now().toISOString());
  if (!saved.ok) throw new Error(saved.message);
  return { command: 'spend correct', buyer: buyer.name, payee: saved.facts.name, facts: saved.facts };
}

export const spendCommand: Command = {
  summary: 'council spend: import files and a supplier directory, resolve payees, correct one, report',
  usage: 'spend import|directory import|categories import|resolve|report|correct|uploads ...',
  flags: {
    'buyer': { type: 'string' },
    'buyer-postcode': { type: 'string' },
    'buyer-region': { type: 'string' },
    'date-missing-as': { type: 'string' },
    'place': { type: 'string' },
    'from': { type: 'string' },
    'to': { type: 'string' },
    'view': { type: 'string' },
    'include': { type: 'string' },
    'top': { type: 'string' },
    'format': { type: 'string' },
    'out': { type: 'string' },
    'payee': { type: 'string' },
    'action': { type: 'string' },
    'source': { type: 'string' },
    'ref': { type: 'string' },
    'supplier-name': { type: 'string' },
    'postcode': { type: 'string' },
    'sme': { type: 'string' },
    'vcse': { type: 'string' },
    'note': { type: 'string' },
  },
  positionals: true,
  async run(deps, options, io, args = []) {
    const [sub, second] = args;
    switch (sub) {
      case 'import':
        return importFiles(deps, options, io, filesOf(args, 1, 'spend FILE'));
      case 'directory':
      case 'categories': {
        if (second !== 'import') throw new Error(`usage: spend ${sub} import --buyer NAME FILE`);
        const buyer = buyerOf(options);
        const results = [];
        for (const path of filesOf(args, 2, `${sub} FILE`)) {
          const input = { buyer, fileName: basename(path), bytes: await readFile(path) };
          results.push(sub === 'directory' ? await importDirectoryFile(deps, input) : await importCategoryFile(deps, input));
        }
        return { command: `spend ${sub} import`, buyer: buyer.name, files: results, rows: results.reduce((s, r) => s + r.rows, 0), loaded: results.reduce((s, r) => s + r.loaded, 0), rejected: results.reduce((s, r) => s + r.rejected, 0) };
      }
      case 'resolve': {
        const buyer = buyerOf(options);
        return { command: 'spend resolve', ...(await resolvePayees(deps, buyerIdOf(buyer.name), { progress: io.progress })) };
      }
      case 'report':
        return report(deps, options, io);
      case 'correct':
        return correct(deps, options);
      case 'uploads':
        return { command: 'spend uploads', ...(await runSpendUploads(deps, { progress: io.progress })) };
      default:
        throw new Error(`usage:\n  ${USAGE.join('\n  ')}`);
    }
  },
};
