import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, HOSTILE_TITLE, startPagesService } from '../support/pages-seed.js';

/**
 * Each user's journey through the pages in a real browser (Debian's chromium through playwright-core) against the
 * real service on a loopback port, with a real SMTP server for sign-in links. Every page is checked with axe-core
 * run inside it, and every request any page makes must go to the service's own origin.
 */
const CHROMIUM = '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const missing = (() => {
  try {
    readFileSync(CHROMIUM);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  }
})();

let service: Awaited<ReturnType<typeof startPagesService>>;
let browser: Browser;
const offOrigin: string[] = [];
/** What the pages' Content-Security-Policy refused (an inline script or style the service sent would show here). */
const refusedByCsp: string[] = [];
const checked: string[] = [];

beforeAll(async () => {
  if (missing) return;
  service = await startPagesService();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await service?.close();
});

async function context(options: { javaScriptEnabled?: boolean; acceptDownloads?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext(options);
  ctx.on('request', (r) => {
    if (!r.url().startsWith(service.origin)) offOrigin.push(r.url());
  });
  ctx.on('page', (p) =>
    p.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refusedByCsp.push(`${p.url()}: ${m.text()}`);
    }),
  );
  return ctx;
}

/** axe-core in the page: no serious or critical violation. Needs a context with JavaScript on. */
async function expectAccessible(page: Page) {
  // Evaluated through the browser's debugging protocol, which the pages' CSP (script-src 'self') does not govern:
  // an inline <script> tag would be refused, as it should be.
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  })) as { violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, page.url()).toEqual([]);
  checked.push(new URL(page.url()).pathname);
}

async function waitForMail(to: string, count: number) {
  const mine = () => service.smtp.received.filter((m) => m.to.toLowerCase() === to.toLowerCase());
  for (let i = 0; i < 100 && mine().length < count; i++) await new Promise((r) => setTimeout(r, 50));
  expect(mine().length, `mail to ${to} (received: ${service.smtp.received.map((m) => m.to).join(', ') || 'none'})`).toBe(count);
  return mine();
}

