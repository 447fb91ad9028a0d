import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../jobs/ingest-file.js';
import { drainMatchQueue } from '../../jobs/match.js';
import { createApp } from '../../src/app.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { cfTender } from '../support/fixtures/releases.js';
import { registration } from '../support/matching-fixtures.js';
import { jsonCaller, testDeps } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-twins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Contracts Finder does not carry the Find a Tender reference here. */
function withoutReference(tender: JsonObject): JsonObject {
  const { id: _id, ...rest } = tender;
  return rest;
}

/** One procurement as Find a Tender publishes it, and again on Contracts Finder two days later, in capitals. */
const onFindATender = cfTender(1, { ocid: 'ocds-h6vhtk-0a1b2c', id: 'fts-1' });
function onContractsFinder(overrides: JsonObject = {}): JsonObject {
  const t = cfTender(1);
  return {
    ...t,
    ocid: 'ocds-b5fd17-9f8e7d',
    id: 'cf-1',
    date: '2026-11-03T10:00:00Z',
    buyer: { id: 'GB-CFS-1', name: 'WEST MIDLANDS COMBINED AUTHORITY' },
    tender: { ...withoutReference(t.tender as JsonObject), title: 'SOFTWARE DEVELOPMENT FOR BUS PASSENGER APP 1', datePublished: '2026-11-03T10:00:00Z', ...overrides },
  };
}
const write = (name: string, releases: JsonObject[]) => {
  const path = join(dir, name);
  writeFileSync(path, releases.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
};

describe('the same procurement on two portals', () => {
  it('is linked, listed once with "also published on", and matched once', async () => {
    const deps = await testDeps();
    const call = jsonCaller(createApp(deps));
    expect((await call('POST', '/suppliers', registration({ name: 'Brum Apps', postcode: 'B19 3SD', home_region: null, company_number: null, cpv_codes: ['72212000'], description: 'Mobile application development for transport', keywords: ['mobile app', 'bus passenger'] }))).status).toBe(201);
    const summary = await ingestFile(deps, write('both.jsonl', [onFindATender, onContractsFinder()]));
    expect(summary.twins).toBe(1);

    const links = await deps.db.selectFrom('tender_twins').select(['ocid', 'twin_ocid', 'reasons']).orderBy('ocid').execute();
    expect(links.map((l) => [l.ocid, l.twin_ocid])).toEqual([
      ['ocds-b5fd17-9f8e7d', 'ocds-h6vhtk-0a1b2c'],
      ['ocds-h6vhtk-0a1b2c', 'ocds-b5fd17-9f8e7d'],
    ]);
    expect(JSON.parse(links[0].reasons)).toEqual(['same buyer', 'same title', 'same deadline (2026-12-15)', 'same value (£250,000)']);
    const rows = await deps.db.selectFrom('tenders').select(['ocid', 'twin_of']).orderBy('ocid').execute();
    expect(rows).toEqual([
      { ocid: 'ocds-b5fd17-9f8e7d', twin_of: 'ocds-h6vhtk-0a1b2c' }, // published two days after the Find a Tender notice
      { ocid: 'ocds-h6vhtk-0a1b2c', twin_of: null },
    ]);

    const list = (await (await call('GET', '/tenders')).json()) as { tenders: Array<{ ocid: string; also_published_on: Array<{ ocid: string; source: string }> }> };
    expect(list.tenders.map((t) => t.ocid)).toEqual(['ocds-h6vhtk-0a1b2c']);
    expect(list.tenders[0].also_published_on).toEqual([{ ocid: 'ocds-b5fd17-9f8e7d', source: 'cf', url: 'https://www.find-tender.service.gov.uk/Notice/1' }]);
    const twin = (await (await call('GET', '/tenders/ocds-b5fd17-9f8e7d')).json()) as { twin_of: string; also_published_on: Array<{ ocid: string; reasons: string[] }> };
    expect(twin.twin_of).toBe('ocds-h6vhtk-0a1b2c');
    expect(twin.also_published_on.map((o) => o.ocid)).toEqual(['ocds-h6vhtk-0a1b2c']);

    await drainMatchQueue(deps);
    const matches = await deps.db.selectFrom('matches').select(['ocid']).execute();
    expect(matches).toEqual([{ ocid: 'ocds-h6vhtk-0a1b2c' }]);
    // Officers asking about either notice see who could bid.
    const officers = (await (await call('GET', '/tenders/ocds-b5fd17-9f8e7d/suppliers')).json()) as { opportunities: Array<{ suppliers: Array<{ name: string }> }> };
    expect(officers.opportunities[0].suppliers.map((s) => s.name)).toEqual(['Brum Apps']);

    // Ingesting again changes nothing.
    expect(await ingestFile(deps, write('again.jsonl', [onFindATender, onContractsFinder()]))).toMatchObject({ inserted: 0, updated: 0, changed: 0 });
    expect(await deps.db.selectFrom('tender_twins').select('ocid').execute()).toHaveLength(2);
  });

  it('a correction that makes them two procurements unlinks them, and both are matched', async () => {
    const deps = await testDeps();
    await ingestFile(deps, write('both.jsonl', [onFindATender, onContractsFinder()]));
    expect(await deps.db.selectFrom('tender_twins').select('ocid').execute()).toHaveLength(2);
    const corrected = { ...onContractsFinder({ tenderPeriod: { endDate: '2027-02-01T12:00:00Z' }, value: { amount: 120000, currency: 'GBP' } }), id: 'cf-1-amendment', date: '2026-11-10T09:00:00Z', tag: ['tenderAmendment'] };
    await ingestFile(deps, write('amended.jsonl', [corrected]));
    expect(await deps.db.selectFrom('tender_twins').select('ocid').execute()).toEqual([]);
    expect(await deps.db.selectFrom('tenders').select(['twin_of']).execute()).toEqual([{ twin_of: null }, { twin_of: null }]);
    const queued = await deps.db.selectFrom('match_queue').select('ocid').orderBy('ocid').execute();
    expect(queued.map((q) => q.ocid)).toContain('ocds-b5fd17-9f8e7d');
  });
});
