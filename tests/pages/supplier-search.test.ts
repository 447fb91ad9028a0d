import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { SUPPLIER_KINDS } from '../../src/domain/matching/types.js';
import { testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

/** The supplier search page finds what GET /suppliers finds, and each facet's count is what choosing it would find. */
describe('the supplier search page', () => {
  it('counts each size or kind, and high-potential firms, as the JSON search finds them', async () => {
    const deps = await testDeps({ env: { ADMIN_KEY: 'admin-key-for-facet-tests-0001' } });
    const app = createApp(deps);
    const firms: Array<[string, string, boolean, string]> = [
      ['Ayr Grounds Ltd', 'small', true, 'KA7 1AA'],
      ['Troon Gardens', 'micro', false, 'KA10 6AA'],
      ['Irvine Parks Trust', 'vcse', true, 'KA12 8AA'],
      ['Largs Landscapes', 'micro', true, 'KA30 8AA'],
      ['Glasgow Green Care', 'medium', false, 'G1 1AA'],
      ['Paisley Turf', 'small', false, 'PA1 1AA'],
    ];
    for (const [i, [name, kind, hp, postcode]] of firms.entries()) {
      const res = await app.request('/suppliers', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer admin-key-for-facet-tests-0001' },
        body: JSON.stringify(registration({ name, kind, postcode, home_region: undefined, company_number: `SC1000${i}0`, high_potential_override: hp, description: 'Grounds maintenance and grass cutting' })),
      });
      expect(res.status).toBe(201);
    }
    for (const query of ['q=grouns%20maintenence', 'q=grass&region=East%20Ayrshire', 'region=Scotland&high_potential=true', '']) {
      const html = await (await app.request(`/find/suppliers?${query}`)).text();
      for (const kind of SUPPLIER_KINDS) {
        const json = (await (await app.request(`/suppliers?${query}${query ? '&' : ''}kind=${kind}`)).json()) as { total: number };
        const shown = new RegExp(`for="kind-${kind}">[^<]*<span class="facet-count">\\((\\d+)\\)`).exec(html)?.[1];
        expect(Number(shown), `${query} ${kind}`).toBe(json.total);
      }
      const withoutHp = query.replace(/&?high_potential=true/, '');
      const hpJson = (await (await app.request(`/suppliers?${withoutHp}${withoutHp ? '&' : ''}high_potential=true`)).json()) as { total: number };
      expect(Number(/High-potential firms only \((\d+)\)/.exec(html)?.[1]), query).toBe(hpJson.total);
      const listed = [...html.matchAll(/<h2 class="govuk-heading-s"><a class="govuk-link" href="\/supplier\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]).sort();
      const json = (await (await app.request(`/suppliers?${query}`)).json()) as { suppliers: Array<{ name: string }> };
      expect(listed, query).toEqual(json.suppliers.map((s) => s.name).sort());
    }
  });
});
