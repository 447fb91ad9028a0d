import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';

describe('app', () => {
  it('answers /health with the database state', async () => {
    const app = createApp(await testDeps());
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('answers an unknown route with the JSON error shape', async () => {
    const app = createApp(await testDeps());
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });
});
