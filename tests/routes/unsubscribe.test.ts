import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { signToken } from '../../src/mail/tokens.js';
import { testDeps } from '../support/helpers.js';
import { addMatch, addSupplier, addTender, header } from '../support/alerts-seed.js';

const SECRET = 'unsubscribe-test-secret-0123456789';
const ENV = { UNSUBSCRIBE_SECRET: SECRET, PUBLIC_BASE_URL: 'https://tendermatch.example' };

async function setup() {
  const deps = await testDeps({ env: ENV });
  await addSupplier(deps.db, { id: 'coop', name: 'Cherwell Training <Co-op>', email: 'hello@cherwell.test' });
  await addSupplier(deps.db, { id: 'victim', name: 'Someone Else Ltd', email: 'x@else.test' });
  return { deps, app: createApp(deps) };
}

const unsubscribedAt = async (deps: Awaited<ReturnType<typeof setup>>['deps'], id: string) =>
  (await deps.db.selectFrom('alert_preferences').select('unsubscribed_at').where('supplier_id', '=', id).executeTakeFirst())?.unsubscribed_at ?? null;

describe('one-click unsubscribe (RFC 8058)', () => {
  it('GET shows a confirmation page and changes nothing; POST unsubscribes', async () => {
    const { deps, app } = await setup();
    const token = signToken(SECRET, 'unsubscribe', 'coop');
    const page = await app.request(`/unsubscribe?token=${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Stop tender alerts?');
    expect(html).toContain('Cherwell Training &lt;Co-op&gt;');
    expect(html).toContain(`<form method="post" action="/unsubscribe?token=${token}">`);
    expect(await unsubscribedAt(deps, 'coop')).toBeNull();

    // What a mail client sends for List-Unsubscribe-Post.
    const post = await app.request(`/unsubscribe?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain('You are unsubscribed');
    expect(await unsubscribedAt(deps, 'coop')).toBe('2026-11-24T09:00:00.000Z');
    expect(await unsubscribedAt(deps, 'victim')).toBeNull();

    // Again: still unsubscribed, same moment kept.
    deps.clock.advance(60_000);
    expect((await app.request(`/unsubscribe?token=${token}`, { method: 'POST' })).status).toBe(200);
    expect(await unsubscribedAt(deps, 'coop')).toBe('2026-11-24T09:00:00.000Z');
  });

  const forged: Array<[string, (good: string) => string]> = [
    ['signed with another secret', () => signToken('some-other-secret-0123456789', 'unsubscribe', 'victim')],
    ['own signature, other supplier', (good) => good.replace(Buffer.from('coop').toString('base64url'), Buffer.from('victim').toString('base64url'))],
    ['a manage token', () => signToken(SECRET, 'manage', 'victim', { expiresAt: new Date('2026-12-24T09:00:00Z') })],
    ['no token', () => ''],
    ['garbage', () => 'u1.dmljdGlt.AAAA'],
  ];
  it.each(forged)('refuses a forged token (%s) and unsubscribes nobody', async (_why, make) => {
    const { deps, app } = await setup();
    const token = make(signToken(SECRET, 'unsubscribe', 'coop'));
    const get = await app.request(`/unsubscribe?token=${encodeURIComponent(token)}`);
    expect(get.status).toBe(403);
    expect(await get.text()).toContain('This link is not valid');
    const post = await app.request(`/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(403);
    expect(await deps.db.selectFrom('alert_preferences').selectAll().execute()).toEqual([]);
  });

  it('the link in a sent alert works, and no alert is sent after unsubscribing', async () => {
    const { deps, app } = await setup();
    await addTender(deps.db, { ocid: 't1', title: 'Soft Skills Training' });
    await addMatch(deps.db, { supplier: 'coop', ocid: 't1', score: 0.8 });
    await sendDueAlerts(deps);
    const sent = deps.mailer.sent.find((m) => m.to === 'hello@cherwell.test')!;
    const link = /^<(.+)>$/.exec(sent.headers['List-Unsubscribe'])![1];
    expect(sent.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(sent.text).toContain(link);
    const url = new URL(link);
    expect(url.origin).toBe('https://tendermatch.example');
    expect((await app.request(url.pathname + url.search, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);

    await addTender(deps.db, { ocid: 't2', title: 'Domestic Abuse Support Service' });
    await addMatch(deps.db, { supplier: 'coop', ocid: 't2', score: 0.9 });
    deps.clock.set('2026-11-25T07:00:00Z');
    const before = deps.mailer.sent.length;
    expect(await sendDueAlerts(deps)).toMatchObject({ digests_queued: 0, sent: 0 });
    expect(deps.mailer.sent.length).toBe(before);

    // The supplier, with its key, can subscribe again.
    const again = await app.request('/suppliers/coop/alerts', { method: 'PUT', headers: { authorization: 'Bearer key-coop', 'content-type': 'application/json' }, body: JSON.stringify({ subscribed: true }) });
    expect(again.status).toBe(200);
    expect(await unsubscribedAt(deps, 'coop')).toBeNull();
  });

  it('a pending message is cancelled, not sent, when the supplier unsubscribes before it goes', async () => {
    const { deps, app } = await setup();
    await addTender(deps.db, { ocid: 't1' });
    await addMatch(deps.db, { supplier: 'coop', ocid: 't1', score: 0.8 });
    await sendDueAlerts(deps, { deliver: false });
    await app.request(`/unsubscribe?token=${signToken(SECRET, 'unsubscribe', 'coop')}`, { method: 'POST' });
    expect(await sendDueAlerts(deps)).toMatchObject({ sent: 0, cancelled: 1 });
    expect(deps.mailer.sent).toEqual([]);
    expect(await deps.db.selectFrom('alert_outbox').select(['status', 'last_error']).execute()).toEqual([{ status: 'cancelled', last_error: 'the supplier unsubscribed before it was sent' }]);
  });

  it('the manage link shows a form that saves preferences', async () => {
    const { deps, app } = await setup();
    const token = signToken(SECRET, 'manage', 'coop', { expiresAt: new Date('2026-12-24T09:00:00Z') });
    const get = await app.request(`/alerts/manage?token=${token}`);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('Alerts for Cherwell Training &lt;Co-op&gt;');
    const form = new URLSearchParams({ frequency: 'weekly', hour: '8', weekday: 'tuesday', max_items: '5', min_score: '0.3', include_words: 'cleaning, grounds', exclude_words: '', places: 'TLJ' });
    const post = await app.request(`/alerts/manage?token=${token}`, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(200);
    expect(await deps.db.selectFrom('alert_preferences').select(['frequency', 'hour', 'weekday', 'max_items', 'include_words', 'places', 'paused']).executeTakeFirst()).toEqual({
      frequency: 'weekly', hour: 8, weekday: 2, max_items: 5, include_words: '["cleaning","grounds"]', places: '["TLJ"]', paused: 0,
    });
    expect((await app.request(`/alerts/manage?token=${signToken(SECRET, 'unsubscribe', 'coop')}`)).status).toBe(403);
  });

  it('the manage link in an alert works for MANAGE_LINK_DAYS, then shows that it has expired; the unsubscribe link keeps working', async () => {
    const deps = await testDeps({ env: { ...ENV, MANAGE_LINK_DAYS: '10' } });
    await addSupplier(deps.db, { id: 'coop', name: 'Cherwell Training', email: 'hello@cherwell.test' });
    const app = createApp(deps);
    await addTender(deps.db, { ocid: 't1' });
    await addMatch(deps.db, { supplier: 'coop', ocid: 't1', score: 0.8 });
    await sendDueAlerts(deps);
    const text = deps.mailer.sent[0].text;
    const manage = new URL(/Change what you receive: (\S+)/.exec(text)![1]);
    const unsubscribe = new URL(/Unsubscribe: (\S+)/.exec(text)![1]);
    deps.clock.advance(10 * 86_400_000 - 60_000);
    expect((await app.request(manage.pathname + manage.search)).status).toBe(200);
    deps.clock.advance(60_000);
    const expired = await app.request(manage.pathname + manage.search);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This link has expired');
    const form = new URLSearchParams({ frequency: 'weekly', hour: '8', weekday: 'tuesday', max_items: '5', min_score: '0.3' });
    expect((await app.request(manage.pathname + manage.search, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(410);
    expect((await deps.db.selectFrom('alert_preferences').select('frequency').executeTakeFirst())?.frequency).toBe('daily');
    deps.clock.advance(365 * 86_400_000);
    const post = await app.request(unsubscribe.pathname + unsubscribe.search, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(200);
    expect(await unsubscribedAt(deps, 'coop')).not.toBeNull();
  });
});

describe('header helper', () => {
  it('unfolds', () => expect(header('A: b\r\n c\r\n\r\nbody', 'A')).toBe('b c'));
});
