/**
 * Generators for the property-based tests (tests/service/fuzz-*.test.ts): releases, registration bodies and query
 * strings as feeds and users could send them. Each property runs 10,000 cases where CI runs it (CI=true), 1,000
 * elsewhere (FUZZ_RUNS overrides); the three files run side by side.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 10_000 : 1_000));
export const TIMEOUT = 240_000;

/** Strings as feeds and users send them: plain, unicode, empty, very long, with quotes and escapes. */
const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 3, arbitrary: fc.constantFrom('', ' ', 'null', '0', '-1', '1e9999', 'NaN', '<script>', "'; DROP TABLE tenders; --", '%', '_', '\\', '"', '\u0000', 'â€™', 'ÄÖÜ') },
  { weight: 1, arbitrary: fc.string({ minLength: 200, maxLength: 1500 }) },
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
export const incoming = fc.oneof(
  { weight: 6, arbitrary: release.map((value) => ({ raw: JSON.stringify(value), value })) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ raw: JSON.stringify(value) ?? 'null', value })) },
  { weight: 1, arbitrary: text.map((raw) => ({ raw, parseError: 'not JSON' })) },
);

/** Mostly a value the routes take, sometimes anything else. */
const mostly = <T, U>(good: fc.Arbitrary<T>, other: fc.Arbitrary<U>) => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: other });

/** Usually absent (null), now and then a value. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** Registration bodies: right fields with wrong values, wrong types, unknown fields, other JSON altogether. */
export const supplierBody = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        name: mostly(fc.string({ minLength: 1, maxLength: 60 }), fc.oneof(text, fc.integer())),
        kind: mostly(fc.constantFrom('micro', 'small', 'medium', 'vcse'), fc.oneof(fc.constantFrom('cooperative', 'large'), text)),
        company_number: mostly(fc.oneof(fc.constant(null), fc.stringMatching(/^(SC\d{6}|\d{8})$/)), fc.oneof(fc.stringMatching(/^(SC|NI|OC)?\d{5,9}$/), text)),
        postcode: mostly(fc.constantFrom('G21 1AA', 'G1 1AA'), fc.oneof(fc.constantFrom('ZZ9 9ZZ', 'CF10 1AA', 'B15 2TT'), text)),
        home_region: mostly(fc.constantFrom(null, 'UKM82', 'TLM82'), region),
        serves: mostly(fc.array(fc.constantFrom('UKM', 'TLG', 'national', 'Scotland'), { maxLength: 2 }), fc.oneof(fc.array(region, { maxLength: 3 }), text)),
        national: mostly(fc.boolean(), text),
        cpv_codes: mostly(fc.array(fc.constantFrom('50711000', '77310000', '45233140-2', '72212000'), { minLength: 1, maxLength: 3 }), fc.oneof(fc.array(cpv, { maxLength: 4 }), text)),
        description: mostly(fc.string({ maxLength: 200 }), fc.oneof(text, fc.constant(null))),
        keywords: mostly(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 3 }), fc.oneof(fc.array(text, { maxLength: 3 }), text)),
        max_contract_value: mostly(fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 1e9 })), amount),
        certifications: mostly(fc.array(fc.constantFrom('ISO 9001', 'Cyber Essentials'), { maxLength: 2 }), fc.array(text, { maxLength: 3 })),
        contact_email: mostly(fc.constantFrom(null, 'bids@example.org', 'o.brien+tenders@example.co.uk'), fc.oneof(fc.emailAddress(), text)),
        growth: mostly(
          fc.oneof(fc.constant(null), fc.array(fc.record({ year: fc.integer({ min: 2015, max: 2026 }), employees: fc.integer({ min: 0, max: 500 }), turnover: fc.integer({ min: 0, max: 1e8 }) }), { maxLength: 4 })),
          fc.array(fc.record({ year: fc.oneof(fc.integer(), text), employees: amount, turnover: amount }), { maxLength: 4 }),
        ),
      },
      { requiredKeys: ['name', 'kind', 'postcode', 'cpv_codes'] },
    ).chain((body) =>
      // Now and then a field the routes do not take, members, or the administrator's flag.
      fc.record({ surprise: rarely(text), members: rarely(fc.oneof(fc.array(text, { maxLength: 3 }), text)), high_potential_override: rarely(fc.boolean()) }).map((extra) => ({
        ...body,
        ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== null)),
      })),
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

const queryValue = fc.oneof(text, cpv, region, dateish, amount.map(String), fc.constantFrom('true', 'false', '1', '0', '-5', '9007199254740993', '1e309'));
export const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('q', 'cpv', 'region', 'status', 'open', 'value_min', 'value_max', 'sme', 'published_since', 'limit', 'cursor', 'offset', 'kind', 'min_value', 'certification', 'high_potential', 'lot'), text), queryValue), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

/** A refusal is `{ error: { code, message, details? } }`, never anything else. */
export function expectErrorShape(status: number, body: string, what: string) {
  expect(status, what).toBeLessThan(500);
  if (status < 400) return;
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(parsed), what).toEqual(['error']);
  expect(typeof parsed.error?.code, what).toBe('string');
  expect(typeof parsed.error?.message, what).toBe('string');
}

