/**
 * Screenshots of the main pages for the README, taken with playwright-core and Debian's chromium against the same
 * service the browser tests use (tests/support/pages-seed.ts):
 *
 *   npx tsx tests/pages/screenshots.ts
 *
 * Writes tests/pages/screenshots/*.png.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startPagesService } from '../support/pages-seed.js';

const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url));

const service = await startPagesService();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  const shot = async (name: string, path: string) => {
    await page.goto(`${service.origin}${path}`);
    await page.screenshot({ path: `${OUT}${name}.png`, fullPage: false });
    console.log(`${name}.png  ${path}`);
  };
  await shot('home', '/');
  await shot('find-tenders', '/find/tenders?q=&region=East+Ayrshire&cpv=77&only=open');
  await shot('tender', '/tender/ocds-test-glasgow');
  await shot('find-suppliers', '/find/suppliers?q=electricl+inspecton&region=Glasgow');
  await page.goto(`${service.origin}/register`);
  await page.getByLabel('Name of your firm').fill('Ayrshire Meadow Gardeners');
  await page.getByLabel('What does your firm do?').fill('We look after parks and green spaces for councils: grass cutting, lawn mowing, hedge trimming, planting and grounds maintenance.');
  await page.getByRole('button', { name: 'Suggest what we do' }).click();
  await page.locator('#cpv_codes').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${OUT}register.png` });
  console.log('register.png  /register (suggested codes)');
  await shot('council-report', '/reports/spend?buyer=Oxford%20City%20Council&format=html');
  await shot('feeds', '/operator/feeds');
} finally {
  await browser.close();
  await service.close();
}
