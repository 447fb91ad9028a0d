/**
 * Worker bundle benchmark: the Worker (src/entry/worker.ts) bundled by wrangler exactly as `wrangler deploy`
 * would (`--dry-run --outdir`), its size raw and gzip-compressed beside Cloudflare's limits and beside a
 * baseline bundled in the same run with the same wrangler, compatibility date and flags: a bare Hono Worker
 * answering one route. The largest inputs come from esbuild's metafile. No network: nothing is deployed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, wrangler } from '../tools/wrangler.js';

/** Cloudflare's limits on a Worker's compressed size: Workers Free and Workers Paid. */
const LIMIT_FREE = 3 * 1024 * 1024;
const LIMIT_PAID = 10 * 1024 * 1024;

interface Bundle {
  raw: number;
  gzip: number;
  seconds: number;
  inputs: Array<[string, number]>;
}

async function bundle(cwd: string, outdir: string): Promise<Bundle> {
  const t0 = performance.now();
  await wrangler(['deploy', '--dry-run', '--outdir', outdir, '--metafile', join(outdir, 'meta.json')], { cwd });
  const seconds = (performance.now() - t0) / 1000;
  const meta = JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const [file, output] = Object.entries(meta.outputs).find(([f]) => f.endsWith('.js'))!;
  const code = readFileSync(join(cwd, file));
  const inputs = Object.entries(output.inputs)
    .map(([path, i]) => [path, i.bytesInOutput] as [string, number])
    .sort((a, b) => b[1] - a[1]);
  return { raw: code.length, gzip: gzipSync(code, { level: 9 }).length, seconds, inputs };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-bundle-'));
  try {
    const wranglerToml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
    const compat = /compatibility_date\s*=\s*"([^"]+)"/.exec(wranglerToml)![1];
    const flags = /compatibility_flags\s*=\s*(\[[^\]]*\])/.exec(wranglerToml)?.[1] ?? '[]';
    const ours = await bundle(ROOT, join(dir, 'tendermatch'));

    // The baseline lives beside the project so that it resolves the same hono from node_modules.
    const bare = mkdtempSync(join(ROOT, 'node_modules', '.bench-bare-worker-'));
    let base: Bundle;
    try {
      writeFileSync(join(bare, 'worker.ts'), "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/health', (c) => c.json({ status: 'ok' }));\nexport default app;\n");
      writeFileSync(join(bare, 'wrangler.toml'), `name = "bare"\nmain = "worker.ts"\ncompatibility_date = "${compat}"\ncompatibility_flags = ${flags}\n`);
      base = await bundle(bare, join(dir, 'bare'));
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }

    console.log(`  ${'bundle'.padEnd(34)} ${'raw'.padStart(12)} ${'gzip'.padStart(12)} ${'build'.padStart(8)}`);
    console.log(`  ${'tendermatch Worker'.padEnd(34)} ${kib(ours.raw).padStart(12)} ${kib(ours.gzip).padStart(12)} ${ours.seconds.toFixed(1).padStart(7)}s`);
    console.log(`  ${'baseline: bare Hono Worker'.padEnd(34)} ${kib(base.raw).padStart(12)} ${kib(base.gzip).padStart(12)} ${base.seconds.toFixed(1).padStart(7)}s`);
    console.log(`  gzip size is ${((ours.gzip / LIMIT_FREE) * 100).toFixed(0)}% of the Workers Free limit (3 MiB), ${((ours.gzip / LIMIT_PAID) * 100).toFixed(0)}% of the Paid limit (10 MiB)`);
    console.log('  largest inputs (bytes in the bundle):');
    for (const [path, bytes] of ours.inputs.slice(0, 10)) console.log(`    ${kib(bytes).padStart(10)}  ${path}`);
    return {
      bundle_raw_bytes: ours.raw,
      bundle_gzip_bytes: ours.gzip,
      baseline_raw_bytes: base.raw,
      baseline_gzip_bytes: base.gzip,
      share_of_free_limit: Number((ours.gzip / LIMIT_FREE).toFixed(3)),
      largest_inputs: ours.inputs.slice(0, 5).map(([path, bytes]) => ({ path, bytes })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
