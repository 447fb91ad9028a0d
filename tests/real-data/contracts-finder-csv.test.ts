import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { SHARED_DATA, testDeps } from '../support/helpers.js';

const file = `${SHARED_DATA}contracts-finder-csv/awarded-notices-2020.csv`;

describe.skipIf(!existsSync(file))('ingest --file of the real Contracts Finder CSV export (skipped: ../shared/data not present)', () => {
  it('stores or quarantines every row, totals equal, and storing it again changes nothing', async () => {
    const deps = await testDeps();
    const first = await ingestFile(deps, file);
    expect(first.fetched).toBe(1000);
    expect(first.inserted + first.quarantined).toBe(1000);
    const count = async (table: 'tenders' | 'quarantine' | 'releases') => Number((await deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('tenders')).toBe(first.inserted);
    expect(await count('releases')).toBe(first.inserted);
    expect(await count('quarantine')).toBe(first.quarantined);
    // Every row of this export reads (255 of them come from an older export with one column fewer).
    expect(first.quarantined).toBe(0);
    const companies = await deps.db.selectFrom('award_suppliers').select('identifier').where('identifier_scheme', '=', 'GB-COH').execute();
    expect(companies.length).toBeGreaterThan(400);
    // Numbers are padded as the register writes them; the few published malformed (nine digits, "0186908SC") stay as published.
    const wellFormed = companies.filter((c) => /^([0-9]{8}|[A-Z]{2}[0-9]{6})$/.test(c.identifier ?? ''));
    expect(companies.length - wellFormed.length).toBeLessThanOrEqual(10);
    const withCpv = await deps.db.selectFrom('tender_cpv').select('ocid').distinct().execute();
    expect(withCpv.length).toBe(1000);

    const again = await ingestFile(deps, file);
    expect(again).toMatchObject({ fetched: 1000, inserted: 0, updated: 0, unchanged: first.inserted, changed: 0 });
  }, 120_000);
});