describe.skipIf(!!missing)(`the pages in a browser${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('an SME registers in its own words, picks suggested codes, sees its matches, signs out and back in by an emailed link', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${service.origin}/`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Register your firm' }).first().click();
    expect(new URL(page.url()).pathname).toBe('/register');
    await page.getByLabel('Name of your firm').fill('Ayrshire Meadow Gardeners');
    await page.getByLabel('Size or kind').selectOption('micro');
    await page.getByLabel('Postcode of your base').fill('KA1 1HU');
    await page.getByLabel('What does your firm do?').fill('We look after parks and green spaces for councils: grass cutting, lawn mowing, hedge trimming, planting and grounds maintenance.');
    await page.getByLabel('Email address').fill('Hello@Meadow-Gardeners.test');
    // Registering without a code says what to do, and keeps what was typed.
    await page.getByRole('button', { name: 'Register' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Pick at least one code for your work');
    expect(await page.getByLabel('Name of your firm').inputValue()).toBe('Ayrshire Meadow Gardeners');
    await page.getByRole('button', { name: 'Suggest what we do' }).click();
    const offered = page.locator('input[name="cpv_codes"]');
    expect(await offered.count()).toBeGreaterThan(1);
    const labels = await page.locator('.govuk-checkboxes__label').allTextContents();
    expect(labels.slice(0, 2)).toEqual(['Parks maintenance services', 'Grounds maintenance services']);
    await expectAccessible(page);
    // The owner picks the first two suggestions: codes they never had to know.
    await offered.nth(0).check();
    await offered.nth(1).check();
    const picked = [await offered.nth(0).getAttribute('value'), await offered.nth(1).getAttribute('value')];
    await page.getByRole('button', { name: 'Register' }).click();
    expect(await page.locator('h1').textContent()).toBe('Ayrshire Meadow Gardeners is registered');
    expect(await page.locator('#supplier-key').textContent()).toMatch(/^tmk_/);
    const stored = await service.deps.db.selectFrom('suppliers').select(['id', 'cpv_codes', 'contact_email']).where('name', '=', 'Ayrshire Meadow Gardeners').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.cpv_codes)).toEqual(picked);
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === 'tm_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Lax');
    await service.settle();
    await page.getByRole('link', { name: 'See your matches' }).click();
    expect(await page.locator('h1').textContent()).toBe('Tenders you could win');
    const matches = page.locator('ul.matches > li');
    expect(await matches.count()).toBeGreaterThan(0);
    const first = await matches.first().textContent();
    expect(first).toMatch(/Kilmarnock|East Ayrshire|Grass/);
    expect(await matches.first().locator('.reasons li').count()).toBeGreaterThan(0);
    await expectAccessible(page);

    // Alert choices, saved and shown again.
    await page.getByRole('link', { name: 'Choose your email alerts' }).click();
    await page.getByLabel('How often').selectOption('weekly');
    await page.getByLabel('Only these places (optional)').fill('Atlantis');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('We do not know the place "Atlantis"');
    await page.getByLabel('Only these places (optional)').fill('Scotland');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Your choices are saved');
    const prefs = await service.deps.db.selectFrom('alert_preferences').selectAll().where('supplier_id', '=', stored.id).executeTakeFirstOrThrow();
    expect([prefs.frequency, JSON.parse(prefs.places)]).toEqual(['weekly', ['Scotland']]);
    await expectAccessible(page);

    // Signed out, the account is closed to this browser; a link mailed to the address (any case) opens it again, once.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${service.origin}/account`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expectAccessible(page);
    await page.getByLabel("Your firm's email address").fill('hello@meadow-gardeners.test');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    expect(await page.getByRole('status').textContent()).toContain('we have sent it a sign-in link');
    const [mail] = await waitForMail('Hello@Meadow-Gardeners.test', 1);
    expect(mail.parsed.subject).toBe('Sign in to tendermatch as Ayrshire Meadow Gardeners');
    const link = /Sign in: (\S+)/.exec(mail.parsed.text ?? '')![1];
    expect(link.startsWith(`${service.origin}/sign-in/link?token=s1.`)).toBe(true);
    await page.goto(link);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.locator('.govuk-caption-m').textContent()).toBe('Ayrshire Meadow Gardeners');
    // The same link again: spent.
    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('h1').textContent()).toBe('This link has been used');
    await ctx.close();
  }, 60_000);

  it('an officer finds a supplier with a misspelt word, opens its profile, then who could bid for a tender', async () => {
    const ctx = await context({ javaScriptEnabled: true });
    const page = await ctx.newPage();
    await page.goto(`${service.origin}/`);
    await page.getByRole('link', { name: 'Find suppliers' }).first().click();
    await page.getByLabel('Words').fill('electricl inspecton');
    await page.getByLabel('Place').fill('Glasgow');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.locator('ul.results > li');
    expect(await results.locator('h2 a').allTextContents()).toEqual(['Clyde Electrical Testing Ltd']);
    expect(await results.first().textContent()).toContain('High potential');
    // Counts beside each size or kind: what choosing it would find.
    expect(await page.locator('label[for="kind-small"]').textContent()).toContain('(1)');
    expect(await page.locator('label[for="kind-micro"]').textContent()).toContain('(0)');
    await expectAccessible(page);
    await results.first().locator('h2 a').click();
    expect(await page.locator('h1').textContent()).toBe('Clyde Electrical Testing Ltd');
    expect(await page.locator('.govuk-summary-list').textContent()).toContain('NICEIC');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Find tenders' }).first().click();
    await page.getByLabel('Words').fill('electrical inspection');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: /Five Year Electrical Inspection/ }).click();
    expect(new URL(page.url()).pathname).toBe('/tender/ocds-test-glasgow');
    const bidders = page.locator('ol.bidders > li');
    expect(await bidders.locator('a').allTextContents()).toEqual(['Clyde Electrical Testing Ltd']);
    expect(await bidders.first().textContent()).toContain('same area');
    expect(await bidders.first().locator('.reasons li').first().textContent()).toContain('50711000');
    expect(await page.locator('#capabilities').textContent()).toContain('published');
    await expectAccessible(page);
    // The high-potential filter: other firms only leaves nobody.
    await page.getByLabel('Registered suppliers').selectOption('false');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('ol.bidders > li').count()).toBe(0);
    // A tender in two lots: bidders per lot, and a consortium proposed for the whole.
    await page.goto(`${service.origin}/tender/ocds-test-lots`);
    expect(await page.locator('#bidders-2').textContent()).toContain('Lot 2: Tree surgery');
    expect(await page.locator('section', { has: page.locator('#bidders-2') }).locator('ol.bidders a').allTextContents()).toContain('Kilmarnock Tree Care');
    expect(await page.locator('#consortia').count()).toBe(1);
    await expectAccessible(page);
    await ctx.close();
  }, 60_000);

  it('finds tenders by place, value and SME suitability, with labels, and pages through them without JavaScript', async () => {
    const ctx = await context({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${service.origin}/find/tenders`);
    expect(await page.locator('ul.results > li').count()).toBe(20);
    await page.getByRole('link', { name: 'Next page' }).click();
    expect(await page.locator('ul.results > li').count()).toBe(5);
    await page.goto(`${service.origin}/find/tenders`);
    await page.getByLabel('Place').fill('East Ayrshire');
    await page.getByLabel('What the work is').selectOption('77');
    await page.getByLabel('Value at most (£)').fill('100,000');
    await page.getByLabel('Suitable for small firms (SMEs)').check();
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.locator('ul.results h2').allTextContents()).toEqual([HOSTILE_TITLE]);
    expect(await page.locator('ul.results .meta').last().textContent()).toContain('77314000 Grounds maintenance services');
    await page.getByLabel('Place').fill('Atlantis');
    await page.getByRole('button', { name: 'Search' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('We do not know the place "Atlantis"');
    await ctx.close();
  });

  it('shows a notice titled with a script tag as text, and runs nothing from it', async () => {
    const ctx = await context({ javaScriptEnabled: true });
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => void dialogs.push(d.message()));
    await page.goto(`${service.origin}/tender/ocds-test-script`);
    expect(await page.locator('h1').textContent()).toBe(HOSTILE_TITLE);
    expect(await page.title()).toBe(`${HOSTILE_TITLE} – tendermatch`);
    expect(await page.locator('.notice-text').textContent()).toContain('<b>not bold</b>');
    expect(await page.locator('main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await expectAccessible(page);
    await ctx.close();
  });

  it('a council opens its report from the home page and downloads the CSV', async () => {
    const ctx = await context({ javaScriptEnabled: true, acceptDownloads: true });
    const page = await ctx.newPage();
    await page.goto(`${service.origin}/`);
    await page.getByRole('link', { name: 'Spend reports' }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Oxford City Council' }).click();
    expect(await page.locator('h1').textContent()).toBe('Spend report: Oxford City Council');
    expect(await page.locator('nav[aria-label="Main"] a').count()).toBe(5);
    expect(await page.locator('nav[aria-label="Main"] a[aria-current="page"]').textContent()).toBe('Council spend');
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the rows as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('spend-report-oxford-city-council.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('OXFORD SAFETY SUPPLIES');
    await ctx.close();
  });

  it('the operator sees feed health, signs in with the administrator key and names a place', async () => {
    const ctx = await context({ javaScriptEnabled: true });
    const page = await ctx.newPage();
    await page.goto(`${service.origin}/operator/feeds`);
    expect(await page.locator('table').first().textContent()).toContain('Find a Tender');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Named places' }).first().click();
    expect(new URL(page.url()).pathname).toBe('/operator/sign-in');
    await page.getByLabel('Administrator key').fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('not the administrator key');
    await expectAccessible(page);
    await page.getByLabel('Administrator key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe('/operator/places');
    await page.getByLabel('Name').fill('Ayrshire and Glasgow');
    await page.getByLabel('Areas').fill('UKM93, TLM82');
    await page.getByRole('button', { name: 'Save place' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Saved Ayrshire and Glasgow');
    expect(await page.locator('table').textContent()).toContain('Glasgow City (TLM82)');
    await expectAccessible(page);
    // The name now works in every place search.
    await page.goto(`${service.origin}/find/suppliers?region=${encodeURIComponent('Ayrshire and Glasgow')}`);
    expect(await page.locator('ul.results h2 a').allTextContents()).toEqual(expect.arrayContaining(['Clyde Electrical Testing Ltd', 'Kilmarnock Tree Care']));
    await page.goto(`${service.origin}/about/data`);
    expect(await page.locator('main').textContent()).toContain('Open Government Licence v3.0');
    expect(await page.locator('main').textContent()).toContain('Oxford City Council');
    await expectAccessible(page);
    await ctx.close();
  }, 60_000);

  it('asked for nothing outside its own origin on any page', () => {
    expect(checked.length).toBeGreaterThanOrEqual(18);
    expect(offOrigin).toEqual([]);
    expect(refusedByCsp).toEqual([]);
  });
});
