import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { SHARED_DATA, testDeps } from '../support/helpers.js';

const OCDS = join(SHARED_DATA, 'ocds');
const present = existsSync(OCDS);
if (!present) console.warn(`real-data suite skipped: ${OCDS} is absent (it sits beside the project checkout in CI)`);

const files = present
  ? ['contracts-finder', 'public-contracts-scotland', 'sell2wales'].flatMap((d) =>
      readdirSync(join(OCDS, d))
        .filter((f) => f.endsWith('.jsonl') || f.endsWith('.json'))
        .map((f) => join(OCDS, d, f)),
    )
  : [];

describe.skipIf(!present)('real published releases (../shared/data/ocds)', () => {
  it.each(files.map((f) => [f.slice(OCDS.length + 1), f]))('%s ingests with no crash; any quarantine carries its reason', async (_name, file) => {
    const deps = await testDeps();
    const summary = await ingestFile(deps, file);
    const lines = readFileSync(file, 'utf8').trim();
    const expected = file.endsWith('.jsonl') ? lines.split('\n').length : (JSON.parse(lines).releases as unknown[]).length;
    expect(summary.fetched).toBe(expected);
    expect(summary.inserted + summary.updated + summary.unchanged + summary.quarantined).toBe(expected);
    const quarantined = await deps.db.selectFrom('quarantine').select(['reason']).execute();
    expect(quarantined).toHaveLength(summary.quarantined);
    for (const q of quarantined) expect(q.reason.length).toBeGreaterThan(5);
    const tenders = await deps.db.selectFrom('tenders').select(['ocid', 'title']).execute();
    expect(tenders.length).toBeGreaterThan(0);
    expect(tenders.every((t) => t.ocid.startsWith('ocds-'))).toBe(true);

    // Ingesting the same file again changes nothing.
    const again = await ingestFile(deps, file);
    expect(again.inserted + again.updated).toBe(0);
    expect(again.changed).toBe(0);
  });

  it('Public Contracts Scotland releases have no id and are kept under stable derived ids', async () => {
    const deps = await testDeps();
    const summary = await ingestFile(deps, join(OCDS, 'public-contracts-scotland/releases-2019.jsonl'));
    expect(summary.quarantined).toBe(0);
    const ids = await deps.db.selectFrom('releases').select('release_id').execute();
    expect(ids).toHaveLength(90);
    expect(ids.every((r) => r.release_id.startsWith('derived-'))).toBe(true);
    const lots = await deps.db.selectFrom('lots').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(lots.n)).toBeGreaterThan(90);
  });

  it('Contracts Finder: awards keep supplier identifiers, scale, and postcodes found in street addresses', async () => {
    const deps = await testDeps();
    await ingestFile(deps, join(OCDS, 'contracts-finder/releases-2022.jsonl'));
    const suppliers = await deps.db.selectFrom('award_suppliers').selectAll().execute();
    expect(suppliers.length).toBeGreaterThan(50);
    const bytes = suppliers.find((s) => s.identifier === '01616977');
    expect(bytes).toMatchObject({ identifier_scheme: 'GB-COH', postcode: 'KT22 7TW', scale: 'large' });
    const withPostcode = suppliers.filter((s) => s.postcode).length / suppliers.length;
    expect(withPostcode).toBeGreaterThan(0.8);
  });
});
