import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../db/migrate.js';
import { loadFixtureReleases, ReplayServer, spread } from '../support/replay-server.js';
import { glasgowInspection, registration, tenderRelease } from '../support/matching-fixtures.js';
import { startDev, wrangler, type DevServer } from '../support/wrangler.js';

/**
 * The Worker entry (src/entry/worker.ts, wrangler.toml) for real: under workerd, started by `wrangler dev
 * --local` over a local D1 that `wrangler d1 migrations apply --local` migrated from db/migrations, with its
 * scheduled handler pulling the feed from a replay server on 127.0.0.1. The Worker's clock is the real one,
 * so the replayed releases are spread over the last two days.
 */

const HOUR = 3600_000;
let dir = '';
let replay: ReplayServer | undefined;
let dev: DevServer | undefined;

/** Rows of the local D1, read by wrangler itself. */
async function d1(query: string): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await wrangler(['d1', 'execute', 'tendermatch', '--local', '--persist-to', dir, '--json', '--command', query]);
  const results = JSON.parse(stdout) as Array<{ results: Array<Record<string, unknown>> }>;
  return results[0].results;
}

/** Asks until `probe` answers (the Worker's scheduled jobs run on after its handler returns). */
async function until<T>(probe: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== null) return got;
    if (Date.now() > end) throw new Error(`no answer within ${timeoutMs} ms; the Worker printed:\n${dev?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${res.status} ${text.slice(0, 500)}`);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tendermatch-d1-'));
  const applied = await wrangler(['d1', 'migrations', 'apply', 'tendermatch', '--local', '--persist-to', dir]);
  for (const m of readMigrations()) expect(applied.stdout).toContain(m.name);

  const now = Date.now();
  // The real notices recorded from Find a Tender, and one open electrical inspection tender in North Glasgow.
  const open = tenderRelease({ ...glasgowInspection, deadline: new Date(now + 30 * 24 * HOUR).toISOString() });
  replay = await new ReplayServer('fts', spread([...loadFixtureReleases('fts'), open], new Date(now - 40 * HOUR), 60)).start();
  dev = await startDev(dir, {
    INGEST_SOURCES: 'fts',
    FTS_BASE_URL: replay.url,
    INGEST_BACKFILL_DAYS: '2',
    FTS_MAX_REQUESTS: '1000',
    FTS_PER_SECONDS: '1',
    HTTP_MAX_RETRIES: '1',
    PUBLIC_BASE_URL: 'https://tendermatch.example',
    UNSUBSCRIBE_SECRET: 'worker-test-secret-0123456789',
  });
}, 240_000);

