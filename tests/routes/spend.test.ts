import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { storeReleases } from '../../src/ingest/store.js';
import { insertSupplier } from '../../db/queries/suppliers.js';
import { runSpendUploads } from '../../jobs/spend-uploads.js';
import { createApp } from '../../src/app.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { cfAward } from '../support/fixtures/releases.js';
import { csvBytes, OXFORD_HEADER, OXFORD_LINES, spendRows, supplierRow } from '../support/spend-fixtures.js';

const ADMIN = 'admin-key-for-spend-tests';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
const json = async (res: Response): Promise<any> => res.json();

async function setup(env: Record<string, string> = {}) {
  const deps = await testDeps({ env: { ADMIN_KEY: ADMIN, ...env } });
  const app = createApp(deps);
  return { deps, app, call: jsonCaller(app) };
}

function form(fields: Record<string, string>, file?: { name: string; bytes: Uint8Array }) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set('file', new Blob([Buffer.from(file.bytes)], { type: 'text/csv' }), file.name);
  return body;
}

const upload = (app: ReturnType<typeof createApp>, path: string, body: FormData | Uint8Array, key: string | null = ADMIN, query = '') =>
  app.request(`${path}${query}`, { method: 'POST', body: body as BodyInit, headers: key ? { authorization: `Bearer ${key}` } : {} });

const HOSTILE = '=HYPERLINK("http://evil.example","pay here")';
const SPEND = csvBytes([OXFORD_HEADER, ...OXFORD_LINES, `General Fund,Materials,B1501,04/05/2017,1036999 - 1,99.00,Revenue,1,"${HOSTILE.replace(/"/g, '""')}"`]);

describe('spend uploads', () => {
  it('need the admin key', async () => {
    const { app, deps } = await setup();
    const f = form({ buyer: 'Oxford City Council' }, { name: 'a.csv', bytes: SPEND });
    expect((await upload(app, '/spend/files', f, null)).status).toBe(401);
    expect((await upload(app, '/spend/files', f, 'not-the-admin-key-at-all')).status).toBe(403);
    expect(await deps.db.selectFrom('spend_uploads').selectAll().execute()).toEqual([]);
  });

  it('name every bad field', async () => {
    const { app } = await setup();
    // Fields in a form are the body's (422); with a raw file they are query parameters (400).
    const res = await upload(app, '/spend/files', form({ buyer_postcode: 'nowhere', buyer_region: 'XX9', date_missing_as: 'soon' }));
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_body');
    expect(body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['file']);
    const raw = await upload(app, '/spend/files', new Uint8Array(), ADMIN, '?buyer_postcode=nowhere&buyer_region=XX9&date_missing_as=soon');
    expect(raw.status).toBe(400);
    expect((await json(raw)).error.details.fields.map((f: { field: string }) => f.field)).toEqual(['buyer', 'buyer_postcode', 'buyer_region', 'date_missing_as', 'file']);
  });

  it('answer 501 where no spend job runs (SPEND_IMPORTS=off, as on a Worker) and store nothing', async () => {
    const { app, deps } = await setup({ SPEND_IMPORTS: 'off' });
    const res = await upload(app, '/spend/files', form({ buyer: 'Oxford City Council' }, { name: 'a.csv', bytes: SPEND }));
    expect(res.status).toBe(501);
    expect((await json(res)).error.code).toBe('not_available');
    expect(await deps.db.selectFrom('spend_uploads').selectAll().execute()).toEqual([]);
  });

  it('refuse a file over SPEND_UPLOAD_MAX_MB', async () => {
    const { app, deps } = await setup({ SPEND_UPLOAD_MAX_MB: '1' });
    const res = await upload(app, '/spend/files', new Uint8Array(1024 * 1024 + 10).fill(65), ADMIN, '?buyer=Oxford');
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('payload_too_large');
    expect(await deps.db.selectFrom('spend_uploads').selectAll().execute()).toEqual([]);
  });

  it('are queued, imported by the spend job, and show their figures', async () => {
    const { app, deps, call } = await setup();
    const res = await upload(app, '/spend/files', form({ buyer: 'Oxford City Council', buyer_postcode: 'OX1 1BX' }, { name: 'oxford-2017.csv', bytes: SPEND }));
    expect(res.status).toBe(202);
    const { upload: queued } = await json(res);
    expect(queued).toMatchObject({ kind: 'spend', file: 'oxford-2017.csv', status: 'queued', bytes: SPEND.length, buyer: 'Oxford City Council' });
    // The request only queued it: nothing is imported until the job runs.
    expect((await spendRows(deps.db)).spend_payments).toEqual([]);
    expect(await deps.db.selectFrom('spend_upload_parts').select('part').execute()).toEqual([{ part: 0 }]);

    expect(await runSpendUploads(deps)).toMatchObject({ uploads: 1, done: 1, failed: 0 });
    const status = await json(await call('GET', queued.status_url, undefined, ADMIN));
    expect(status.upload).toMatchObject({ status: 'done', summary: { rows: 8, imported: 7, quarantined: 1, reconciles: true } });
    expect(await deps.db.selectFrom('spend_upload_parts').select('part').execute()).toEqual([]);
    const files = await json(await call('GET', '/spend/files?buyer=Oxford%20City%20Council'));
    expect(files.files).toEqual([expect.objectContaining({ name: 'oxford-2017.csv', rows: 8, imported: 7, quarantined: 1, reconciles: true, total: 15048.99, amount: 15049, quarantined_amount: -0.01 })]);
    const quarantine = await json(await call('GET', '/spend/quarantine?buyer=Oxford%20City%20Council'));
    expect(quarantine.lines).toEqual([expect.objectContaining({ line: 7, reason: 'no payee', amount: -0.01 })]);
  });

  it('take a directory as the raw body, and the job resolves payees against it', async () => {
    const { app, deps, call } = await setup();
    await upload(app, '/spend/files', form({ buyer: 'Oxford City Council' }, { name: 'a.csv', bytes: SPEND }));
    const dir = await upload(app, '/spend/directory', csvBytes(['Supplier Name,Postcode,SME', 'Grafton Merchanting GB Limited,OX4 6LB,N']), ADMIN, '?buyer=Oxford%20City%20Council&name=vendors.csv');
    expect(dir.status).toBe(202);
    await runSpendUploads(deps);
    const payees = await json(await call('GET', '/spend/payees?buyer=Oxford%20City%20Council&limit=3'));
    expect(payees.total).toBe(6);
    expect(payees.payees[0]).toMatchObject({ name: 'HMRC', amount: 8151.9 });
    const grafton = payees.payees.find((p: { payee_key: string }) => p.payee_key === 'grafton merchanting gb');
    expect(grafton).toMatchObject({ amount: 2469.12, payments: 2, resolution: { source: 'directory', method: 'exact', postcode: 'OX4 6LB', sme: false } });
  });
});

