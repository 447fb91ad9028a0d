import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { createApp } from '../../src/app.js';
import { cfTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tendermatch-not-ocds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A council's own JSON summary of its contracts, as councils publish them: JSON, but no OCDS. */
const COUNCIL_SUMMARY = {
  council: 'Trafford Council',
  published: '2022-10-01',
  contracts: [
    { reference: 'TC-2022-014', title: 'Highways resurfacing', supplier: 'Tarmac Trading Ltd', value: 412000, start: '2022-04-01' },
    { reference: 'TC-2022-015', title: 'School catering', supplier: 'Caterlink Ltd', value: 98000, start: '2022-09-01' },
  ],
};

async function countRows(deps: Awaited<ReturnType<typeof testDeps>>) {
  const n = async (table: 'releases' | 'quarantine' | 'tenders') => (await deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  return { releases: Number(await n('releases')), quarantine: Number(await n('quarantine')), tenders: Number(await n('tenders')) };
}

describe('a file that holds no OCDS', () => {
  it.each([
    ['council-summary.json', JSON.stringify(COUNCIL_SUMMARY, null, 2), /is JSON but not OCDS: it has no releases, records or ocid \(its keys: council, published, contracts\)/],
    ['contracts.txt', 'Contracts awarded in October 2022\nHighways resurfacing - Tarmac Trading Ltd - £412,000\n', /is not JSON, so not OCDS \(it reads as text, starting "Contracts awarded in October 2022"\)/],
    ['summary.jsonl', COUNCIL_SUMMARY.contracts.map((c) => JSON.stringify(c)).join('\n') + '\n', /is JSON but not OCDS.*its keys: reference, title, supplier, value, start/],
    ['empty.json', '', /holds nothing: it is empty/],
  ])('%s is refused whole, saying what it is not; nothing is stored; GET /sources shows the failed run', async (name, text, message) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    const deps = await testDeps();
    await expect(ingestFile(deps, path)).rejects.toThrow(message);
    expect(await countRows(deps)).toEqual({ releases: 0, quarantine: 0, tenders: 0 });
    const res = await createApp(deps).request('/sources');
    const body = (await res.json()) as { files: Array<{ file: string; last_run: { status: string; error: string } }> };
    expect(body.files).toEqual([expect.objectContaining({ file: name, last_run: expect.objectContaining({ status: 'error', error: expect.stringMatching(message) }) })]);
  });

  it('makes `ingest --file` exit non-zero with ok: false and the reason', () => {
    const path = join(dir, 'council.json');
    writeFileSync(path, JSON.stringify(COUNCIL_SUMMARY));
    const run = spawnSync('npx', ['tsx', 'src/cli.ts', 'ingest', '--file', path, '--no-match'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: join(dir, 'cli.db'), LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ ok: false, command: 'ingest', error: expect.stringMatching(/is JSON but not OCDS/) });
    expect(run.stderr).not.toMatch(/releases stored/);
  });

  it('a good file still shows in GET /sources with its counts', async () => {
    const path = join(dir, 'good.jsonl');
    writeFileSync(path, [cfTender(1), cfTender(2)].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const deps = await testDeps();
    expect(await ingestFile(deps, path)).toMatchObject({ fetched: 2, inserted: 2 });
    const body = (await (await createApp(deps).request('/sources')).json()) as { files: unknown[] };
    expect(body.files).toEqual([{ file: 'good.jsonl', last_run: expect.objectContaining({ status: 'ok', error: null }), counts: { fetched: 2, new: 2, updated: 0, unchanged: 0, quarantined: 0 } }]);
  });

  it('reports a JSON-lines file as stored only once committed: each count it tells is in the store', async () => {
    const database = join(dir, 'progress.db');
    const store = await openDb(database);
    await migrate(store);
    const deps = await testDeps({ db: store });
    const lines = Array.from({ length: 12_000 }, (_, i) => JSON.stringify(cfTender(i + 1)));
    const path = join(dir, 'many.jsonl');
    writeFileSync(path, lines.join('\n') + '\n');
    // Another connection sees only what is committed.
    const reader = new Database(database, { readonly: true });
    const seen: Array<[number, number]> = [];
    await ingestFile(deps, path, {
      workers: 0,
      onProgress: (done) => seen.push([done, (reader.prepare('SELECT COUNT(*) AS n FROM releases').get() as { n: number }).n]),
    });
    reader.close();
    await store.destroy();
    expect(seen).toEqual([
      [5000, 5000],
      [10000, 10000],
      [12000, 12000],
    ]);
  });
});
