/**
 * Property-based tests: generated releases, supplier bodies and query strings fed to the real code (the store's
 * upsert, the app's routes over a real store). Whatever comes in: no 5xx, no crash, and every refusal in the one
 * error shape. 10,000 cases per property where CI runs them (CI=true), 1,000 elsewhere (FUZZ_RUNS overrides).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../db/queries/releases.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { glasgowInspection, storeTenders, tenderRelease } from '../support/matching-fixtures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 10_000 : 1_000));
const TIMEOUT = 240_000;

/** Strings as feeds and users send them: plain, unicode, empty, very long, with quotes and escapes. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', 'null', '0', '-1', '1e9999', 'NaN', '<script>', "'; DROP TABLE tenders; --", '%', '_', '\\', '"', '\u0000', 'â€™', 'ÄÖÜ'),
  fc.string({ minLength: 300, maxLength: 3000 }),
);
const dateish = fc.oneof(
  fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-11-24', '2026-13-45T99:99:99Z', 'yesterday', '', '0000-00-00', '2026-11-24T10:00:00+01:00'),
  text,
);
const amount = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER), text);
const cpv = fc.oneof(fc.constantFrom('50711000', '45000000-7', '72212000', '77310000', '00000000', '99999999'), fc.stringMatching(/^\d{1,10}(-\d)?$/), text);
const region = fc.oneof(fc.constantFrom('UKM82', 'TLG31', 'UK', 'England', 'Any region', 'West Midlands', 'KT22 7TW', 'UKZZZ'), text);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const release = fc.record(
  {
    ocid: fc.oneof(fc.constantFrom('ocds-b5fd17-fuzz-1', 'ocds-r6ebe6-fuzz-2', 'ocds-kuma6s-fuzz-3'), text),
    id: maybe(text),
    date: maybe(dateish),
    tag: maybe(fc.array(fc.oneof(fc.constantFrom('tender', 'award', 'tenderAmendment', 'planning'), text), { maxLength: 3 })),
    tender: maybe(
      fc.record(
        {
          id: maybe(text),
          title: maybe(text),
          description: maybe(text),
          status: maybe(fc.oneof(fc.constantFrom('active', 'cancelled', 'complete', 'planned'), text)),
          value: maybe(fc.record({ amount: maybe(amount), currency: maybe(fc.constantFrom('GBP', 'EUR', '')) })),
          classification: maybe(fc.record({ scheme: maybe(fc.constantFrom('CPV', 'other')), id: maybe(cpv) })),
          tenderPeriod: maybe(fc.record({ endDate: maybe(dateish) })),
          items: maybe(
            fc.array(
              fc.record({
                id: maybe(fc.oneof(text, fc.integer())),
                relatedLot: maybe(text),
                classification: maybe(fc.record({ scheme: maybe(fc.constant('CPV')), id: maybe(cpv) })),
                deliveryAddresses: maybe(fc.array(fc.record({ region: maybe(region), postalCode: maybe(region) }), { maxLength: 3 })),
              }),
              { maxLength: 4 },
            ),
          ),
          lots: maybe(fc.array(fc.record({ id: maybe(fc.oneof(text, fc.integer())), title: maybe(text), status: maybe(text), value: maybe(fc.record({ amount: maybe(amount) })) }), { maxLength: 4 })),
          suitability: maybe(fc.record({ sme: maybe(fc.oneof(fc.boolean(), text)), vcse: maybe(fc.boolean()) })),
        },
        { requiredKeys: [] },
      ),
    ),
    parties: maybe(fc.array(fc.record({ id: maybe(text), name: maybe(text), roles: maybe(fc.array(fc.constantFrom('buyer', 'supplier', 'other'))), address: maybe(fc.record({ postalCode: maybe(region) })) }), { maxLength: 3 })),
    awards: maybe(fc.array(fc.record({ id: maybe(text), status: maybe(text), suppliers: maybe(fc.array(fc.record({ id: maybe(text), name: maybe(text) }), { maxLength: 2 })) }), { maxLength: 2 })),
  },
  { requiredKeys: ['ocid'] },
);
/** A release, something else entirely, or text that is not JSON at all. */
const incoming = fc.oneof(
  { weight: 6, arbitrary: release.map((value) => ({ raw: JSON.stringify(value), value })) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ raw: JSON.stringify(value) ?? 'null', value })) },
  { weight: 1, arbitrary: text.map((raw) => ({ raw, parseError: 'not JSON' })) },
);

/** Registration bodies: right fields with wrong values, wrong types, unknown fields, other JSON altogether. */
const supplierBody = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        name: fc.oneof(text, fc.integer()),
        kind: fc.oneof(fc.constantFrom('micro', 'small', 'medium', 'vcse', 'cooperative', 'large'), text),
        company_number: fc.oneof(fc.constant(null), fc.stringMatching(/^(SC|NI|OC)?\d{6,8}$/), text),
        postcode: fc.oneof(fc.constantFrom('G21 1AA', 'KA1 1HU', 'CF10 1AA', 'ZZ9 9ZZ'), text),
        home_region: fc.oneof(fc.constant(null), region),
        serves: fc.oneof(fc.array(region, { maxLength: 3 }), text),
        national: fc.oneof(fc.boolean(), text),
        cpv_codes: fc.oneof(fc.array(cpv, { maxLength: 4 }), text),
        description: fc.oneof(text, fc.constant(null)),
        keywords: fc.oneof(fc.array(text, { maxLength: 3 }), text),
        max_contract_value: fc.oneof(amount, fc.constant(null)),
        certifications: fc.array(text, { maxLength: 3 }),
        contact_email: fc.oneof(fc.emailAddress(), text, fc.constant(null)),
        growth: fc.oneof(fc.constant(null), fc.array(fc.record({ year: fc.oneof(fc.integer({ min: 1990, max: 2030 }), text), employees: amount, turnover: amount }), { maxLength: 4 })),
        members: fc.oneof(fc.array(text, { maxLength: 3 }), text),
        high_potential_override: fc.oneof(fc.boolean(), fc.constant(null)),
        surprise: text,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

const queryValue = fc.oneof(text, cpv, region, dateish, amount.map(String), fc.constantFrom('true', 'false', '1', '0', '-5', '9007199254740993', '1e309'));
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('q', 'cpv', 'region', 'status', 'open', 'value_min', 'value_max', 'sme', 'published_since', 'limit', 'cursor', 'offset', 'kind', 'min_value', 'certification', 'high_potential', 'lot'), text), queryValue), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

/** A refusal is `{ error: { code, message, details? } }`, never anything else. */
function expectErrorShape(status: number, body: string, what: string) {
  expect(status, what).toBeLessThan(500);
  if (status < 400) return;
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(parsed), what).toEqual(['error']);
  expect(typeof parsed.error?.code, what).toBe('string');
  expect(typeof parsed.error?.message, what).toBe('string');
}

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
