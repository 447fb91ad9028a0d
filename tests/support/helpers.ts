import { afterEach } from 'vitest';
import { type Db } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { recordingJobs, type Deps } from '../../src/deps.js';
import { memoryLog } from '../../src/log.js';
import { memoryMailer } from '../../src/mail/mailer.js';
import { nodePackageFiles } from '../../src/entry/package-files.js';

/** A fresh, migrated in-memory SQLite store. */
export async function freshDb(): Promise<Db> {
  const db = await openDb(':memory:');
  await migrate(db);
  return db;
}

/** Dependencies for one test: its own database, a fixed clock, a memory log and mailer, no real waiting. */
export async function testDeps(overrides: Partial<Deps> & { env?: Record<string, string> } = {}) {
  const { env, ...rest } = overrides;
  const config: Config = loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', ...env });
  const deps = {
    db: rest.db ?? (await freshDb()),
    clock: fixedClock('2026-11-24T09:00:00Z'),
    log: memoryLog(),
    config,
    mailer: memoryMailer(),
    fetch: globalThis.fetch.bind(globalThis),
    sleep: async () => {},
    // Kicks are recorded, not run: a test runs the job itself (e.g. drainSupplierMatchQueue) when it wants matches.
    jobs: recordingJobs(),
    packageFiles: nodePackageFiles(),
    ...rest,
  };
  return deps as Deps & {
    clock: ReturnType<typeof fixedClock>;
    log: ReturnType<typeof memoryLog>;
    mailer: ReturnType<typeof memoryMailer>;
    jobs: ReturnType<typeof recordingJobs>;
  };
}

export const SHARED_DATA = new URL('../../../shared/data/', import.meta.url).pathname;

/** PostgreSQL for tests: CI starts it (.ci/run); elsewhere set TEST_POSTGRES_URL to run these too. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? (process.env.CI ? 'postgres://postgres@127.0.0.1:5432/test' : undefined);

/** A fresh, migrated PostgreSQL schema of its own; `drop()` removes it. */
export async function freshPostgresDb(): Promise<Db & { drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('no PostgreSQL configured for tests');
  const { sql } = await import('kysely');
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = await openDb(POSTGRES_URL);
  await sql.raw(`CREATE SCHEMA ${schema}`).execute(admin);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = await openDb(url.toString());
  await migrate(db);
  return Object.assign(db, {
    async drop() {
      await db.destroy();
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(admin);
      await admin.destroy();
    },
  });
}

/** The engines a store test runs on, for describe.each: SQLite always, PostgreSQL where one is configured. */
export const STORE_ENGINES: Array<[string, () => Promise<Db>]> = [['SQLite', freshDb], ...(POSTGRES_URL ? [['PostgreSQL', freshPostgresDb] as [string, () => Promise<Db>]] : [])];

/**
 * Call inside a describe: returns `open` wrapped so that every store it opens is dropped (a PostgreSQL schema)
 * or closed after each test.
 */
export function storesPerTest(open: () => Promise<Db>): () => Promise<Db> {
  const opened: Db[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await ((db as Db & { drop?: () => Promise<void> }).drop?.() ?? db.destroy());
  });
  return async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
}

/** A JSON request to an app (`app.request`), with `key` sent as the bearer token when given. */
export function jsonCaller(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }) {
  return async (method: string, path: string, body?: unknown, key?: string): Promise<Response> =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** Tables a feed or file ingest writes to. */
export const INGEST_TABLES = ['releases', 'tenders', 'lots', 'items', 'awards', 'award_suppliers', 'quarantine', 'tender_places', 'tender_cpv'] as const;
/** Columns that say when a process wrote the row, not what the feed said. */
const RUN_TIME = /"(stored_at|updated_at|received_at|tagged_at|computed_at)":"[^"]*"/g;

/** Every row of the ingest tables as sorted JSON text, write times blanked: two stores compare equal when they hold the same. */
export async function ingestRows(db: Db): Promise<Record<string, string[]>> {
  const { sql } = await import('kysely');
  const rows: Record<string, string[]> = {};
  for (const table of INGEST_TABLES) {
    const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db);
    rows[table] = result.rows.map((r) => JSON.stringify(r).replace(RUN_TIME, '"$1":"-"')).sort();
  }
  return rows;
}

/** The fields an error answer names (details.fields), each once, in order. */
export function fieldNames(body: { error: { details?: { fields?: Array<{ field: string }> } } }): string[] {
  return [...new Set((body.error.details?.fields ?? []).map((f) => f.field))];
}
