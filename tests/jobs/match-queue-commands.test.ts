import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestCommand } from '../../src/commands/ingest.js';
import { parseCommandLine } from '../../src/commands/types.js';
import { matchCommand } from '../../src/commands/match.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { registration, tenderRelease, type TenderSpec } from '../support/matching-fixtures.js';
import { ReplayServer, spread } from '../support/replay-server.js';

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-queue-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const specs: TenderSpec[] = [
  { ocid: 'ocds-test-cli-1', title: 'Electrical inspection, North Glasgow', cpv: '50711000', region: 'UKM82', value: 200000, sme: true },
  { ocid: 'ocds-test-cli-2', title: 'Electrical condition reports, Glasgow schools', cpv: '50711000', region: 'UKM82', value: 80000 },
  { ocid: 'ocds-test-cli-3', title: 'Bus passenger app', cpv: '72212000', region: 'UKG', value: 250000 },
];

function releasesFile(name: string, list: TenderSpec[]): string {
  const file = join(dir, name);
  writeFileSync(file, list.map((s) => JSON.stringify(tenderRelease(s))).join('\n') + '\n');
  return file;
}

/** Deps with one electrical contractor in Glasgow registered, and a command io that keeps its progress lines. */
async function setup(env: Record<string, string> = {}) {
  const deps = await testDeps({ env });
  const res = await createApp(deps).request('/suppliers', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(registration({ name: 'Glasgow Sparks', company_number: 'SC700031', postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'] })),
  });
  expect(res.status).toBe(201);
  const progress: string[] = [];
  const io = { stdin: process.stdin, out: () => {}, progress: (l: string) => progress.push(l) };
  const matchedOcids = async () => (await deps.db.selectFrom('matches').select('ocid').orderBy('ocid').execute()).map((m) => m.ocid);
  const queued = async () => (await deps.db.selectFrom('match_queue').select('ocid').orderBy('ocid').execute()).map((m) => m.ocid);
  return { deps, io, progress, matchedOcids, queued };
}

describe('ingest command and the match queue', () => {
  it('--file matches the tenders it stored before it ends, and says how many', async () => {
    const { deps, io, progress, matchedOcids, queued } = await setup();
    const summary = await ingestCommand.run(deps, { file: releasesFile('three.jsonl', specs) }, io);
    expect(summary).toMatchObject({ command: 'ingest', fetched: 3, changed: 3, matched: 3, queued: 0, matches: { written: 2, removed: 0, closed: 0 } });
    expect(await matchedOcids()).toEqual(['ocds-test-cli-1', 'ocds-test-cli-2']);
    expect(await queued()).toEqual([]);
    expect(progress.at(-1)).toMatch(/^match: 3 tenders against 1 suppliers: 2 matches stored, 0 removed$/);

    // The same file again: nothing changed, nothing to match, nothing rewritten.
    expect(await ingestCommand.run(deps, { file: releasesFile('three.jsonl', specs) }, io)).toMatchObject({ unchanged: 3, changed: 0, matched: 0, queued: 0 });
  });

  it('--no-match leaves the changed tenders queued for `match`, which then matches them', async () => {
    const { deps, io, progress, matchedOcids, queued } = await setup();
    const summary = await ingestCommand.run(deps, parseCommandLine(ingestCommand, ['--file', releasesFile('two.jsonl', specs.slice(0, 2)), '--no-match']).options, io);
    expect(summary).toMatchObject({ command: 'ingest', changed: 2, matched: 0, queued: 2 });
    expect(progress.at(-1)).toMatch(/--no-match.*2 tenders wait in the match queue/);
    expect(await matchedOcids()).toEqual([]);
    expect(await queued()).toEqual(['ocds-test-cli-1', 'ocds-test-cli-2']);

    // A later ingest matches what it stored and what was left waiting.
    const next = await ingestCommand.run(deps, { file: releasesFile('one.jsonl', [specs[2], specs[2]]) }, io);
    expect(next).toMatchObject({ changed: 1, matched: 3, queued: 0 });
    expect(await matchedOcids()).toEqual(['ocds-test-cli-1', 'ocds-test-cli-2']);

    await ingestCommand.run(deps, parseCommandLine(ingestCommand, ['--no-match', '--file', releasesFile('changed.jsonl', [{ ...specs[0], status: 'cancelled', date: '2026-11-10' }, specs[1]])]).options, io);
    expect(await queued()).toEqual(['ocds-test-cli-1']);
    expect(await matchCommand.run(deps, {}, io)).toMatchObject({ command: 'match', matched: 1, queued: 0, closed: 1, removed: 1 });
    expect(await matchedOcids()).toEqual(['ocds-test-cli-2']);
  });

  it('--source matches what it fetched from the feed', async () => {
    const server = await new ReplayServer('fts', spread(specs.map((s) => tenderRelease(s)), new Date('2026-11-23T10:07:00Z'), 40)).start();
    try {
      const { deps, io, matchedOcids, queued } = await setup({ FTS_BASE_URL: server.url, INGEST_BACKFILL_DAYS: '2' });
      deps.sleep = async (ms: number) => deps.clock.advance(ms);
      const summary = await ingestCommand.run(deps, { source: 'fts' }, io);
      expect(summary).toMatchObject({ command: 'ingest', source: 'fts', status: 'ok', fetched: 3, changed: 3, matched: 3, queued: 0, matches: { written: 2 } });
      expect(await matchedOcids()).toEqual(['ocds-test-cli-1', 'ocds-test-cli-2']);
      expect(await queued()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('refuses --no-match with a value before anything runs', async () => {
    const { deps } = await setup();
    expect(() => parseCommandLine(ingestCommand, ['--file', releasesFile('x.jsonl', specs), '--no-match=later'])).toThrow(/--no-match.*does not take an argument/);
    expect(await deps.db.selectFrom('releases').selectAll().execute()).toEqual([]);
  });
});
