import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storeReleases } from '../db/queries/releases.js';
import { classifyCommand } from '../src/commands/classify.js';
import { retagCommand } from '../src/commands/retag.js';
import { cfTender, pcsTender } from './fixtures/releases.js';
import { testDeps } from './helpers.js';

function io(input: string) {
  const out: string[] = [];
  const progress: string[] = [];
  return { io: { stdin: Readable.from([input]), out: (l: string) => out.push(l), progress: (l: string) => progress.push(l) }, out, progress };
}

describe('classify command', () => {
  it('writes one JSON line per notice with CPV codes best first, and a reason for bad lines', async () => {
    const deps = await testDeps();
    const input = [
      JSON.stringify({ id: 'n1', title: 'Lift Preventative Maintenance', description: 'maintain lifts and escalators in council buildings' }),
      '{not json',
      JSON.stringify({ id: 'n2' }),
      JSON.stringify({ id: 'n3', title: 'Portering services' }),
    ].join('\n');
    const { io: cio, out } = io(input);
    const summary = await classifyCommand.run(deps, { top: '3' }, cio);
    expect(summary).toMatchObject({ command: 'classify', classified: 2, rejected: 2 });
    const lines = out.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].id).toBe('n1');
    expect(lines[0].cpv[0].code.slice(0, 2)).toBe('50');
    expect(lines[0].cpv.length).toBeLessThanOrEqual(3);
    expect(lines[0].cpv[0].label).toEqual(expect.any(String));
    expect(lines[1]).toEqual({ line: 2, error: 'not valid JSON' });
    expect(lines[2]).toMatchObject({ line: 3, id: 'n2' });
    expect(lines[3].cpv[0]).toMatchObject({ code: '98341120', label: 'Portering services' });
  });
});

describe('retag command', () => {
  it('recomputes the tags of every stored tender from its compiled release', async () => {
    const deps = await testDeps();
    const releases = [pcsTender(1), cfTender(1), cfTender(2)].map((v) => ({ raw: JSON.stringify(v), value: v }));
    await storeReleases(deps.db, 'test', releases, deps.clock.now().toISOString());
    const before = await deps.db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'code']).orderBy(['ocid', 'lot_id', 'role', 'code']).execute();
    expect(before.length).toBeGreaterThan(0);

    // Tags lost or stale (as after a tagger change): retag puts them back as the tagger says now.
    await deps.db.deleteFrom('tender_places').execute();
    await deps.db.updateTable('tender_cpv').set({ tagger_version: 'old', tagged_at: '2000-01-01T00:00:00Z' }).execute();
    deps.clock.set('2026-11-25T00:00:00Z');
    const { io: rio } = io('');
    const summary = await retagCommand.run(deps, {}, rio);
    expect(summary).toMatchObject({ command: 'retag', tenders: 3, failed: 0 });
    const after = await deps.db.selectFrom('tender_places').select(['ocid', 'lot_id', 'role', 'code']).orderBy(['ocid', 'lot_id', 'role', 'code']).execute();
    expect(after).toEqual(before);
    const cpv = await deps.db.selectFrom('tender_cpv').select(['tagger_version', 'tagged_at']).distinct().execute();
    expect(cpv).toHaveLength(1);
    expect(cpv[0].tagged_at).toBe('2026-11-25T00:00:00.000Z');
    expect(cpv[0].tagger_version).not.toBe('old');
  });
});