describe('an analyst correcting a resolution', () => {
  it('is stored, applied at once, and checked', async () => {
    const { app, deps, call } = await setup();
    await upload(app, '/spend/files', form({ buyer: 'Oxford City Council' }, { name: 'a.csv', bytes: SPEND }));
    await runSpendUploads(deps);
    const url = '/spend/buyers/oxford%20city%20council/payees/ATKINS%20LIMITED/resolution';
    expect((await call('PUT', url, { action: 'correct', postcode: 'B1 1BB', sme: false })).status).toBe(401);
    const bad = await call('PUT', url, { action: 'guess', sme: 'perhaps' }, ADMIN);
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields.map((f: { field: string }) => f.field)).toEqual(['action', 'sme']);
    expect((await call('PUT', '/spend/buyers/oxford%20city%20council/payees/nobody/resolution', { action: 'confirm' }, ADMIN)).status).toBe(404);
    const ok = await call('PUT', url, { action: 'correct', supplier_name: 'Atkins Ltd', postcode: 'B1 1BB', sme: false, note: 'Birmingham office' }, ADMIN);
    expect(ok.status).toBe(200);
    expect((await json(ok)).resolution).toMatchObject({ source: 'analyst', method: 'analyst', postcode: 'B1 1BB', place: { itl1: 'TLG' } });
    const stored = await deps.db.selectFrom('spend_corrections').selectAll().executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ payee_key: 'atkins', action: 'correct', postcode: 'B1 1BB', sme: 0, note: 'Birmingham office' });
    const payee = await deps.db.selectFrom('spend_payees').selectAll().where('payee_key', '=', 'atkins').executeTakeFirstOrThrow();
    expect(payee).toMatchObject({ source: 'analyst', itl1: 'TLG', sme: 0 });
  });
});

