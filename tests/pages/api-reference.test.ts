import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = (() => {
  try {
    readFileSync(CHROMIUM);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  }
})();

let browser: Browser | null = null;
let server: ServerType;
let origin = '';

beforeAll(async () => {
  if (missing) return;
  server = serve({ fetch: createApp(await testDeps()).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe.skipIf(!!missing)('the API reference page in Chromium', () => {
  it('renders every route from /openapi.json with files served by the service itself, under its CSP', async () => {
    const page = await browser!.newPage();
    const requests: string[] = [];
    const refused: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    const answer = await page.goto(`${origin}/reference`);
    expect(answer?.status()).toBe(200);
    await page.waitForSelector('.opblock', { timeout: 20_000 });
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(await page.locator('.opblock').count()).toBe(operations);
    await expect(page.locator('.opblock-summary-path', { hasText: '/suppliers/{id}/matches' }).count()).resolves.toBeGreaterThan(0);
    // The bundle and stylesheet came from this origin, and nothing else was asked for.
    expect(requests).toEqual(expect.arrayContaining([`${origin}/assets/api-reference/swagger-ui-bundle.js`, `${origin}/assets/api-reference/swagger-ui.css`, `${origin}/openapi.json`]));
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
    expect(refused).toEqual([]);
    await page.close();
  });

  it('serves only the files it names', async () => {
    expect((await fetch(`${origin}/assets/api-reference/swagger-ui-bundle.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${origin}/assets/api-reference/package.json`)).status).toBe(404);
    expect((await fetch(`${origin}/assets/api-reference/..%2Fpackage.json`)).status).toBe(404);
  });
});
