import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ingestFile } from '../../jobs/ingest-file.js';
import { createApp } from '../../src/app.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { feedbackToken, feedbackUrls } from '../../src/mail/feedback-links.js';
import { signToken } from '../../src/mail/tokens.js';
import { loadProfilesOf, registryChangesSince, registryVersion } from '../../db/queries/suppliers.js';
import { testDeps } from '../support/helpers.js';
import { addMatch, addSupplier, addTender } from '../support/alerts-seed.js';

const SECRET = 'feedback-test-secret-0123456789';
const ENV = { UNSUBSCRIBE_SECRET: SECRET, PUBLIC_BASE_URL: 'https://tendermatch.example' };
// A real Contracts Finder notice of the fixture releases: "St George's Academy ~ Cleaning Services Tender" (90919300).
const OCID = 'ocds-b5fd17-f4c316bc-a818-4be0-9db6-9b6207e6c49e';
const RELEASES = fileURLToPath(new URL('../support/fixtures/cf-releases.jsonl', import.meta.url));

async function setup() {
  const deps = await testDeps({ env: ENV });
  await addSupplier(deps.db, { id: 'clean', name: 'Digbeth Clean <Co-op>', email: 'hello@digbeth.test', cpv: ['90910000'], key: 'key-clean' });
  await addSupplier(deps.db, { id: 'other', name: 'Someone Else Ltd', email: 'x@else.test', cpv: ['90910000'] });
  await ingestFile(deps, RELEASES);
  return { deps, app: createApp(deps) };
}

type MatchList = { matches: Array<{ feedback?: { not_for_us: string; good_match: string } }> };

const stored = (deps: Awaited<ReturnType<typeof setup>>['deps']) => deps.db.selectFrom('match_feedback').selectAll().execute();

