import { afterEach, describe, expect, it } from 'vitest';
import { ingestSource } from '../../jobs/ingest.js';
import { drainMatchQueue } from '../../jobs/match.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { forecastAndMatchRenewals } from '../../jobs/renewals.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { addSupplier } from '../support/alerts-seed.js';
import { ReplayServer } from '../support/replay-server.js';
import { OCIDS, procurementActReleases } from '../support/fixtures/procurement-act.js';

/**
 * A firm hears of work before the tender, through the real feed path: a replay server on 127.0.0.1 plays Find
 * a Tender's Procurement Act notices for one procurement as they come out over months, each is ingested when
 * published, matched, and the alert run is started after each, and again the next day.
 */

const servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function world() {
  const releases = procurementActReleases().filter((r) => r.release.ocid === OCIDS.resurfacing || r.release.ocid === OCIDS.dynamicMarket);
  const server = await new ReplayServer('fts', releases).start();
  servers.push(server);
  const deps = await testDeps({ env: { FTS_BASE_URL: server.url, FTS_PER_SECONDS: '1', UNSUBSCRIBE_SECRET: 'early-warning-secret-0123456789' } });
  deps.sleep = async (ms: number) => deps.clock.advance(ms);
  await addSupplier(deps.db, { id: 'roads', name: 'Coventry Road Repairs', cpv: ['45233142', '45233140'], homeRegion: 'TLG33', email: 'bids@roads.test' });
  /** Publishes (ingests) every notice of the window, matches, and runs the alerts at `at`. */
  const publish = async (from: string, at: string) => {
    deps.clock.set(new Date(at));
    const ingest = await ingestSource(deps, { source: 'fts', from, to: at });
    expect(ingest.status).toBe('ok');
    await drainMatchQueue(deps);
    return sendDueAlerts(deps);
  };
  return { deps, server, publish };
}

