/** Property-based: generated registration bodies posted to the real routes; see tests/support/fuzz-arbitraries.ts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { expectErrorShape, RUNS, supplierBody, TIMEOUT } from '../support/fuzz-arbitraries.js';

describe('property-based', () => {
  it(`answers any registration body with 201 or a refusal in the error shape, ${RUNS} of them`, { timeout: TIMEOUT }, async () => {
    const deps = await testDeps({ env: { RATE_LIMIT_REGISTRATIONS: '0', ADMIN_KEY: 'admin-key-for-fuzzing-0123' } });
    const app = createApp(deps);
    await fc.assert(
      fc.asyncProperty(supplierBody, fc.boolean(), async (body, admin) => {
        const res = await app.request('/suppliers', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(admin ? { authorization: 'Bearer admin-key-for-fuzzing-0123' } : {}) },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        expectErrorShape(res.status, text, text);
        if (res.status === 201) expect((JSON.parse(text) as { supplier: { matching: string } }).supplier.matching).toBe('pending');
      }),
      { numRuns: RUNS },
    );
  });
});
