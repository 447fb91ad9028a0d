import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSupplier } from '../../db/queries/suppliers.js';
import { importDirectoryFile } from '../../jobs/spend-directory.js';
import { importSpendFile } from '../../jobs/spend-import.js';
import { createApp } from '../../src/app.js';
import { testDeps } from '../support/helpers.js';
import { csvBytes, supplierRow } from '../support/spend-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '=HYPERLINK("http://evil.example","pay here")';

// A year of a council's spend over four quarters, with names from the shared Oxford files.
const SPEND = csvBytes([
  'Paid Date,Trans No,Amount,Expenditure Category,Supplier Name',
  '05/04/2016,1,1200.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
  '06/04/2016,2,2500.00,Materials,GRAFTON MERCHANTING GB LTD',
  '07/07/2016,3,4000.00,Materials,GRAFTON MERCHANTING GB LTD',
  '08/07/2016,4,1000.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
  '10/10/2016,5,300.00,Grants-Private Persons,Redacted personal data',
  '11/01/2017,6,800.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
  `12/01/2017,7,99.00,Materials,"${HOSTILE.replace(/"/g, '""')}"`,
]);

let browser: Browser | null = null;
let server: ServerType;
let origin = '';
const missing = (() => {
  try {
    readFileSync(CHROMIUM);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  }
})();

beforeAll(async () => {
  if (missing) return;
  const deps = await testDeps();
  await insertSupplier(deps.db, supplierRow('s-safety', 'Oxford Safety Supplies Ltd', { postcode: 'OX2 0ES', home_region: 'TLJ14', cpv_codes: '["18100000"]' }));
  await insertSupplier(deps.db, supplierRow('s-coop', 'Cowley Builders Co-operative', { kind: 'cooperative', postcode: 'OX4 2JZ', home_region: 'TLJ14', cpv_codes: '["44100000"]' }));
  const buyer = { name: 'Oxford City Council', region: 'TLJ' };
  await importSpendFile(deps, { buyer, fileName: 'spend-2016-17.csv', bytes: SPEND });
  await importDirectoryFile(deps, { buyer, fileName: 'vendors.csv', bytes: csvBytes(['Supplier Name,Postcode,SME', 'Grafton Merchanting GB Limited,NN4 7YE,N']) });
  // The council maps Materials to construction materials (CPV 44), where the local co-operative works.
  await deps.db.updateTable('spend_payments').set({ category: '44000000', category_method: 'mapping' }).where('expense_type', '=', 'Materials').execute();
  await deps.db.updateTable('spend_payments').set({ category: '18000000', category_method: 'mapping' }).where('expense_type', '=', 'Protective Clothing').execute();
  const { rebuildRollups } = await import('../../db/queries/spend.js');
  await rebuildRollups(deps.db, 'oxford city council');
  server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe.skipIf(!!missing)(`the spend report page${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const url = () => `${origin}/reports/spend?buyer=Oxford%20City%20Council&format=html`;

  it('renders the headline, the chart and the leakage without JavaScript and without leaving its origin', async () => {
    const context = await browser!.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto(url());
    expect(res!.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Spend report: Oxford City Council – tendermatch');
    expect(await page.locator('h1').textContent()).toBe('Spend report: Oxford City Council');
    const own = page.locator('.figures li', { hasText: 'Local: own area (TLJ)' });
    expect(await own.locator('.value').textContent()).toBe('31.6%');
    // Four quarters: three with a bar drawn with height, and October–December (only a redacted individual) a gap.
    const bars = page.locator('#local-share-chart rect.bar');
    expect(await bars.count()).toBe(3);
    expect(await page.locator('#local-share-chart text.na').allTextContents()).toEqual(['n/a']);
    for (let i = 0; i < 3; i++) {
      const box = await bars.nth(i).boundingBox();
      expect(box!.height).toBeGreaterThan(0);
    }
    expect(await page.locator('#local-share-chart title').first().textContent()).toBe('Local share (own area) by financial quarter');
    const leak = page.locator('table', { hasText: 'Top suppliers from outside the area' });
    expect(await leak.locator('tbody tr th').first().textContent()).toBe('Grafton Merchanting GB Limited');
    expect(await leak.locator('tbody tr td').last().textContent()).toBe('Cowley Builders Co-operative');
    expect(await leak.locator('a').first().getAttribute('href')).toBe('/suppliers?cpv=44&region=TLJ');
    // The stylesheet came from the service itself, and nothing else was asked for.
    const css = await page.evaluate(() => getComputedStyle(document.querySelector('header.site')!).backgroundColor);
    expect(css).toBe('rgb(27, 27, 27)');
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
    await context.close();
  });

  it('downloads the CSV, with a formula payee written as text', async () => {
    const context = await browser!.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(url());
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the rows as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('spend-report-oxford-city-council.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFF"buyer","payee","payee_kind","supplier","resolution_source","resolution_method","resolution_confidence","postcode","lad","itl3","itl1","combined_authority","in_own_area","in_wider_area","in_region","in_uk","sme","vcse","category","category_label","payments","amount","excluded_as"');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""pay here"")"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    await context.close();
  });

  it('filters through its form, and shows a bad buyer as a message on the page', async () => {
    const context = await browser!.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url());
    await page.getByLabel('Buyer (or several, comma-separated)').fill('Nowhere District Council');
    await page.getByRole('button', { name: 'Show report' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('no spend has been loaded for "Nowhere District Council"');
    await context.close();
  });
});
