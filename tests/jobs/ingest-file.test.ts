import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { cfTender, pcsTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ingestFile', () => {
  it('streams JSON lines across batches, names the line of a broken one, and files releases by ocid prefix', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify(i % 2 ? cfTender(i) : pcsTender(i)));
    lines[1499] = '{"ocid": "ocds-b5fd17-cut", "tender": {"title": "Wint';
    const path = join(dir, 'releases.jsonl');
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    const deps = await testDeps();
    const progress: number[] = [];
    const summary = await ingestFile(deps, path, { onProgress: (done) => progress.push(done) });
    expect(summary).toMatchObject({ fetched: 2500, inserted: 2499, quarantined: 1, sources: { cf: 1249, pcs: 1250, file: 1 } });
    // Progress is told once per commit (5,000 releases a transaction): here, once, when all 2,500 are stored.
    expect(progress).toEqual([2500]);
    const q = await deps.db.selectFrom('quarantine').select(['reason', 'source']).execute();
    expect(q).toEqual([{ source: 'file', reason: expect.stringMatching(/^line 1500 is not valid JSON/) }]);
  });

  it('reads a release package and a record package', async () => {
    const deps = await testDeps();
    const pkg = join(dir, 'package.json');
    writeFileSync(pkg, JSON.stringify({ uri: 'x', publishedDate: '2026-11-01T00:00:00Z', releases: [cfTender(1), cfTender(2)] }, null, 2));
    expect(await ingestFile(deps, pkg)).toMatchObject({ fetched: 2, inserted: 2 });
    const records = join(dir, 'records.json');
    writeFileSync(records, JSON.stringify({ records: [{ ocid: 'ocds-b5fd17-test-open-3', releases: [cfTender(3)] }] }));
    expect(await ingestFile(deps, records)).toMatchObject({ fetched: 1, inserted: 1 });
  });

  it('says clearly when the file does not exist, storing nothing', async () => {
    const deps = await testDeps();
    await expect(ingestFile(deps, join(dir, 'missing.jsonl'))).rejects.toThrow(/no such file/);
  });
});
