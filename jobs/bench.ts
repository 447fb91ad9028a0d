/**
 * `npm run bench [-- part ...]`: runs the benchmarks in jobs/bench/, each printing its numbers beside a
 * baseline measured in the same run, and ends with one JSON line holding every part's figures.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const parts = wanted.length ? wanted : available;

const results: Record<string, unknown> = {};
let failed = false;
for (const part of parts) {
  if (!available.includes(part)) {
    console.error(`unknown benchmark "${part}"; available: ${available.join(', ')}`);
    failed = true;
    continue;
  }
  console.log(`\n== ${part} ==`);
  try {
    const module = (await import(join(here, `${part}.ts`))) as { run: () => Promise<Record<string, unknown>> };
    results[part] = await module.run();
  } catch (err) {
    failed = true;
    results[part] = { error: (err as Error).message };
    console.error(`${part} failed: ${(err as Error).stack ?? err}`);
  }
}
if (!existsSync(here)) failed = true;
console.log(JSON.stringify({ bench: results, ok: !failed }));
process.exit(failed ? 1 : 0);
