import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcess {
  url: string;
  pid: number;
  /** The SQLite file the service runs on (tests open it to check what was stored). */
  databasePath: string;
  /** Resident set size now and at its peak (VmRSS, VmHWM from /proc), in bytes. */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

/**
 * Runs the real entry point (`src/entry/node.ts`, as `npm start` does) in a child process on 127.0.0.1 and a port
 * of its own, over a fresh SQLite file (or `DATABASE_URL` when given), with the feeds and alerts off. Resolves once
 * it listens. Tests, benchmarks and the load script use it.
 */
export async function startServiceProcess(env: Record<string, string> = {}, startSeconds = 60): Promise<ServiceProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tendermatch-service-'));
  const databasePath = env.DATABASE_URL ?? join(dir, 'store.db');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/entry/node.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      INGEST_ENABLED: 'false',
      ALERTS_ENABLED: 'false',
      OUTBOX_DIR: join(dir, 'outbox'),
      ...env,
      DATABASE_URL: databasePath,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start in ${startSeconds} s:\n${log}`)), startSeconds * 1000);
    const listen = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const m = /"msg":"tendermatch listening","url":"([^"]+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        // From now on its log is only passed over (kept, it would grow with the run).
        child.stderr!.off('data', listen);
        child.stderr!.on('data', () => {});
        resolve(m[1]);
      }
    };
    child.stderr!.on('data', listen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with code ${code}:\n${log}`));
    });
  });
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return {
    url,
    pid: child.pid!,
    databasePath,
    memory() {
      const s = status();
      return { rss: kb(s, 'VmRSS'), peak: kb(s, 'VmHWM') };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
