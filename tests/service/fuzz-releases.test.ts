/** Property-based: generated releases (and other JSON, and text that is not JSON) fed to the store's upsert; see tests/support/fuzz-arbitraries.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { incoming, RUNS, TIMEOUT } from '../support/fuzz-arbitraries.js';

describe('property-based', () => {
  it(`stores or quarantines any release, ${RUNS} of them, without throwing`, { timeout: TIMEOUT }, async () => {
    const deps = await testDeps();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(incoming, async (one) => {
        const counts = await storeReleases(deps.db, 'fuzz', [one], `2026-11-24T09:00:${String(n++ % 60).padStart(2, '0')}Z`);
        expect(counts.fetched).toBe(1);
        expect(counts.inserted + counts.updated + counts.unchanged + counts.quarantined).toBe(1);
      }),
      { numRuns: RUNS },
    );
    // The store still answers its searches over whatever was stored.
    const app = createApp(deps);
    expect((await app.request('/tenders?q=maintenance')).status).toBe(200);
  });
});
