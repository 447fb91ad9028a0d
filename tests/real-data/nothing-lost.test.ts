import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { findPostcodes, normalisePostcode, placeOfPostcode } from '../../src/domain/geo/index.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { toOldContractsFinderShape } from '../support/fixtures/old-contracts-finder.js';
import { SHARED_DATA, testDeps } from '../support/helpers.js';

const OCDS = join(SHARED_DATA, 'ocds');
const LIST = join(SHARED_DATA, 'ref', 'postcode_to_lad_gb_2025.csv.gz');
const present = existsSync(OCDS);
if (!present) console.warn(`real-data suite skipped: ${OCDS} is absent (it sits beside the project checkout in CI)`);
const dir = mkdtempSync(join(tmpdir(), 'tendermatch-real-lost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = present
  ? ['contracts-finder', 'public-contracts-scotland', 'sell2wales'].flatMap((d) => readdirSync(join(OCDS, d)).filter((f) => /\.jsonl?$/.test(f)).map((f) => join(OCDS, d, f)))
  : [];

function releasesOf(file: string): JsonObject[] {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.jsonl') ? text.trim().split('\n').map((l) => JSON.parse(l) as JsonObject) : ((JSON.parse(text) as { releases: JsonObject[] }).releases);
}

/**
 * Award suppliers a file holds, counted without the store's code: per ocid, releases in date order; an award is
 * one per award id; a later release's supplier list adds those with an id not seen before in that award when its
 * ids are all proper and distinct, and otherwise (ids missing, 0, or repeated) is the award's list from then on.
 */
function awardSuppliersIn(releases: JsonObject[]): number {
  const byOcid = new Map<string, JsonObject[]>();
  for (const r of releases) byOcid.set(String(r.ocid), [...(byOcid.get(String(r.ocid)) ?? []), r]);
  let count = 0;
  for (const list of byOcid.values()) {
    const awards = new Map<string, { ids: Set<string> | null; n: number }>();
    const ordered = [...new Map(list.map((r) => [String(r.id ?? JSON.stringify(r)), r])).values()].sort((a, b) => Date.parse(String(a.date)) - Date.parse(String(b.date)));
    for (const r of ordered) {
      for (const [i, a] of ((r.awards as JsonObject[] | undefined) ?? []).entries()) {
        const key = String(a.id ?? i + 1);
        const suppliers = (a.suppliers as JsonObject[] | undefined) ?? [];
        if (!suppliers.length) continue;
        const ids = suppliers.map((s) => String(s.id ?? ''));
        const proper = ids.every((id) => id !== '' && id !== '0') && new Set(ids).size === ids.length;
        const held = awards.get(key);
        if (!proper || !held || !held.ids) awards.set(key, proper ? { ids: new Set(ids), n: ids.length } : { ids: null, n: ids.length });
        else {
          for (const id of ids) held.ids.add(id);
          held.n = held.ids.size;
        }
      }
    }
    for (const a of awards.values()) count += a.n;
  }
  return count;
}

async function storedAwardSuppliers(file: string): Promise<number> {
  const deps = await testDeps();
  await ingestFile(deps, file);
  const row = await deps.db.selectFrom('award_suppliers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.skipIf(!present)('every award supplier of every shared OCDS file reaches the store', () => {
  it.each(files.map((f) => [f.slice(OCDS.length + 1), f]))('%s: as published', async (_name, file) => {
    const expected = awardSuppliersIn(releasesOf(file));
    expect(await storedAwardSuppliers(file)).toBe(expected);
  });

  const cf = files.filter((f) => f.includes('contracts-finder'));
  it.each(cf.map((f) => [f.slice(OCDS.length + 1), f]))('%s: in the old Contracts Finder shape (no parties, every supplier "id": 0)', async (name, file) => {
    const old = releasesOf(file).map(toOldContractsFinderShape);
    const path = join(dir, name.replace(/\//g, '_') + '.old.jsonl');
    writeFileSync(path, old.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const expected = awardSuppliersIn(old);
    expect(expected).toBeGreaterThanOrEqual(awardSuppliersIn(releasesOf(file)));
    expect(await storedAwardSuppliers(path)).toBe(expected);
  });
});

describe.skipIf(!present || !existsSync(LIST))('postcodes of the real releases: sector against the full postcode list', () => {
  it('places nearly every buyer and supplier postcode in the LAD the full list gives it', () => {
    const postcodes = new Set<string>();
    for (const file of files) {
      for (const r of releasesOf(file)) {
        for (const p of (r.parties as JsonObject[] | undefined) ?? []) {
          const a = (p.address ?? {}) as JsonObject;
          const pc = normalisePostcode(String(a.postalCode ?? '')) ?? findPostcodes(String(a.streetAddress ?? ''))[0];
          if (pc) postcodes.add(pc);
        }
      }
    }
    const exact = new Map<string, string>();
    for (const line of gunzipSync(readFileSync(LIST)).toString('utf8').split('\n')) {
      const comma = line.indexOf(',');
      const pc = line.slice(0, comma);
      if (postcodes.has(pc)) exact.set(pc, line.slice(comma + 1).trim());
    }
    let agree = 0;
    const disagree: string[] = [];
    for (const [pc, lad] of exact) {
      if (placeOfPostcode(pc)?.lad === lad) agree++;
      else disagree.push(`${pc}: ${placeOfPostcode(pc)?.lad} (sector) vs ${lad} (list)`);
    }
    console.info(`postcodes of real buyers and suppliers: ${postcodes.size}; in the full list ${exact.size}; sector LAD agrees ${agree}/${exact.size}`, disagree);
    expect(exact.size).toBeGreaterThan(200);
    expect(agree / exact.size).toBeGreaterThan(0.97);
  });
});