describe('work coming up, then open, through the replayed feed', () => {
  it('a UK1 then months later a UK4 for the same ocid alerts the firm twice: coming up, then open; never more', async () => {
    const { deps, publish } = await world();
    const mails = () => deps.mailer.sent.map((m) => ({ subject: m.subject, text: m.text }));

    await publish('2026-04-02T08:00:00Z', '2026-04-02T12:00:00Z'); // UK1 pipeline
    expect(mails()).toHaveLength(1);
    const first = mails()[0];
    expect(first.text).toMatch(/COMING UP IN YOUR AREA/);
    expect(first.text).toMatch(/Carriageway resurfacing programme 2027–2030/);
    expect(first.text).toMatch(/Notice: Pipeline notice/);
    expect(first.text).toMatch(/Tender expected: Mon 11 January 2027/);
    expect(first.subject).toMatch(/coming up/);

    await publish('2026-04-03T07:00:00Z', '2026-04-03T12:00:00Z'); // the next day: nothing new
    await publish('2026-05-12T07:00:00Z', '2026-05-12T12:00:00Z'); // UK2 market engagement, same ocid
    await publish('2026-09-15T07:00:00Z', '2026-09-15T12:00:00Z'); // UK3 planned procurement, same ocid
    expect(mails()).toHaveLength(1);

    await publish('2027-01-11T07:00:00Z', '2027-01-11T12:00:00Z'); // UK4 tender
    expect(mails()).toHaveLength(2);
    const open = mails()[1];
    expect(open.subject).toMatch(/^1 new tender you could win/);
    expect(open.text).toMatch(/Now open: you heard of this as coming up on Thu 2 April 2026/);
    expect(open.text).toMatch(/Notice: Tender notice/);
    expect(open.text).not.toMatch(/COMING UP IN YOUR AREA/);

    await publish('2027-01-12T07:00:00Z', '2027-01-12T12:00:00Z');
    await publish('2027-03-01T07:00:00Z', '2027-03-01T12:00:00Z'); // UK6 award: closed, nothing to say
    expect(mails()).toHaveLength(2);
    const items = await deps.db.selectFrom('alert_items').select(['ocid', 'kind']).where('supplier_id', '=', 'roads').where('ocid', '=', OCIDS.resurfacing).orderBy('kind').execute();
    expect(items).toEqual([
      { ocid: OCIDS.resurfacing, kind: 'coming_up' },
      { ocid: OCIDS.resurfacing, kind: 'new' },
    ]);
  });

  it('a market engagement tells the firm how to take part; a dynamic market is a standing way in; the matches API says which is which', async () => {
    const { deps, publish } = await world();
    await publish('2026-05-12T07:00:00Z', '2026-05-12T12:00:00Z'); // UK2 first: the firm registered after the pipeline notice
    const text = deps.mailer.sent[0].text;
    expect(text).toMatch(/Notice: Preliminary market engagement notice/);
    expect(text).toMatch(/How to take part: Online supplier day on 18 June 2026; register by email.*until Tue 30 June 2026; contact procurement@coventry\.example\.gov\.uk/);

    await publish('2026-11-02T07:00:00Z', '2026-11-02T12:00:00Z'); // UK14 dynamic market (its UK13 was before)
    expect(deps.mailer.sent).toHaveLength(2);
    expect(deps.mailer.sent[1].text).toMatch(/STANDING WAYS IN: DYNAMIC MARKETS[\s\S]*Dynamic market for minor highway works[\s\S]*Notice: Dynamic market notice: establishment/);

    const app = createApp(deps);
    const res = await app.request('/suppliers/roads/matches', { headers: { authorization: 'Bearer key-roads' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { matches: Array<{ ocid: string; kind: string; notice_type: string | null; notice_type_name: string | null }> };
    const byOcid = Object.fromEntries(body.matches.map((m) => [m.ocid, m]));
    expect(byOcid[OCIDS.resurfacing]).toMatchObject({ kind: 'coming_up', notice_type: 'UK2', notice_type_name: 'Preliminary market engagement notice' });
    expect(byOcid[OCIDS.dynamicMarket]).toMatchObject({ kind: 'dynamic_market', notice_type: 'UK14' });
  });

  it('a contract ending in 6–18 months is forecast up for renewal, matched to the firm and told once, with its buyer history', async () => {
    const { deps, publish } = await world();
    for (const [from, at] of [
      ['2027-01-11T07:00:00Z', '2027-01-11T12:00:00Z'],
      ['2027-03-01T07:00:00Z', '2027-03-01T12:00:00Z'],
      ['2027-04-03T07:00:00Z', '2027-04-03T12:00:00Z'],
      ['2028-10-02T07:00:00Z', '2028-10-02T12:00:00Z'],
    ]) await publish(from, at);
    const before = deps.mailer.sent.length;
    // Sixteen months before the changed end date (30 September 2030). The incumbent is another firm.
    deps.clock.set(new Date('2029-06-01T08:00:00Z'));
    expect(await forecastAndMatchRenewals(deps)).toMatchObject({ forecasts: 1, matches: 1 });
    await sendDueAlerts(deps);
    expect(deps.mailer.sent).toHaveLength(before + 1);
    const text = deps.mailer.sent[before].text;
    expect(text).toMatch(/UP FOR RENEWAL[\s\S]*Carriageway resurfacing programme 2027–2030: Carriageway resurfacing/);
    expect(text).toMatch(/Held by: Midland Surfacing Ltd \(SME\)/);
    expect(text).toMatch(/How sure: medium: the contract ends on 2030-09-30; the buyer may extend or renew it/);
    expect(text).toMatch(/Ends: Mon 30 September 2030/);

    const app = createApp(deps);
    // The tender page's data: the notice type by name, and the buyer's history in the same CPV group (452).
    await ingestSource(deps, { source: 'fts', from: '2026-11-02T07:00:00Z', to: '2026-11-02T12:00:00Z' }); // the dynamic market (452)
    const tender = (await (await app.request(`/tenders/${OCIDS.resurfacing}`)).json()) as Record<string, unknown>;
    expect(tender).toMatchObject({ notice_type: 'UK10', notice_type_name: 'Contract change notice', opportunity_kind: 'other' });
    const dm = (await (await app.request(`/tenders/${OCIDS.dynamicMarket}`)).json()) as { buyer_history: unknown };
    expect(dm.buyer_history).toMatchObject({
      cpv_group: '452',
      awards_in_group: 1,
      awards: [{ ocid: OCIDS.resurfacing, value_amount: 2350000, winners: [{ name: 'Midland Surfacing Ltd', sme: true, local: true }] }],
      sme_share: { sme: 1, known: 1, share: 1 },
    });
    const res = await app.request('/suppliers/roads/matches', { headers: { authorization: 'Bearer key-roads' } });
    const body = (await res.json()) as { up_for_renewal: Array<{ ocid: string; certainty: string; buyer_history: { awards_in_group: number; sme_share: { share: number | null } } }> };
    expect(body.up_for_renewal).toHaveLength(1);
    expect(body.up_for_renewal[0]).toMatchObject({ ocid: OCIDS.resurfacing, certainty: 'medium' });

    deps.clock.set(new Date('2029-06-02T08:00:00Z'));
    await sendDueAlerts(deps);
    expect(deps.mailer.sent).toHaveLength(before + 1);
  });

  it('a backfill of coming-up work asks Find a Tender for the planning stage only, and leaves the watermark alone', async () => {
    const { deps, server } = await world();
    deps.clock.set(new Date('2026-12-01T00:00:00Z'));
    expect(await ingestSource(deps, { source: 'fts', stages: ['planning'] })).toMatchObject({ status: 'error', error: expect.stringMatching(/needs --from/) });
    const summary = await ingestSource(deps, { source: 'fts', stages: ['planning'], from: '2026-03-30T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect(summary).toMatchObject({ status: 'ok', fetched: 3, watermark: null });
    expect(server.requests.every((r) => r.query.stages === 'planning' || r.query.cursor !== undefined)).toBe(true);
    const stored = await deps.db.selectFrom('releases').select('release_id').orderBy('release_id').execute();
    expect(stored.map((r) => r.release_id)).toEqual(['012001-2026', '015002-2026', '031003-2026']);
    expect((await deps.db.selectFrom('source_state').select('watermark').where('source', '=', 'fts').executeTakeFirst())?.watermark ?? null).toBeNull();
  });
});