afterAll(async () => {
  await dev?.stop();
  await replay?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Worker under workerd with a local D1', () => {
  it('serves, registers a supplier, and its scheduled handler ingests from the replay server and matches', async () => {
    const health = await json<{ status: string; database: string }>(await fetch(`${dev!.url}/health`));
    expect(health).toMatchObject({ status: 'ok', database: 'ok' });
    // The contract and the API reference's files, read from the Worker's static assets (wrangler.toml [assets]).
    const doc = await json<{ openapi: string; paths: Record<string, unknown> }>(await fetch(`${dev!.url}/openapi.json`));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/suppliers/{id}/matches');
    const css = await fetch(`${dev!.url}/assets/api-reference/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect((await css.text()).length).toBeGreaterThan(100_000);
    expect(css.headers.get('content-security-policy')).toContain("default-src 'self'");
    // The assets are only reached through the app: a path of the package itself is not served.
    expect((await fetch(`${dev!.url}/index.html`)).status).toBe(404);

    const registered = await fetch(`${dev!.url}/suppliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration({ name: 'Glasgow Sparks', company_number: null, postcode: 'G21 1AA', home_region: 'UKM82', cpv_codes: ['50711000'], max_contract_value: 500000, contact_email: 'office@glasgowsparks.test' })),
    });
    expect(registered.status).toBe(201);
    const { supplier, key } = await json<{ supplier: { id: string; contact_email_verified: boolean }; key: string }>(registered);
    expect(supplier.contact_email_verified).toBe(false);
    expect((await json<{ tenders: unknown[] }>(await fetch(`${dev!.url}/tenders`))).tenders).toEqual([]);

    // The ingest cron: the Worker pulls the feed (fetch to 127.0.0.1) and matches what changed, in waitUntil.
    const ran = await fetch(`${dev!.url}/__scheduled?cron=${encodeURIComponent('*/15 * * * *')}`);
    expect(ran.status).toBe(200);
    // Ingest, then matching of what it queued: done when the supplier's match shows.
    const matches = await until(async () => {
      const body = await json<{ matches: Array<{ ocid: string }> }>(await fetch(`${dev!.url}/suppliers/${supplier.id}/matches`));
      return body.matches.length > 0 ? body : null;
    });
    expect(replay!.requests.length).toBeGreaterThan(0);
    expect(replay!.requests.every((r) => r.status === 200)).toBe(true);

    const source = await json<{ lastRun: { status: string; error: string | null }; counts: { new: number } }>(await fetch(`${dev!.url}/sources/fts`));
    expect(source.lastRun).toMatchObject({ status: 'ok', error: null });
    const listed = await json<{ tenders: Array<{ ocid: string }> }>(await fetch(`${dev!.url}/tenders?limit=200`));
    const ocids = listed.tenders.map((t) => t.ocid);
    expect(ocids).toContain(glasgowInspection.ocid);
    const one = await json<{ title: string; place_tags?: unknown }>(await fetch(`${dev!.url}/tenders/${glasgowInspection.ocid}`));
    expect(one.title).toBe(glasgowInspection.title);

    expect(matches.matches.map((m) => m.ocid)).toEqual([glasgowInspection.ocid]);
    const officers = await json<{ opportunities: Array<{ suppliers: Array<{ supplier_id: string }> }> }>(await fetch(`${dev!.url}/tenders/${glasgowInspection.ocid}/suppliers`));
    expect(officers.opportunities[0].suppliers.map((s) => s.supplier_id)).toEqual([supplier.id]);

    // The pages run on the Worker too: a tender's page with who could bid, its stylesheet, and a form with its CSRF token and cookie.
    const page = await fetch(`${dev!.url}/tender/${glasgowInspection.ocid}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<h1 class="govuk-heading-l">${glasgowInspection.title}</h1>`);
    expect(html).toContain(`href="/supplier/${supplier.id}"`);
    expect((await fetch(`${dev!.url}/assets/govuk-frontend.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const signIn = await fetch(`${dev!.url}/sign-in`);
    const visit = signIn.headers.get('set-cookie')!.split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await signIn.text())![1];
    const asked = await fetch(`${dev!.url}/sign-in`, {
      method: 'POST',
      headers: { origin: dev!.url, cookie: visit, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: 'nobody@example.org' }).toString(),
    });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('Check your email');

    // The alerts cron on a Worker queues (it sends nothing: SMTP leaves from the Node service): the confirmation waits in the outbox.
    await fetch(`${dev!.url}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
    const alerts = await until(async () => {
      const res = await fetch(`${dev!.url}/suppliers/${supplier.id}/alerts`, { headers: { authorization: `Bearer ${key}` } });
      const body = await json<{ delivery: { address_confirmed: boolean; confirmation_queued_at: string | null } }>(res);
      return body.delivery.confirmation_queued_at ? body : null;
    });
    expect(alerts.delivery.address_confirmed).toBe(false);

    // What the answers said is what D1 holds.
    const tenders = await d1('SELECT COUNT(*) AS n FROM tenders WHERE twin_of IS NULL');
    expect(Number(tenders[0].n)).toBe(listed.tenders.length);
    expect(await d1(`SELECT supplier_id, ocid FROM matches`)).toEqual([{ supplier_id: supplier.id, ocid: glasgowInspection.ocid }]);
    expect(await d1(`SELECT kind, status, to_address FROM alert_outbox`)).toEqual([{ kind: 'confirm', status: 'pending', to_address: 'office@glasgowsparks.test' }]);
    expect(await d1(`SELECT name FROM d1_migrations ORDER BY id`)).toEqual(readMigrations().map((m) => ({ name: m.name })));
  }, 240_000);

  it('bundles without the Node-only store drivers, mailers or scheduler', async () => {
    const out = join(dir, 'bundle');
    await wrangler(['deploy', '--dry-run', '--outdir', out, '--metafile', join(out, 'meta.json')]);
    type Meta = {
      inputs: Record<string, { imports: Array<{ path: string; kind: string }> }>;
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as Meta;
    const [bundle] = Object.entries(meta.outputs).filter(([file]) => file.endsWith('.js'));
    // What goes into the Worker: esbuild also reads the drivers openDb imports when called, but the Worker never calls it.
    const bundled = Object.entries(bundle[1].inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path);
    expect(bundled).toContain('src/entry/worker.ts');
    expect(bundled.filter((p) => /node_modules\/(better-sqlite3|pg|pg-pool|nodemailer|node-cron|@hono\/node-server)\//.test(p))).toEqual([]);
    expect(bundled.filter((p) => /src\/entry\/node|jobs\/schedule\.node|src\/mail\/(smtp|file-outbox|create-mailer)|db\/(migrate|checkpoints)\.ts/.test(p))).toEqual([]);
    // Of Node's modules, our own code imports only node:crypto up front (nodejs_compat); the rest belong to the compat layer.
    const nodeImports = new Set<string>();
    for (const path of bundled.filter((p) => !p.includes('node_modules/'))) {
      for (const i of meta.inputs[path]?.imports ?? []) if (i.path.startsWith('node:') && i.kind !== 'dynamic-import') nodeImports.add(`${i.path}`);
    }
    expect([...nodeImports].sort()).toEqual(['node:crypto']);
  }, 120_000);
});
