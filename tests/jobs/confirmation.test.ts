import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { smtpMailer } from '../../src/mail/smtp.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';
import { addMatch, addTender, header, startSmtp } from '../support/alerts-seed.js';

/**
 * Double opt-in, end to end over a real SMTP server on 127.0.0.1: a registered address is mailed one
 * confirmation message through the outbox, and gets no alert until its owner has clicked the link.
 */

const ENV = { UNSUBSCRIBE_SECRET: 'confirm-test-secret-0123456789', PUBLIC_BASE_URL: 'https://tendermatch.example', MAIL_FROM: 'tendermatch <alerts@tendermatch.example>' };

let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
let mailer: Mailer | undefined;
afterEach(async () => {
  await mailer?.close();
  await smtp?.close();
  smtp = undefined;
  mailer = undefined;
});

async function setup() {
  smtp = await startSmtp();
  mailer = smtpMailer({ url: smtp.url, from: ENV.MAIL_FROM, ratePerSecond: 1000 });
  const deps = await testDeps({ env: ENV, mailer });
  const app = createApp(deps);
  const request = jsonCaller(app);
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const res = await request(method, path, body, key);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const register = async (over: Record<string, unknown> = {}) => {
    const res = await call('POST', '/suppliers', registration({ company_number: null, ...over }));
    if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(res.body)}`);
    return res.body as { supplier: { id: string; contact_email_verified: boolean }; key: string; contact_email_note?: string };
  };
  const confirmedAt = async (id: string) =>
    (await deps.db.selectFrom('suppliers').select('contact_email_verified_at').where('id', '=', id).executeTakeFirstOrThrow()).contact_email_verified_at;
  /** The link in a received message whose text says `label: <url>`, as a path the app answers. */
  const link = (text: string, label: string) => {
    const url = new URL(new RegExp(`${label}: (\\S+)`).exec(text)![1]);
    expect(url.origin).toBe('https://tendermatch.example');
    return url.pathname + url.search;
  };
  const post = (path: string) => app.request(path, { method: 'POST' });
  return { deps, app, call, register, confirmedAt, link, post, smtp: smtp! };
}

describe('a contact address gets no alert before its owner confirms it', () => {
  it('mails one confirmation through the outbox; alerts start once the link is clicked; matches show on the API meanwhile', async () => {
    const { deps, app, call, register, confirmedAt, link, post, smtp } = await setup();
    const a = await register({ company_number: 'SC123456', contact_email: 'owner@greenspaces.test' });
    expect(a.supplier.contact_email_verified).toBe(false);
    expect(a.contact_email_note).toContain('owner@greenspaces.test');
    // Registering a number already held is still refused, and nothing is queued for the second address.
    expect((await call('POST', '/suppliers', registration({ company_number: 'SC123456', contact_email: 'stranger@else.test' }))).status).toBe(409);

    await addTender(deps.db, { ocid: 'ocds-t1', title: 'Grounds maintenance, Kilmarnock' });
    await addMatch(deps.db, { supplier: a.supplier.id, ocid: 'ocds-t1', score: 0.8 });
    const matches = await call('GET', `/suppliers/${a.supplier.id}/matches`);
    expect(matches.body.matches.map((m: { ocid: string }) => m.ocid)).toEqual(['ocds-t1']);

    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 1, digests_queued: 0, sent: 1 });
    expect(smtp.received.map((m) => m.to)).toEqual(['owner@greenspaces.test']);
    const confirmation = smtp.received[0];
    expect(confirmation.parsed.subject).toBe('Confirm your address for tender alerts to Ayrshire Green Spaces Ltd');
    expect(header(confirmation.raw, 'Auto-Submitted')).toBe('auto-generated');
    expect(await deps.db.selectFrom('alert_outbox').select(['kind', 'status', 'to_address']).execute()).toEqual([{ kind: 'confirm', status: 'sent', to_address: 'owner@greenspaces.test' }]);

    // Nothing more goes to the address while it is not confirmed: no digest, no second confirmation.
    deps.clock.advance(86_400_000);
    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 0, digests_queued: 0, sent: 0 });
    expect(smtp.received).toHaveLength(1);

    // Opening the link changes nothing (mail scanners open links); the button does.
    const confirmPath = link(confirmation.parsed.text!, 'Confirm this address');
    const shown = await app.request(confirmPath);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('owner@greenspaces.test');
    expect(await confirmedAt(a.supplier.id)).toBeNull();
    const clicked = await post(confirmPath);
    expect(clicked.status).toBe(200);
    expect(await clicked.text()).toContain('is confirmed');
    expect(await confirmedAt(a.supplier.id)).toBe(deps.clock.now().toISOString());
    expect((await call('GET', `/suppliers/${a.supplier.id}/alerts`, undefined, a.key)).body.delivery).toMatchObject({ address_confirmed: true });

    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 0, digests_queued: 1, sent: 1 });
    expect(smtp.received[1].to).toBe('owner@greenspaces.test');
    expect(smtp.received[1].parsed.text).toContain('Grounds maintenance, Kilmarnock');
  });

  it('a changed address is unconfirmed again: the old link stops working and what was queued for the old address is dropped', async () => {
    const { deps, call, register, confirmedAt, link, post, smtp } = await setup();
    const a = await register({ contact_email: 'old@greenspaces.test' });
    await sendDueAlerts(deps);
    const oldLink = link(smtp.received[0].parsed.text!, 'Confirm this address');
    expect((await post(oldLink)).status).toBe(200);
    await addTender(deps.db, { ocid: 'ocds-t1', title: 'Grass cutting, Irvine' });
    await addMatch(deps.db, { supplier: a.supplier.id, ocid: 'ocds-t1', score: 0.8 });
    expect(await sendDueAlerts(deps, { deliver: false })).toMatchObject({ digests_queued: 1 });

    const changed = await call('PATCH', `/suppliers/${a.supplier.id}`, { contact_email: 'new@greenspaces.test' }, a.key);
    expect(changed.status).toBe(200);
    expect(changed.body.supplier).toMatchObject({ contact_email: 'new@greenspaces.test', contact_email_verified: false });
    expect(await confirmedAt(a.supplier.id)).toBeNull();
    // The change only queues matching again (the answer never waits for it): the seeded match stands meanwhile.
    expect(changed.body.supplier.matching).toBe('pending');
    expect((await post(oldLink)).status).toBe(403);
    expect(await confirmedAt(a.supplier.id)).toBeNull();

    // The digest for the old address is dropped unsent; the new address gets its confirmation, nothing else.
    expect(await sendDueAlerts(deps)).toMatchObject({ dropped: 1, confirmations_queued: 1, digests_queued: 0, sent: 1 });
    expect(smtp.received.map((m) => m.to)).toEqual(['old@greenspaces.test', 'new@greenspaces.test']);
    // A link mailed for the new address confirms it; the tender the dropped digest held is told to it.
    expect((await post(link(smtp.received[1].parsed.text!, 'Confirm this address'))).status).toBe(200);
    deps.clock.advance(86_400_000); // the next daily slot
    expect(await sendDueAlerts(deps)).toMatchObject({ digests_queued: 1, sent: 1 });
    expect(smtp.received[2]).toMatchObject({ to: 'new@greenspaces.test' });
    expect(smtp.received[2].parsed.text).toContain('Grass cutting, Irvine');
  });

  it('one address gets at most three confirmations a day, however many suppliers name it; a new one can be asked for after an hour', async () => {
    const { deps, call, register, smtp } = await setup();
    const firms = [];
    for (let i = 0; i < 5; i++) firms.push(await register({ name: `Firm ${i}`, contact_email: 'victim@stranger.test' }));
    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 3, confirmations_held: 2, sent: 3 });
    expect(smtp.received).toHaveLength(3);

    const last = firms[4];
    const tooSoon = await call('POST', `/suppliers/${last.supplier.id}/alerts/confirmation`, undefined, last.key);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.code).toBe('rate_limited');
    expect(Number(tooSoon.headers.get('retry-after'))).toBe(3600);
    expect((await call('POST', `/suppliers/${last.supplier.id}/alerts/confirmation`)).status).toBe(401);

    // An hour on, it may ask, but the address has had its three today: held again.
    deps.clock.advance(3600_000);
    expect((await call('POST', `/suppliers/${last.supplier.id}/alerts/confirmation`, undefined, last.key)).status).toBe(202);
    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 0, confirmations_held: 1 });
    deps.clock.advance(86_400_000);
    expect((await call('POST', `/suppliers/${last.supplier.id}/alerts/confirmation`, undefined, last.key)).status).toBe(202);
    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 1, sent: 1 });
    expect(smtp.received).toHaveLength(4);
  });

  it('a link that has expired says so, and a forged one changes nothing', async () => {
    const { deps, app, register, confirmedAt, link, post, smtp } = await setup();
    const a = await register({ contact_email: 'owner@greenspaces.test' });
    await sendDueAlerts(deps);
    const path = link(smtp.received[0].parsed.text!, 'Confirm this address');
    const forged = path.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    expect((await post(forged)).status).toBe(403);
    deps.clock.advance(7 * 86_400_000);
    const expired = await app.request(path);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain(`POST /suppliers/${a.supplier.id}/alerts/confirmation`);
    expect((await post(path)).status).toBe(410);
    expect(await confirmedAt(a.supplier.id)).toBeNull();
  });
});
