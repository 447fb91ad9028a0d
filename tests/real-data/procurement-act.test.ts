import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../support/helpers.js';
import { procurementActReleases } from '../support/fixtures/procurement-act.js';
import { loadConfig, matchSettings } from '../../src/config.js';
import { compileReleases } from '../../src/domain/ocds/compile.js';
import { normalise } from '../../src/domain/ocds/normalise.js';
import { unpackDocument } from '../../src/domain/ocds/unpack.js';
import type { JsonObject, Release } from '../../src/domain/ocds/types.js';
import { evaluateRenewals } from '../../src/commands/eval-renewals.js';

const SCHEMA = join(SHARED_DATA, 'ocds', 'schema');
const present = existsSync(join(SCHEMA, 'release-schema.json')) && existsSync(join(SCHEMA, 'ocds_uk_extension', 'release-schema.json'));
if (!present) console.warn(`real-data suite skipped: ${SCHEMA} is absent (it sits beside the project checkout in CI)`);

type Schema = { properties?: Record<string, Schema>; items?: Schema; $ref?: string; definitions?: Record<string, Schema> };

/**
 * Fields of the extensions Find a Tender declares in its release packages whose schemas are not in the shared
 * data (the EU profile with lots, location and organization classification; communication, techniques,
 * suitability, contract completion), by the OCDS object they extend.
 */
const DECLARED_EXTENSIONS: Record<string, string[]> = {
  Tender: ['lots', 'communication', 'techniques', 'suitability'],
  Lot: ['id', 'title', 'description', 'status', 'value', 'contractPeriod', 'hasRenewal', 'renewal', 'suitability'],
  Item: ['relatedLot', 'deliveryAddresses'],
  Address: ['country'],
  'Organization.details': ['classifications', 'scale'],
  Award: ['relatedLots'],
  Contract: ['finalStatusDate'],
  Communication: ['futureNoticeDate'],
  Techniques: ['hasDynamicPurchasingSystem', 'dynamicPurchasingSystem', 'hasFrameworkAgreement'],
  Renewal: ['description'],
  Suitability: ['sme'],
  DynamicPurchasingSystem: ['type'],
};
const OBJECT_OF: Record<string, string> = { lots: 'Lot', communication: 'Communication', techniques: 'Techniques', renewal: 'Renewal', suitability: 'Suitability', dynamicPurchasingSystem: 'DynamicPurchasingSystem' };

describe.skipIf(!present)('the Procurement Act fixtures against the schemas in ../shared/data/ocds/schema', () => {
  const core = JSON.parse(readFileSync(join(SCHEMA, 'release-schema.json'), 'utf8')) as Schema;
  const uk = JSON.parse(readFileSync(join(SCHEMA, 'ocds_uk_extension', 'release-schema.json'), 'utf8')) as Schema;
  const definitionName = (s: Schema | undefined) => (s?.$ref ? s.$ref.split('/').pop()! : null);
  const propertiesOf = (name: string): Record<string, Schema> => ({ ...(core.definitions?.[name]?.properties ?? {}), ...(uk.definitions?.[name]?.properties ?? {}) });

  it('uses only fields of OCDS 1.1, the UK extension, or an extension Find a Tender declares', () => {
    const unknown: string[] = [];
    const walk = (value: unknown, props: Record<string, Schema>, object: string, path: string) => {
      if (typeof value !== 'object' || value === null) return;
      if (Array.isArray(value)) {
        for (const v of value) walk(v, props, object, `${path}[]`);
        return;
      }
      for (const [key, v] of Object.entries(value)) {
        const field = props[key];
        const declared = DECLARED_EXTENSIONS[object]?.includes(key);
        if (!field && !declared) {
          unknown.push(`${path}.${key} (${object})`);
          continue;
        }
        const child = field ? (definitionName(field) ?? definitionName(field.items)) : (OBJECT_OF[key] ?? null);
        if (child) walk(v, propertiesOf(child), child, `${path}.${key}`);
        else if (field?.properties) walk(v, field.properties, `${object}.${key}`, `${path}.${key}`);
      }
    };
    const releaseProps = { ...(core.properties ?? {}) };
    for (const { release } of procurementActReleases()) walk(release, releaseProps, 'Release', String(release.id));
    expect([...new Set(unknown.map((u) => u.replace(/^[^.]+/, '')))]).toEqual([]);
  });

  it('carries the UK notice type where the UK extension puts it: on documents', () => {
    expect(Object.keys(uk.definitions?.Document?.properties ?? {})).toContain('noticeType');
  });
});

const OCDS = join(SHARED_DATA, 'ocds');
describe.skipIf(!existsSync(OCDS))('eval-renewals on the real releases', () => {
  it('counts as usable end dates exactly the awards whose contract period (or tender or lot period) has an end, counted from the raw files', () => {
    const releases: Release[] = [];
    for (const file of ['contracts-finder/releases-2022.jsonl', 'public-contracts-scotland/releases-2019.jsonl', 'sell2wales/releases-2025.jsonl']) {
      for (const e of unpackDocument(readFileSync(join(OCDS, file), 'utf8'))) if (e.value) releases.push(e.value as Release);
    }
    const byOcid = new Map<string, Release[]>();
    for (const r of releases) byOcid.set(String(r.ocid), [...(byOcid.get(String(r.ocid)) ?? []), r]);
    // Counted without the forecast's code: per ocid, each award id once, with an end if any release gave one.
    const ends = new Map<string, boolean>();
    for (const [ocid, list] of byOcid) {
      for (const r of list) {
        const tenderEnd = !!((r.tender as JsonObject | undefined)?.contractPeriod as JsonObject | undefined)?.endDate;
        for (const a of (r.awards as JsonObject[] | undefined) ?? []) {
          if (a.status === 'cancelled' || a.status === 'unsuccessful' || a.id === undefined) continue;
          const key = `${ocid}|${String(a.id)}`;
          const end = !!(a.contractPeriod as JsonObject | undefined)?.endDate || tenderEnd;
          ends.set(key, (ends.get(key) ?? false) || end);
        }
      }
    }
    const tenders = [...byOcid.values()].map((list) => {
      const compiled = compileReleases(list);
      return { compiled, record: normalise(compiled) };
    });
    const settings = matchSettings(loadConfig({ DATABASE_URL: ':memory:' }));
    const r = evaluateRenewals('real', tenders, settings, 0.3);
    expect(r.contracts).toBe(ends.size);
    expect(r.withEndDate).toBe([...ends.values()].filter(Boolean).length);
    expect(r.forecasts).toBeGreaterThan(0);
    expect(r.perSupplier.mean).toBeGreaterThan(0);
  });
});
