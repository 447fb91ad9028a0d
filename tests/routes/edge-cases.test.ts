import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { JsonObject } from '../../src/domain/ocds/types.js';
import { cfTender } from '../support/fixtures/releases.js';
import { registration } from '../support/matching-fixtures.js';
import { jsonCaller, testDeps } from '../support/helpers.js';

const ADMIN = 'admin-key-for-edge-tests-0123456789';

/** A Contracts Finder early engagement notice (planning), shaped as published: no tender period, a milestone. */
function planningNotice(n: number, engagementEnds: string | null, published: string): JsonObject {
  const base = cfTender(100 + n);
  return {
    ...base,
    ocid: `ocds-b5fd17-test-planning-${n}`,
    id: `planning-${n}`,
    date: published,
    tag: ['planning'],
    planning: engagementEnds
      ? { milestones: [{ id: '1', title: 'Engagement end date', type: 'engagement', dueDate: engagementEnds }] }
      : { documents: [{ id: '1', documentType: 'marketEngagementNotice', datePublished: published }] },
    tender: { ...(base.tender as JsonObject), status: 'planning', tenderPeriod: null, datePublished: published, title: `Early engagement ${n}` },
  };
}

async function setup() {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN } }); // the clock stands at 2026-11-24
  const releases = [
    cfTender(1),
    planningNotice(1, '2025-10-28T23:59:59+01:00', '2025-10-18T23:38:01+01:00'), // last year's: engagement over
    planningNotice(2, null, '2025-06-01T09:00:00Z'), // last year's, no end given
    planningNotice(3, '2026-12-05T23:59:59Z', '2026-11-20T09:00:00Z'), // engagement still running
  ].map((v) => ({ raw: JSON.stringify(v), value: v }));
  await storeReleases(deps.db, 'cf', releases, deps.clock.now().toISOString());
  const app = createApp(deps);
  return { deps, app, call: jsonCaller(app) };
}

const ocidsOf = async (res: Response) => ((await res.json()) as { tenders: Array<{ ocid: string }> }).tenders.map((t) => t.ocid).sort();

describe('edge cases that lied', () => {
  it('a NUL byte in q is refused with 400 naming q, never searched as the words before it', async () => {
    const { app } = await setup();
    const res = await app.request('/tenders?q=bus%00zzzz');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { fields: Array<{ field: string; message: string }> } } };
    expect(body.error.code).toBe('bad_query');
    expect(body.error.details.fields.find((f) => f.field === 'q')?.message).toMatch(/control characters/);
    expect(await ocidsOf(await app.request('/tenders?q=bus'))).toEqual(['ocds-b5fd17-test-open-1', 'ocds-b5fd17-test-planning-1', 'ocds-b5fd17-test-planning-2', 'ocds-b5fd17-test-planning-3']);
  });

  it("open=true leaves out planning notices whose engagement has ended or gives no end; status=planning still lists them", async () => {
    const { app, deps } = await setup();
    expect(await ocidsOf(await app.request('/tenders?open=true'))).toEqual(['ocds-b5fd17-test-open-1', 'ocds-b5fd17-test-planning-3']);
    expect(await ocidsOf(await app.request('/tenders?status=planning'))).toEqual(['ocds-b5fd17-test-planning-1', 'ocds-b5fd17-test-planning-2', 'ocds-b5fd17-test-planning-3']);
    const stored = await deps.db.selectFrom('tenders').select(['ocid', 'engagement_ends']).where('status', '=', 'planning').orderBy('ocid').execute();
    expect(stored.map((t) => t.engagement_ends)).toEqual(['2025-10-28T22:59:59.000Z', null, '2026-12-05T23:59:59.000Z']);
  });

  it('cpv=77 finds suppliers by the first digits of their codes, as it finds tenders; an unknown division is refused', async () => {
    const { call } = await setup();
    expect((await call('POST', '/suppliers', registration())).status).toBe(201); // CPV 77310000
    const found = await call('GET', '/suppliers?cpv=77');
    expect(found.status).toBe(200);
    expect(((await found.json()) as { suppliers: Array<{ name: string }> }).suppliers.map((s) => s.name)).toEqual(['Ayrshire Green Spaces Ltd']);
    expect(((await (await call('GET', '/suppliers?cpv=7731')).json()) as { total: number }).total).toBe(1);
    expect(((await (await call('GET', '/suppliers?cpv=72')).json()) as { total: number }).total).toBe(0);
    const bad = await call('GET', '/suppliers?cpv=12');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/"12" is not a CPV 2008 code or the first digits of one/);
  });

  it("PUBLIC_BASE_URL's default follows PORT; a value given is kept", () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL).toBe('http://localhost:8080');
    expect(loadConfig({}).PUBLIC_BASE_URL).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080', PUBLIC_BASE_URL: 'https://tendermatch.example' }).PUBLIC_BASE_URL).toBe('https://tendermatch.example');
  });

  it('/places answers in snake_case', async () => {
    const { call } = await setup();
    const put = await call('PUT', '/places/Cotswolds%20patch', { codes: ['TLJ1', 'TLK1'] }, ADMIN);
    expect(put.status).toBe(201);
    const body = (await put.json()) as { place: Record<string, unknown> };
    expect(Object.keys(body.place).sort()).toEqual(['codes', 'created_at', 'description', 'name', 'updated_at']);
    const list = await (await call('GET', '/places', undefined, ADMIN)).text();
    expect(list).not.toMatch(/"[a-z]+[A-Z][A-Za-z]*":/);
  });
});
