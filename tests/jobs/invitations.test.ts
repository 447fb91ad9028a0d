import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { sendDueAlerts } from '../../jobs/alerts.js';
import { smtpMailer } from '../../src/mail/smtp.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';
import { confirmAllAddresses, header, startSmtp } from '../support/alerts-seed.js';

/**
 * A cooperative's invitation, mailed through the outbox over a real SMTP server on 127.0.0.1 to the
 * firm's confirmed address, answered from the signed link in it.
 */

const ENV = { UNSUBSCRIBE_SECRET: 'invite-test-secret-0123456789', PUBLIC_BASE_URL: 'https://tendermatch.example', MAIL_FROM: 'tendermatch <alerts@tendermatch.example>' };

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
  const register = async (over: Record<string, unknown> = {}) => {
    const res = await request('POST', '/suppliers', registration({ company_number: null, ...over }));
    const body = (await res.json()) as { supplier: { id: string }; key: string };
    if (res.status !== 201) throw new Error(`registration failed: ${JSON.stringify(body)}`);
    return body;
  };
  const status = async (coop: string, member: string) =>
    (await deps.db.selectFrom('cooperative_members').select('status').where('cooperative_id', '=', coop).where('member_id', '=', member).executeTakeFirst())?.status;
  const answerPath = (text: string, coopName: string) => {
    const url = new URL(new RegExp(`Answer ${coopName}: (\\S+)`).exec(text)![1]);
    return url.pathname + url.search;
  };
  const answer = (path: string, value: string) =>
    app.request(path, { method: 'POST', body: new URLSearchParams({ answer: value }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return { deps, app, request, register, status, answerPath, answer, smtp: smtp! };
}

describe('invitations to be a member', () => {
  it('wait for the firm to confirm its address, go once, and the link in them answers', async () => {
    const { deps, app, request, register, status, answerPath, answer, smtp } = await setup();
    const firm = await register({ name: 'Ayr Grounds', contact_email: 'office@ayrgrounds.test' });
    const coop = await register({ name: 'Ayrshire Growers Co-op', kind: 'cooperative', cpv_codes: [], members: [firm.supplier.id], contact_email: 'coop@growers.test' });

    // Only the confirmations go: an invitation never goes to an address its owner has not confirmed.
    expect(await sendDueAlerts(deps)).toMatchObject({ confirmations_queued: 2, invitations_queued: 0 });
    expect(smtp.received.every((m) => m.parsed.subject!.startsWith('Confirm your address'))).toBe(true);

    await confirmAllAddresses(deps.db);
    expect(await sendDueAlerts(deps)).toMatchObject({ invitations_queued: 1, sent: 1 });
    const invitation = smtp.received.at(-1)!;
    expect(invitation.to).toBe('office@ayrgrounds.test');
    expect(invitation.parsed.subject).toBe('Ayrshire Growers Co-op asks Ayr Grounds to be its member');
    expect(header(invitation.raw, 'List-Unsubscribe')).toMatch(/^<https:\/\/tendermatch\.example\/unsubscribe\?token=u1\./);
    // Once is enough: the next run sends nothing more.
    deps.clock.advance(2 * 86_400_000);
    expect(await sendDueAlerts(deps)).toMatchObject({ invitations_queued: 0 });

    const path = answerPath(invitation.parsed.text!, 'Ayrshire Growers Co-op');
    const page = await app.request(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('names <strong>Ayr Grounds</strong> as one of its members');
    expect(await status(coop.supplier.id, firm.supplier.id)).toBe('invited');

    expect((await answer(path, 'accept')).status).toBe(200);
    expect(await status(coop.supplier.id, firm.supplier.id)).toBe('accepted');
    const listed = (await (await request('GET', `/suppliers/${coop.supplier.id}`)).json()) as { supplier: { members: string[] } };
    expect(listed.supplier.members).toEqual([firm.supplier.id]);
    // It can change its mind from the same link.
    expect((await answer(path, 'decline')).status).toBe(200);
    expect(await status(coop.supplier.id, firm.supplier.id)).toBe('declined');
    expect((await answer(path, 'maybe')).status).toBe(422);

    // The link is the firm's only: tampered, or once its address changes, it answers nothing.
    expect((await answer(path.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')), 'accept')).status).toBe(403);
    expect((await request('PATCH', `/suppliers/${firm.supplier.id}`, { contact_email: 'new@ayrgrounds.test' }, firm.key)).status).toBe(200);
    expect((await answer(path, 'accept')).status).toBe(403);
    expect(await status(coop.supplier.id, firm.supplier.id)).toBe('declined');
  });

  it('at most one a day to a firm, naming every cooperative that waits for its answer; none after it unsubscribes', async () => {
    const { deps, request, register, smtp } = await setup();
    const firm = await register({ name: 'Ayr Grounds', contact_email: 'office@ayrgrounds.test' });
    await confirmAllAddresses(deps.db);
    const first = await register({ name: 'Growers One', kind: 'cooperative', cpv_codes: [], members: [firm.supplier.id], contact_email: null });
    await register({ name: 'Growers Two', kind: 'cooperative', cpv_codes: [], members: [firm.supplier.id], contact_email: null });
    expect(await sendDueAlerts(deps)).toMatchObject({ invitations_queued: 1 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].parsed.subject).toBe('2 cooperatives ask Ayr Grounds to be their member');

    // A cooperative that names the firm again and again does not mail it again and again.
    for (let i = 0; i < 3; i++) {
      await request('PATCH', `/suppliers/${first.supplier.id}`, { members: [] }, first.key);
      await request('PATCH', `/suppliers/${first.supplier.id}`, { members: [firm.supplier.id] }, first.key);
      expect(await sendDueAlerts(deps)).toMatchObject({ invitations_queued: 0 });
    }
    deps.clock.advance(86_400_000 + 1000);
    expect(await sendDueAlerts(deps)).toMatchObject({ invitations_queued: 1 });
    expect(smtp.received).toHaveLength(2);

    const unsubscribe = new URL(/^<(.+)>$/.exec(header(smtp.received[1].raw, 'List-Unsubscribe')!)![1]);
    await request('POST', unsubscribe.pathname + unsubscribe.search);
    await request('PATCH', `/suppliers/${first.supplier.id}`, { members: [] }, first.key);
    await request('PATCH', `/suppliers/${first.supplier.id}`, { members: [firm.supplier.id] }, first.key);
    deps.clock.advance(2 * 86_400_000);
    expect(await sendDueAlerts(deps)).toMatchObject({ invitations_queued: 0 });
    expect(smtp.received).toHaveLength(2);
  });
});
