import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { registration } from '../support/matching-fixtures.js';

/**
 * The pages' forms and sessions through app.request: the Origin check and the per-session CSRF token on every
 * POST, the cookies' flags, and sign-in links that are signed, short-lived, bound to the address and work once.
 */
const ORIGIN = 'http://localhost';

async function setup(env: Record<string, string> = {}) {
  const deps = await testDeps({ env });
  const app = createApp(deps);
  const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration({ contact_email: 'owner@green.test' })) });
  const supplierId = ((await res.json()) as { supplier: { id: string } }).supplier.id;
  return { deps, app, supplierId };
}

/** A browser of sorts: keeps cookies, reads the form token of the last page. */
function browser(app: ReturnType<typeof createApp>, base = ORIGIN) {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, value] = pair.split('=');
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    async get(path: string, headers: Record<string, string> = {}) {
      return remember(await app.request(`${base}${path}`, { headers: { cookie: cookie(), ...headers } }));
    },
    async post(path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: base }) {
      return remember(
        await app.request(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), ...headers },
          body: new URLSearchParams(fields).toString(),
        }),
      );
    },
  };
}

const tokenIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('forms on the pages', () => {
  it('refuse a POST from another origin or without one, and a POST without this browser\'s token', async () => {
    const { app } = await setup();
    const b = browser(app);
    const token = tokenIn(await (await b.get('/sign-in')).text());
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await b.post('/sign-in', { _csrf: token, email: 'owner@green.test' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await b.post('/sign-in', { _csrf: token, email: 'owner@green.test' }, {})).status).toBe(403);
    expect((await b.post('/sign-in', { email: 'owner@green.test' })).status).toBe(403);
    // Another browser's token is not this one's.
    const other = browser(app);
    const otherToken = tokenIn(await (await other.get('/sign-in')).text());
    expect(otherToken).not.toBe(token);
    const refused = await b.post('/sign-in', { _csrf: otherToken, email: 'owner@green.test' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('This form has expired');
    expect((await b.post('/sign-in', { _csrf: token, email: 'owner@green.test' })).status).toBe(200);
  });

  it('set cookies HttpOnly and SameSite=Lax, Secure over https (directly or, when trusted, behind a proxy)', async () => {
    const plain = await setup();
    const http = (await plain.app.request(`${ORIGIN}/register`)).headers.get('set-cookie')!;
    expect(http).toMatch(/^tm_visit=[A-Za-z0-9_-]{43}; Max-Age=86400; Path=\/; HttpOnly; SameSite=Lax$/);
    expect((await plain.app.request('https://tendermatch.example/register')).headers.get('set-cookie')).toMatch(/; Secure/);
    expect((await plain.app.request(`${ORIGIN}/register`, { headers: { 'x-forwarded-proto': 'https' } })).headers.get('set-cookie')).not.toMatch(/Secure/);
    const proxied = await setup({ TRUST_PROXY: 'true' });
    expect((await proxied.app.request(`${ORIGIN}/register`, { headers: { 'x-forwarded-proto': 'https' } })).headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('mail a sign-in link that works once, within its minutes, for the address it was sent to', async () => {
    const { app, deps, supplierId } = await setup();
    const b = browser(app);
    const ask = async (email: string) => b.post('/sign-in', { _csrf: tokenIn(await (await b.get('/sign-in')).text()), email });
    const linkOf = (i: number) => new URL(/Sign in: (\S+)/.exec(deps.mailer.sent[i].text)![1]).searchParams.get('token')!;
    expect((await ask('Owner@Green.test')).status).toBe(200);
    expect(deps.mailer.sent.map((m) => m.to)).toEqual(['owner@green.test']);
    // An unknown address gets the same page and no mail.
    const unknown = await ask('nobody@green.test');
    expect(await unknown.text()).toContain('If nobody@green.test is the address of a registered firm');
    expect(deps.mailer.sent).toHaveLength(1);

    const token = linkOf(0);
    const page = await b.get(`/sign-in/link?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    const form = tokenIn(await page.text());
    // A changed character: refused.
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await b.post('/sign-in/link', { _csrf: form, token: forged })).status).toBe(403);
    const used = await b.post('/sign-in/link', { _csrf: form, token });
    expect([used.status, used.headers.get('location')]).toEqual([303, '/account']);
    expect(b.jar.has('tm_session')).toBe(true);
    const stored = await deps.db.selectFrom('page_sessions').selectAll().execute();
    expect(stored.map((s) => [s.role, s.supplier_id])).toEqual([['supplier', supplierId]]);
    expect(stored[0].id_hash).not.toBe(b.jar.get('tm_session'));
    expect((await b.get('/account')).status).toBe(200);
    // Once only: a second browser with the same link is refused.
    const c = browser(app);
    const again = await c.post('/sign-in/link', { _csrf: tokenIn(await (await c.get(`/sign-in/link?token=${encodeURIComponent(token)}`)).text()), token });
    expect(again.status).toBe(410);
    expect(c.jar.has('tm_session')).toBe(false);

    // Expired after SIGN_IN_LINK_MINUTES.
    await ask('owner@green.test');
    deps.clock.advance(deps.config.SIGN_IN_LINK_MINUTES * 60_000 + 1000);
    expect((await b.get(`/sign-in/link?token=${encodeURIComponent(linkOf(1))}`)).status).toBe(410);
    // Mailed to an address the firm no longer has: not valid.
    await ask('owner@green.test');
    await deps.db.updateTable('suppliers').set({ contact_email: 'new-owner@green.test' }).where('id', '=', supplierId).execute();
    expect((await b.get(`/sign-in/link?token=${encodeURIComponent(linkOf(2))}`)).status).toBe(403);
  });

  it('mail at most SIGN_IN_LINKS_PER_ADDRESS links to one address in 15 minutes, with the same answer after', async () => {
    const { app, deps } = await setup({ SIGN_IN_LINKS_PER_ADDRESS: '2' });
    const b = browser(app);
    for (let i = 0; i < 4; i++) {
      const res = await b.post('/sign-in', { _csrf: tokenIn(await (await b.get('/sign-in')).text()), email: 'owner@green.test' });
      expect(await res.text()).toContain('we have sent it a sign-in link');
    }
    expect(deps.mailer.sent).toHaveLength(2);
    deps.clock.advance(16 * 60_000);
    await b.post('/sign-in', { _csrf: tokenIn(await (await b.get('/sign-in')).text()), email: 'owner@green.test' });
    expect(deps.mailer.sent).toHaveLength(3);
  });

  it('end the session on sign-out, in the store as well as in the browser', async () => {
    const { app, deps } = await setup();
    const b = browser(app);
    const reg = await b.get('/register');
    const res = await b.post('/register', {
      _csrf: tokenIn(await reg.text()),
      action: 'register',
      name: 'Irvine Joinery',
      kind: 'micro',
      postcode: 'KA12 8AA',
      description: 'Joinery and carpentry',
      contact_email: 'irvine@joinery.test',
      cpv_codes: '45421000',
    });
    expect(res.status).toBe(201);
    expect(deps.jobs.kicked).toEqual(['match-suppliers', 'match-suppliers']);
    const queued = await deps.db.selectFrom('supplier_match_queue').select('supplier_id').execute();
    expect(queued).toHaveLength(2);
    const home = await b.get('/account');
    expect(home.status).toBe(200);
    const out = await b.post('/sign-out', { _csrf: tokenIn(await home.text()) });
    expect(out.status).toBe(303);
    expect(await deps.db.selectFrom('page_sessions').selectAll().execute()).toEqual([]);
    expect((await b.get('/account')).headers.get('location')).toBe('/sign-in');
  });

  it('keep the operator pages behind the administrator key', async () => {
    const { app } = await setup({ ADMIN_KEY: 'an-admin-key-for-the-tests-123' });
    const b = browser(app);
    expect((await b.get('/operator/places')).headers.get('location')).toBe('/operator/sign-in');
    const wrong = await b.post('/operator/sign-in', { _csrf: tokenIn(await (await b.get('/operator/sign-in')).text()), key: 'guess' });
    expect(wrong.status).toBe(403);
    const right = await b.post('/operator/sign-in', { _csrf: tokenIn(await (await b.get('/operator/sign-in')).text()), key: 'an-admin-key-for-the-tests-123' });
    expect(right.headers.get('location')).toBe('/operator/places');
    const places = await b.get('/operator/places');
    expect(places.status).toBe(200);
    const bad = await b.post('/operator/places', { _csrf: tokenIn(await places.text()), name: 'Somewhere', codes: 'TLG31, NOPE' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Not UK ITL or NUTS codes: NOPE');
  });
});
