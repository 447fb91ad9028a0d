/**
 * `npm run bench [-- part ...]`: runs the benchmarks in jobs/bench/, each printing its numbers beside a
 * baseline measured in the same run, and ends with one JSON line holding every part's figures.
 *
 * Each part runs in a Node process of its own, so that no part is measured on a heap another part left
 * behind (the matching part ran 25% slower after the ingest and alerts parts in one process).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const PART = '--part=';

/** Runs one part in this process; its figures go out as the last line, prefixed so the parent can find them. */
async function runPart(part: string): Promise<void> {
  const module = (await import(join(here, `${part}.ts`))) as { run: () => Promise<Record<string, unknown>> };
  const figures = await module.run();
  console.log(`bench-part ${JSON.stringify(figures)}`);
}

/** Runs one part in a child process, passing its output through; resolves with its figures. */
function inChild(part: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `${PART}${part}`, ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let figures: Record<string, unknown> | null = null;
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('bench-part ')) figures = JSON.parse(line.slice('bench-part '.length));
        else console.log(line);
      }
    });
    child.on('exit', (code) => resolve(figures && code === 0 ? figures : { error: `the ${part} benchmark exited with code ${code}` }));
  });
}

const own = flags.find((f) => f.startsWith(PART));
if (own) {
  try {
    await runPart(own.slice(PART.length));
  } catch (err) {
    console.error(`${own.slice(PART.length)} failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
} else {
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
    results[part] = await inChild(part);
    if ((results[part] as { error?: unknown }).error !== undefined) failed = true;
  }
  console.log(JSON.stringify({ bench: results, ok: !failed }));
  process.exit(failed ? 1 : 0);
}