describe('spend reports', () => {
  async function loaded() {
    const s = await setup();
    await insertSupplier(s.deps.db, supplierRow('s-build', 'Cowley Building Co-operative', { kind: 'cooperative', postcode: 'OX4 2JZ', home_region: 'TLJ14', cpv_codes: '["45000000"]' }));
    await upload(s.app, '/spend/files', form({ buyer: 'Oxford City Council', buyer_region: 'TLJ' }, { name: 'a.csv', bytes: SPEND }));
    await upload(s.app, '/spend/directory', csvBytes(['Supplier Name,Postcode,SME', 'Grafton Merchanting GB Limited,NN4 7YE,N', 'Atkins Limited,OX1 1BX,N']), ADMIN, '?buyer=Oxford%20City%20Council');
    await runSpendUploads(s.deps);
    await s.deps.db.updateTable('spend_payments').set({ category: '45000000', category_method: 'mapping' }).where('payee_key', '=', 'grafton merchanting gb').execute();
    const { rebuildRollups } = await import('../../db/queries/spend.js');
    await rebuildRollups(s.deps.db, 'oxford city council');
    return s;
  }

  it('answer in JSON with every share and its denominator', async () => {
    const { call } = await loaded();
    const res = await call('GET', '/reports/spend?buyer=Oxford%20City%20Council');
    expect(res.status).toBe(200);
    const r = await json(res);
    expect(r).toMatchObject({
      total: 15049,
      excluded: { tax: 8151.9, public_body: 3528.98, payroll: 0 },
      influenceable: 3368.12,
      unresolved_share: { amount: 699, denominator: 3368.12, share: 0.2075 },
      unresolved_individuals: 600,
      local_share: { own_area: { area: 'TLJ', share: 0.0749, amount: 200, denominator: 2669.12, not_known: 0 }, itl1: { share: 0.0749 }, uk: { share: 1 } },
      sme_share: { share: 0, denominator: 2669.12 },
      headline_level: 'own_area',
    });
    expect(r.by_quarter.map((q: { quarter: string }) => q.quarter)).toEqual(['2015Q2', '2015Q3', '2015Q4', '2016Q1', '2016Q2', '2016Q3', '2016Q4', '2017Q1']);
    expect(r.leakage).toMatchObject({ addressable: 2469.12, suppliers: [{ supplier: 'Grafton Merchanting GB Limited', leaking: 2469.12, local_alternatives: [{ id: 's-build', name: 'Cowley Building Co-operative' }] }] });
    expect(r.leakage.suppliers[0].categories[0].search_url).toBe('/suppliers?cpv=45&region=TLJ');
  });

  it('count public bodies when asked', async () => {
    const { call } = await loaded();
    const r = await json(await call('GET', '/reports/spend?buyer=Oxford%20City%20Council&include=public_body'));
    expect(r.influenceable).toBe(6897.1);
    expect(r.excluded.public_body).toBe(0);
  });

  it('write a CSV in which a payee named as a formula stays text', async () => {
    const { app } = await loaded();
    const res = await app.request('/reports/spend?buyer=Oxford%20City%20Council&format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="spend-report-oxford-city-council\.csv"$/);
    const text = await res.text();
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    const rows = parse(text, { bom: true }) as string[][];
    expect(rows.find((r) => r[1].includes('HYPERLINK'))![1]).toBe(`'${HOSTILE}`);
  });

  it('render the page for a browser, and its errors as pages', async () => {
    const { app } = await loaded();
    const res = await app.request('/reports/spend?buyer=Oxford%20City%20Council', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<svg class="chart" id="local-share-chart"');
    expect(html).toContain('Cowley Building Co-operative');
    expect(html).toContain('href="/suppliers?cpv=45&amp;region=TLJ"');
    expect(html).not.toContain('<script');
    const missing = await app.request('/reports/spend?buyer=Nowhere', { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('no spend has been loaded for &quot;Nowhere&quot;');
    const css = await app.request('/assets/site.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('refuse bad parameters with the error shape', async () => {
    const { call } = await setup();
    const res = await call('GET', '/reports/spend?from=yesterday&include=nothing&top=0');
    expect(res.status).toBe(400);
    expect((await json(res)).error.details.fields.map((f: { field: string }) => f.field)).toEqual(['include', 'top', 'buyer', 'from']);
    expect((await call('GET', '/reports/spend?buyer=Nowhere')).status).toBe(404);
    expect((await call('GET', '/reports/spend?place=Atlantis')).status).toBe(400);
  });

  it('give the awards view from stored award notices', async () => {
    const { deps, call } = await setup();
    await storeReleases(deps.db, 'cf', [{ raw: JSON.stringify(cfAward(1)), value: cfAward(1) }], '2026-11-01T00:00:00.000Z');
    const r = await json(await call('GET', '/reports/awards?buyer=THE%20FINANCIAL%20CONDUCT%20AUTHORITY'));
    expect(r).toMatchObject({
      view: 'awards',
      total: 44341.25,
      influenceable: 44341.25,
      unresolved_share: { share: 0 },
      local_share: { itl1: { area: 'TLI', share: 0, denominator: 44341.25 } },
      sme_share: { share: 0, denominator: 44341.25 },
      by_category: [{ category: '48000000' }],
      top_suppliers: [{ supplier: 'BYTES SOFTWARE SERVICES LIMITED', postcode: 'KT22 7TW' }],
    });
  });
});
