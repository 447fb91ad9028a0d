import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { testDeps } from '../support/helpers.js';

/** Three rows of the real Contracts Finder export (one of them from an older export: 42 cells, no Closing Time) and two broken ones. */
const fixture = fileURLToPath(new URL('../support/fixtures/contracts-finder-export.csv', import.meta.url));

describe('ingest --file of a Contracts Finder CSV export', () => {
  it('stores each readable row as a tender under cf, quarantines the others with their reason, and changes nothing the second time', async () => {
    const deps = await testDeps();
    const first = await ingestFile(deps, fixture);
    expect(first).toMatchObject({ fetched: 5, inserted: 3, updated: 0, quarantined: 2, changed: 3, sources: { cf: 5 } });

    const tenders = await deps.db.selectFrom('tenders').select(['ocid', 'source', 'title', 'buyer_name', 'cpv_codes', 'status', 'suitable_sme']).orderBy('title').execute();
    expect(tenders.map((t) => [t.source, t.title, t.buyer_name, JSON.parse(t.cpv_codes), t.status, t.suitable_sme])).toEqual([
      ['cf', 'Customer Engagement Programme Professional Services', 'H M REVENUE & CUSTOMS', ['72000000'], 'complete', 1],
      ['cf', 'I&T Technical Delivery Support', 'The Insolvency Service', ['72222300'], 'complete', 1],
      ['cf', 'Investment Partnership Contract', 'South Cambridgeshire District Council', ['70000000'], 'complete', 0],
    ]);
    expect(tenders.every((t) => t.ocid.startsWith('ocds-b5fd17-csv-'))).toBe(true);
    const suppliers = await deps.db.selectFrom('award_suppliers').select(['name', 'identifier_scheme', 'identifier', 'scale']).orderBy('name').execute();
    expect(suppliers).toContainEqual({ name: 'William Alexander Consulting Ltd', identifier_scheme: 'GB-COH', identifier: '12016458', scale: 'sme' });
    expect(suppliers).toContainEqual({ name: 'SMARTSOURCING LIMITED', identifier_scheme: 'GB-COH', identifier: '04359421', scale: 'sme' });
    const delivery = await deps.db.selectFrom('tender_places').innerJoin('tenders', 'tenders.ocid', 'tender_places.ocid').select(['title', 'code']).where('role', '=', 'delivery').orderBy(['title', 'code']).execute();
    expect(delivery.filter((d) => d.title === 'I&T Technical Delivery Support').map((d) => d.code)).toEqual(['TLG', 'TLI']);
    const quarantine = await deps.db.selectFrom('quarantine').select(['source', 'reason']).orderBy('reason').execute();
    expect(quarantine).toEqual([
      { source: 'cf', reason: 'CSV row ending at line 16: Closing Date "31/13/2020" is not a dd/mm/yyyy date' },
      { source: 'cf', reason: 'CSV row ending at line 15: no Title' },
    ].sort((a, b) => (a.reason < b.reason ? -1 : 1)));

    const again = await ingestFile(deps, fixture);
    expect(again).toMatchObject({ fetched: 5, inserted: 0, updated: 0, unchanged: 3, quarantined: 2, changed: 0 });
    expect(await deps.db.selectFrom('quarantine').select('reason').execute()).toHaveLength(2);
    expect(await deps.db.selectFrom('releases').select('release_id').execute()).toHaveLength(3);
  });
});
