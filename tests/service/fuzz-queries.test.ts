/** Property-based: generated query strings on the listing routes; see tests/support/fuzz-arbitraries.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { glasgowInspection, storeTenders, tenderRelease } from '../support/matching-fixtures.js';
import { expectErrorShape, queryString, RUNS, TIMEOUT } from '../support/fuzz-arbitraries.js';

describe('property-based', () => {
  it(`answers any query string on the listing routes with 200 or a refusal in the error shape, ${RUNS} of them`, { timeout: TIMEOUT }, async () => {
    const deps = await testDeps();
    await storeTenders(deps.db, [glasgowInspection]);
    await storeReleases(deps.db, 'cf', [{ raw: JSON.stringify(tenderRelease({ ...glasgowInspection, ocid: 'ocds-test-two', lots: [{ id: '1', title: 'Lot', cpv: '50711000', region: 'UKM82' }] })) }], '2026-11-24T09:00:00Z');
    const app = createApp(deps);
    const paths = ['/tenders', '/suppliers', `/tenders/${glasgowInspection.ocid}/suppliers`, '/tenders/ocds-test-two/consortia', `/suppliers/sup_none/matches`];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), queryString, async (path, query) => {
        const res = await app.request(`${path}?${query}`);
        expectErrorShape(res.status, await res.text(), `${path}?${query}`);
      }),
      { numRuns: RUNS },
    );
  });
});