describe('one-click feedback links', () => {
  it('GET shows what the link records and changes nothing; POST records it, queues the firm and feeds the matcher', async () => {
    const { deps, app } = await setup();
    const token = feedbackToken(SECRET, 'clean', OCID, '', 'not_for_us');
    const page = await app.request(`/feedback?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Is this not for us?');
    expect(html).toContain('St George&#39;s Academy ~ Cleaning Services Tender');
    expect(html).toContain('Digbeth Clean &lt;Co-op&gt;');
    expect(html).toContain('<form method="post"');
    expect(await stored(deps)).toEqual([]);

    const versionBefore = await registryVersion(deps.db);
    const post = await app.request(`/feedback?token=${encodeURIComponent(token)}`, { method: 'POST' });
    expect(post.status).toBe(200);
    // The held registry reads the firm again (its profile carries the feedback), and only that firm.
    expect(await registryChangesSince(deps.db, versionBefore, await registryVersion(deps.db))).toEqual(['clean']);
    expect(await post.text()).toContain('is marked as not for us');
    const rows = await stored(deps);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ supplier_id: 'clean', ocid: OCID, lot_id: '', verdict: 'not_for_us', buyer: 'st george s academy', created_at: '2026-11-24T09:00:00.000Z' });
    expect(JSON.parse(rows[0].cpv_groups)).toEqual(['909']);
    expect(JSON.parse(rows[0].words)).toEqual(expect.arrayContaining(['george', 'academy', 'cleaning']));
    // Matched again with its feedback: queued (a route never runs the job) and the job kicked.
    expect((await deps.db.selectFrom('supplier_match_queue').select('supplier_id').execute()).map((r) => r.supplier_id)).toContain('clean');
    expect(deps.jobs.kicked).toContain('match-suppliers');
    const [profile] = await loadProfilesOf(deps.db, ['clean']);
    expect(profile.feedback).toEqual([{ verdict: 'not_for_us', groups: ['909'], words: JSON.parse(rows[0].words), buyer: 'st george s academy' }]);
    expect((await loadProfilesOf(deps.db, ['other']))[0].feedback).toBeUndefined();

    // The other link changes the verdict: one row per firm and notice. JSON when asked for.
    const good = feedbackToken(SECRET, 'clean', OCID, '', 'good_match');
    const again = await app.request(`/feedback?token=${encodeURIComponent(good)}`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ supplier_id: 'clean', ocid: OCID, lot_id: '', verdict: 'good_match' });
    expect((await stored(deps)).map((r) => r.verdict)).toEqual(['good_match']);
  });

  const forged: Array<[string, () => string]> = [
    ['signed with another secret', () => feedbackToken('some-other-secret-0123456789', 'clean', OCID, '', 'not_for_us')],
    ['an unsubscribe token', () => signToken(SECRET, 'unsubscribe', 'clean')],
    ['a verdict never issued', () => signToken(SECRET, 'feedback', ['clean', OCID, '-', 'delete_everything'])],
    ['garbage', () => 'f1.AAAA.BBBB.CCCC.DDDD.EEEE'],
    ['no token', () => ''],
  ];
  it.each(forged)('refuses a bad link (%s) and records nothing', async (_why, make) => {
    const { deps, app } = await setup();
    const token = encodeURIComponent(make());
    expect((await app.request(`/feedback?token=${token}`)).status).toBe(403);
    expect((await app.request(`/feedback?token=${token}`, { method: 'POST' })).status).toBe(403);
    const json = await app.request(`/feedback?token=${token}`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(json.status).toBe(403);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(await stored(deps)).toEqual([]);
  });

  it('a link to a tender no longer stored says so and records nothing', async () => {
    const { deps, app } = await setup();
    const token = encodeURIComponent(feedbackToken(SECRET, 'clean', 'ocds-gone', '', 'not_for_us'));
    expect((await app.request(`/feedback?token=${token}`)).status).toBe(404);
    expect((await app.request(`/feedback?token=${token}`, { method: 'POST' })).status).toBe(404);
    expect(await stored(deps)).toEqual([]);
  });

  it('the matches list carries the links for the firm itself, not for a reader without its key', async () => {
    const { deps, app } = await setup();
    await addMatch(deps.db, { supplier: 'clean', ocid: OCID, score: 0.8 });
    const anonymous = (await (await app.request('/suppliers/clean/matches')).json()) as MatchList;
    expect(anonymous.matches).toHaveLength(1);
    expect(anonymous.matches[0].feedback).toBeUndefined();
    const wrongKey = (await (await app.request('/suppliers/clean/matches', { headers: { authorization: 'Bearer key-other' } })).json()) as MatchList;
    expect(wrongKey.matches[0].feedback).toBeUndefined();
    const own = (await (await app.request('/suppliers/clean/matches', { headers: { authorization: 'Bearer key-clean' } })).json()) as MatchList;
    const urls = feedbackUrls('https://tendermatch.example', SECRET, 'clean', OCID, '');
    expect(own.matches[0].feedback).toEqual({ not_for_us: urls.notForUs, good_match: urls.goodMatch });
    // The link works as given.
    const link = new URL(own.matches[0].feedback!.not_for_us);
    const path = link.pathname + link.search;
    expect((await app.request(path, { method: 'POST' })).status).toBe(200);
    expect((await stored(deps)).map((r) => r.verdict)).toEqual(['not_for_us']);
  });

  it('every tender in an alert email carries both links', async () => {
    const { deps } = await setup();
    // An open tender (the fixture's closed in 2022), with a lot.
    await addTender(deps.db, { ocid: 'ocds-open-1', title: 'Cleaning of council offices' });
    await addMatch(deps.db, { supplier: 'clean', ocid: 'ocds-open-1', score: 0.8 });
    const run = await sendDueAlerts(deps);
    expect(run.sent).toBe(1);
    const mail = deps.mailer.sent.find((m) => m.to === 'hello@digbeth.test')!;
    const urls = feedbackUrls('https://tendermatch.example', SECRET, 'clean', 'ocds-open-1', '');
    expect(mail.text).toContain(`Not for us: ${urls.notForUs}`);
    expect(mail.text).toContain(`Good match: ${urls.goodMatch}`);
    expect(mail.html).toContain('>Not for us</a>');
    expect(mail.html).toContain(urls.goodMatch.replace(/&/g, '&amp;'));
  });
});
