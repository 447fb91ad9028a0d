import { describe, expect, it } from 'vitest';
import { generatedModule } from '../../jobs/tools/build-govuk-css.js';
import { createApp } from '../../src/app.js';
import { GOVUK_CSS } from '../../src/views/govuk-frontend-css.generated.js';
import { testDeps } from '../support/helpers.js';

describe('the GOV.UK Frontend stylesheet the pages use', () => {
  it('is the installed package less the GDS Transport font and the crest (rebuilt by jobs/tools/build-govuk-css.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    const onDisk = readFileSync(new URL('../../src/views/govuk-frontend-css.generated.ts', import.meta.url), 'utf8');
    expect(onDisk).toBe(generatedModule());
    expect(GOVUK_CSS.length).toBeGreaterThan(100_000);
    expect(GOVUK_CSS).toContain('.govuk-button{');
    expect(GOVUK_CSS).not.toMatch(/GDS Transport|@font-face|govuk-crest|url\(/);
  });

  it('is served by the service itself, as CSS', async () => {
    const app = createApp(await testDeps());
    const res = await app.request('/assets/govuk-frontend.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await res.text()).toBe(GOVUK_CSS);
  });
});
