import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

describe('GET /suppliers pages', () => {
  it('follows next_cursor without gaps or repeats, and refuses a cursor it did not issue', async () => {
    const deps = await testDeps();
    const call = jsonCaller(createApp(deps));
    const names = ['Dee Grounds', 'Ayr Grounds', 'Clyde Grounds', 'Bute Grounds', 'Esk Grounds'];
    for (const [i, name] of names.entries()) expect((await call('POST', '/suppliers', registration({ name, company_number: `SC20000${i}` }))).status).toBe(201);
    for (const query of ['', 'q=grounds+maintenance&', 'region=TLM&']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await call('GET', `/suppliers?${query}limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { total: number; next_cursor: string | null; suppliers: Array<{ name: string }> };
        expect(body.total).toBe(5);
        seen.push(...body.suppliers.map((s) => s.name));
        cursor = body.next_cursor;
      } while (cursor);
      expect(seen).toEqual([...names].sort());
    }
    const bad = await call('GET', '/suppliers?cursor=bm9wZQ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; details: { fields: Array<{ field: string }> } } }).error.details.fields[0].field).toBe('cursor');
  });
});
