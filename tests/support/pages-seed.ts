/**
 * The service as the page tests (and the screenshot script) see it: a store with tenders (one titled with a
 * script tag, one in two lots), registered suppliers, a council's spend, a real SMTP server on loopback for the
 * sign-in links, and the service itself on a loopback port. Kicked matching runs for real, in the background.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { drainSupplierMatchQueue } from '../../jobs/match.js';
import { importDirectoryFile } from '../../jobs/spend-directory.js';
import { importSpendFile } from '../../jobs/spend-import.js';
import { rebuildRollups } from '../../db/queries/spend.js';
import { createApp } from '../../src/app.js';
import type { JobKicker } from '../../src/deps.js';
import { createMailer } from '../../src/mail/create-mailer.js';
import { loadConfig } from '../../src/config.js';
import { startSmtp } from './alerts-seed.js';
import { testDeps } from './helpers.js';
import { glasgowInspection, registration, storeTenders, type TenderSpec } from './matching-fixtures.js';
import { csvBytes } from './spend-fixtures.js';

export const ADMIN_KEY = 'page-tests-admin-key-0123456789';
export const HOSTILE_TITLE = '<script>document.title="owned"</script> Verge cutting, Kilmarnock';

const TENDERS: TenderSpec[] = [
  { ...glasgowInspection, description: 'Electrical installation condition reports for 2,400 council homes. The works are to be carried out in accordance with BS 7671.' },
  {
    ocid: 'ocds-test-script',
    title: HOSTILE_TITLE,
    description: 'Grass cutting of road verges & amenity areas <b>not bold</b> across Kilmarnock.',
    cpv: '77314000',
    region: 'UKM93',
    value: 60000,
    sme: true,
  },
  {
    ocid: 'ocds-test-lots',
    title: 'Grounds maintenance and tree works, East Ayrshire',
    cpv: '77310000',
    region: 'UKM93',
    value: 200000,
    lots: [
      { id: '1', title: 'Grass cutting and planting', cpv: '77314000', region: 'UKM93', value: 120000 },
      { id: '2', title: 'Tree surgery', cpv: '77211400', region: 'UKM93', value: 80000 },
    ],
  },
  // Enough other notices for the list to have a second page.
  ...Array.from({ length: 22 }, (_, i): TenderSpec => ({
    ocid: `ocds-test-roads-${String(i).padStart(2, '0')}`,
    title: `Road resurfacing, scheme ${i + 1}`,
    cpv: '45233142',
    region: 'UKM82',
    value: 100000 + i * 5000,
    date: `2026-10-${String(1 + i).padStart(2, '0')}`,
  })),
];

// A year of a council's spend, with names from the shared Oxford files (as tests/pages/spend-report.test.ts).
const SPEND = csvBytes([
  'Paid Date,Trans No,Amount,Expenditure Category,Supplier Name',
  '05/04/2016,1,1200.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
  '06/04/2016,2,2500.00,Materials,GRAFTON MERCHANTING GB LTD',
  '07/07/2016,3,4000.00,Materials,GRAFTON MERCHANTING GB LTD',
  '08/07/2016,4,1000.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
  '11/01/2017,6,800.00,Protective Clothing,OXFORD SAFETY SUPPLIES',
]);

export async function startPagesService() {
  const smtp = await startSmtp();
  let deps!: Awaited<ReturnType<typeof testDeps>>;
  const running: Promise<unknown>[] = [];
  const jobs: JobKicker = { kick: () => void running.push(drainSupplierMatchQueue(deps).catch(() => undefined)) };
  const env = { ADMIN_KEY, SMTP_URL: smtp.url, MAIL_FROM: 'tendermatch <signin@tendermatch.test>', LOG_LEVEL: 'silent', DATABASE_URL: ':memory:' };
  deps = await testDeps({ env, jobs, mailer: createMailer(loadConfig(env)) });
  await storeTenders(deps.db, TENDERS);
  const app = createApp(deps);
  const register = async (body: Record<string, unknown>) => {
    const res = await app.request('/suppliers', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { supplier: { id: string } }).supplier.id;
  };
  const clyde = await register(
    registration({
      name: 'Clyde Electrical Testing Ltd',
      company_number: 'SC654321',
      postcode: 'G21 1AA',
      home_region: undefined,
      cpv_codes: ['50711000'],
      description: 'Electrical installation condition reports, periodic inspection and testing for social landlords and councils.',
      keywords: ['electrical testing', 'EICR'],
      certifications: ['NICEIC'],
      contact_email: 'office@clyde-electrical.test',
      high_potential_override: true,
    }),
  );
  const trees = await register(
    registration({
      name: 'Kilmarnock Tree Care',
      company_number: 'SC111222',
      cpv_codes: ['77211400'],
      description: 'Tree surgery, felling and stump grinding.',
      keywords: ['tree surgery'],
      max_contract_value: 100000,
      contact_email: 'trees@kilmarnock-trees.test',
    }),
  );
  await Promise.all(running.splice(0));
  const buyer = { name: 'Oxford City Council', region: 'TLJ' };
  await importSpendFile(deps, { buyer, fileName: 'spend-2016-17.csv', bytes: SPEND });
  await importDirectoryFile(deps, { buyer, fileName: 'vendors.csv', bytes: csvBytes(['Supplier Name,Postcode,SME', 'Grafton Merchanting GB Limited,NN4 7YE,N']) });
  await rebuildRollups(deps.db, 'oxford city council');

  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Links in mail point at the service where it listens.
  (deps.config as { PUBLIC_BASE_URL: string }).PUBLIC_BASE_URL = origin;
  return {
    deps,
    app,
    origin,
    smtp,
    suppliers: { clyde, trees },
    /** Waits for the matching the pages kicked. */
    settle: () => Promise.all(running.splice(0)),
    async close() {
      await Promise.all(running.splice(0));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await smtp.close();
    },
  };
}
