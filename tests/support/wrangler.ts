import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ROOT, WRANGLER, wranglerEnv } from '../../jobs/tools/wrangler.js';

/** `wrangler dev --local` for tests, on 127.0.0.1, offline (see jobs/tools/wrangler.ts), and one-off wrangler commands. */
export { wrangler } from '../../jobs/tools/wrangler.js';

/** A TCP port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  url: string;
  /** Everything the Worker and wrangler printed so far. */
  output(): string;
  /** Resolves when a line matching `pattern` has been printed (after `from` characters of output). */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `wrangler dev --local` over the local D1 in `persistTo`, with `vars` set, and waits until it answers. */
export async function startDev(persistTo: string, vars: Record<string, string>): Promise<DevServer> {
  const port = await freePort();
  const inspector = await freePort();
  const args = [
    'dev', '--local', '--persist-to', persistTo, '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
    '--test-scheduled', '--show-interactive-dev-session=false', '--log-level', 'info',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  // Its own process group, so that stopping it stops workerd too.
  const child: ChildProcess = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const listeners = new Set<() => void>();
  const take = (c: Buffer) => {
    out += c.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  let exited = false;
  child.on('exit', () => {
    exited = true;
    for (const l of listeners) l();
  });

  const waitFor = (pattern: RegExp, timeoutMs = 60_000, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(out.slice(from));
        if (m) {
          done();
          resolve(m[0]);
        } else if (exited) {
          done();
          reject(new Error(`wrangler dev exited before printing ${pattern}:\n${out}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`wrangler dev did not print ${pattern} within ${timeoutMs} ms:\n${out}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  const stop = async () => {
    if (exited || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await gone;
    clearTimeout(timer);
  };

  try {
    await waitFor(/Ready on http:\/\/127\.0\.0\.1:\d+/, 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, output: () => out, waitFor, stop };
}
