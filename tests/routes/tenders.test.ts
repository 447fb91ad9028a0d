import { describe, expect, it } from 'vitest';
import { storeReleases } from '../../src/ingest/store.js';
import { createApp } from '../../src/app.js';
import { cfAward, cfTender, pcsTender } from '../support/fixtures/releases.js';
import { testDeps } from '../support/helpers.js';

async function appWithTenders() {
  const deps = await testDeps();
  const releases = [
    cfAward(1),
    pcsTender(1),
    ...Array.from({ length: 5 }, (_, i) =>
      cfTender(i + 1, {
        date: `2026-11-0${i + 1}T09:00:00Z`,
      }),
    ),
  ].map((v) => ({ raw: JSON.stringify(v), value: v }));
  // Give the open tenders distinct published dates, values and one a closed status.
  for (const [i, r] of releases.slice(2).entries()) {
    const t = (r.value as { tender: Record<string, unknown> }).tender;
    t.datePublished = `2026-11-0${i + 1}T09:00:00Z`;
    t.value = { amount: 100000 * (i + 1), currency: 'GBP' };
    if (i === 4) t.status = 'cancelled';
    r.raw = JSON.stringify(r.value);
  }
  await storeReleases(deps.db, 'cf', releases, deps.clock.now().toISOString());
  return { app: createApp(deps), deps };
}

const get = async (app: Awaited<ReturnType<typeof appWithTenders>>['app'], path: string) => {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as any };
};

describe('GET /tenders', () => {
  it('lists newest first and pages with a cursor without gaps or repeats', async () => {
    const { app } = await appWithTenders();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await get(app, `/tenders?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.tenders.length).toBeLessThanOrEqual(2);
      seen.push(...body.tenders.map((t: { ocid: string }) => t.ocid));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen[0]).toBe('ocds-b5fd17-test-open-5');
  });

  it.each([
    ['q=bus passenger', 5],
    ['q=ELECTRICAL inspection', 1],
    ['cpv=72', 5],
    ['cpv=72212000-5', 5],
    ['cpv=50', 1],
    ['region=TLG', 5],
    ['region=UKG', 5],
    ['region=West Midlands', 5],
    ['region=UKM82', 1],
    ['status=cancelled', 1],
    ['open=true', 4],
    ['value_min=200000&value_max=300000', 2],
    ['sme=true', 6],
    ['published_since=2026-11-03', 3],
    ['published_since=2026-11-03T00:00:00Z', 3],
    ['published_since=2026-11-03T00:00:00%2B01:00', 3],
    ['open=true&region=TLG&value_min=150000', 3],
  ])('%s -> %i tenders', async (query, expected) => {
    const { app } = await appWithTenders();
    const { status, body } = await get(app, `/tenders?${query.replace(/ /g, '%20')}`);
    expect(status).toBe(200);
    expect(body.tenders).toHaveLength(expected);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['cpv=software', 'cpv'],
    ['value_min=-5', 'value_min'],
    ['value_min=10&value_max=5', 'value_min'],
    ['published_since=last week', 'published_since'],
    ['published_since=1', 'published_since'],
    ['published_since=2026-02-31', 'published_since'],
    ['published_since=2026-11-03T25:00:00Z', 'published_since'],
    ['open=perhaps', 'open'],
    ['colour=red', 'colour'],
    ['cursor=garbage', 'cursor'],
    ['region=Atlantis', 'region'],
  ])('%s -> 400 naming %s', async (query, field) => {
    const { app } = await appWithTenders();
    const { status, body } = await get(app, `/tenders?${query.replace(/ /g, '%20')}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('bad_query');
    expect(body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });
});

describe('GET /tenders/:ocid', () => {
  it('returns the tender with lots, items, awards with suppliers, and tags', async () => {
    const { app } = await appWithTenders();
    const { status, body } = await get(app, '/tenders/ocds-r6ebe6-test-1');
    expect(status).toBe(200);
    expect(body.lots.map((l: { lot_id: string; cpv_codes: string[] }) => [l.lot_id, l.cpv_codes])).toEqual([
      ['1', ['50711000']],
      ['2', ['45310000']],
    ]);
    expect(body.items).toHaveLength(2);
    expect(body.compiled).toBeUndefined();
    expect(body.places.some((p: { role: string; code: string }) => p.role === 'delivery' && p.code === 'TLM82')).toBe(true);

    const award = await get(app, '/tenders/ocds-b5fd17-test-cf-1');
    expect(award.body.awards[0].suppliers[0]).toMatchObject({ name: 'BYTES SOFTWARE SERVICES LIMITED', identifier: '01616977', postcode: 'KT22 7TW', scale: 'large' });
  });

  it('answers 404 with the JSON error shape for an unknown ocid', async () => {
    const { app } = await appWithTenders();
    const { status, body } = await get(app, '/tenders/ocds-nope');
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: 'not_found', message: 'tender ocds-nope not found' } });
  });
});
