import { configFromProcess } from './config.js';
import { buildNodeDeps } from './entry/node-deps.js';
import { migrate } from '../db/migrate.js';
import { parseCommandLine, type Command } from './commands/types.js';
import { migrateCommand } from './commands/migrate.js';
import { ingestCommand } from './commands/ingest.js';
import { sendAlertsCommand } from './commands/send-alerts.js';
import { classifyCommand } from './commands/classify.js';
import { retagCommand } from './commands/retag.js';
import { evalTaggingCommand } from './commands/eval-tagging.js';
import { evalMatchingCommand } from './commands/eval-matching.js';
import { evalRelevanceCommand } from './commands/eval-relevance.js';
import { matchCommand } from './commands/match.js';
import { refreshHighPotentialCommand } from './commands/refresh-high-potential.js';
import { placesCommand } from './commands/places.js';
import { evalTwinsCommand } from './commands/eval-twins.js';
import { evalRenewalsCommand } from './commands/eval-renewals.js';
import { forecastRenewalsCommand } from './commands/forecast-renewals.js';
import { evalPlacesCommand } from './commands/eval-places.js';
import { backupCommand } from './commands/backup.js';
import { spendCommand } from './commands/spend.js';

/** Every CLI command, by name. Each prints one JSON object with its figures as its last line. */
const commands: Record<string, Command> = {
  classify: classifyCommand,
  retag: retagCommand,
  'eval-tagging': evalTaggingCommand,
  'eval-matching': evalMatchingCommand,
  'eval-relevance': evalRelevanceCommand,
  match: matchCommand,
  migrate: migrateCommand,
  ingest: ingestCommand,
  'send-alerts': sendAlertsCommand,
  'refresh-high-potential': refreshHighPotentialCommand,
  places: placesCommand,
  'eval-twins': evalTwinsCommand,
  'eval-renewals': evalRenewalsCommand,
  'forecast-renewals': forecastRenewalsCommand,
  'eval-places': evalPlacesCommand,
  backup: backupCommand,
  spend: spendCommand,
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${c.usage.padEnd(58)} ${c.summary}`);
  return `usage: npm run cli -- <command> [options]\n\ncommands:\n${lines.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === 'help' || name === '--help' || argv.includes('--help')) {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n${usage()}\n`);
    process.stdout.write(JSON.stringify({ command: name, ok: false, error: 'unknown command' }) + '\n');
    return 2;
  }
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(command, argv.slice(1));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${name}: ${message}\nusage: npm run cli -- ${command.usage}\n`);
    process.stdout.write(JSON.stringify({ command: name, ok: false, error: message }) + '\n');
    return 2;
  }
  const config = configFromProcess();
  const deps = await buildNodeDeps(config);
  try {
    if (name !== 'migrate') await migrate(deps.db);
    const summary = await command.run(deps, parsed.options, {
      stdin: process.stdin,
      progress: (line) => process.stderr.write(line + '\n'),
      out: (line) => process.stdout.write(line + '\n'),
    }, parsed.positionals);
    process.stdout.write(JSON.stringify({ ok: true, ...summary }) + '\n');
    return summary.ok === false ? 1 : 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${name}: ${message}\n`);
    process.stdout.write(JSON.stringify({ command: name, ok: false, error: message }) + '\n');
    return 1;
  } finally {
    await deps.mailer.close();
    await deps.db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
