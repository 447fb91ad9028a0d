import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs the project's own wrangler (a dev dependency; workerd comes with it as an npm package) with nothing
 * fetched from anywhere: wrangler would otherwise send usage metrics and error reports and look for a newer
 * version of itself, and miniflare would download Cloudflare's `request.cf` data. Each is switched off here.
 * Used by the Worker tests and the worker benchmark.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WRANGLER = fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url));

export const OFFLINE_ENV: Record<string, string> = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
};

/** The environment for a wrangler process: offline, non-interactive, and with no Cloudflare account. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  const { CLOUDFLARE_API_TOKEN: _t, CLOUDFLARE_ACCOUNT_ID: _a, ...rest } = process.env;
  return { ...rest, ...OFFLINE_ENV, CI: 'true' };
}

/** Runs one wrangler command (in `cwd`, the project by default) to its end; rejects with its output on a non-zero exit. */
export function wrangler(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: options.cwd ?? ROOT, env: wranglerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`wrangler ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}
