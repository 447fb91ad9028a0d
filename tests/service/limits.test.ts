import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/open.js';
import { registration } from '../support/matching-fixtures.js';
import { startServiceProcess, type ServiceProcess } from '../../jobs/tools/service-process.js';

/** One service process per test, each with its own store and settings, started together (each takes seconds to start). */
const SETTINGS = {
  body: {},
  bounds: {},
  registrations: { RATE_LIMIT_REGISTRATIONS: '3', RATE_LIMIT_WINDOW_SECONDS: '600' },
  keys: { RATE_LIMIT_KEY_CHECKS: '3' },
} satisfies Record<string, Record<string, string>>;
let services: Record<keyof typeof SETTINGS, ServiceProcess>;
beforeAll(async () => {
  const entries = await Promise.all(Object.entries(SETTINGS).map(async ([name, env]) => [name, await startServiceProcess(env)] as const));
  services = Object.fromEntries(entries) as typeof services;
}, 90_000);
afterAll(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
});
const service = async (name: keyof typeof SETTINGS) => services[name];

const MB = 1 << 20;

interface Outcome {
  status?: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes the client had written when the exchange ended (the server may stop reading and close). */
  sent: number;
}

/** Streams `totalBytes` of body in 1 MB writes, with or without a Content-Length, until done or the server closes. */
function streamBody(base: string, path: string, totalBytes: number, declareLength: boolean): Promise<Outcome> {
  const url = new URL(base);
  const chunk = Buffer.alloc(MB, 0x20);
  return new Promise((resolve) => {
    const out: Outcome = { body: '', headers: {}, sent: 0 };
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(totalBytes) } : {}) },
    });
    req.on('response', (res) => {
      out.status = res.statusCode;
      out.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (out.body += d));
    });
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        // Let a response still in flight arrive.
        setTimeout(() => resolve(out), 50);
      }
    };
    req.on('error', finish);
    req.on('close', finish);
    const pump = () => {
      while (out.sent < totalBytes && !req.destroyed) {
        out.sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

const errorShape = (body: string) => JSON.parse(body) as { error: { code: string; message: string; details?: Record<string, unknown> } };

async function suppliersIn(s: ServiceProcess): Promise<number> {
  const db = await openDb(s.databasePath);
  try {
    return (await db.selectFrom('suppliers').select('id').execute()).length;
  } finally {
    await db.destroy();
  }
}

describe('request limits over HTTP', () => {
  it('refuses a body over 1 MB with 413 in the error shape, and a 500 MB body streamed at it leaves its memory where it was', async () => {
    const s = await service('body');
    const json = JSON.stringify(registration({ description: 'x'.repeat(MB + 10) }));
    const declared = await fetch(`${s.url}/suppliers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({
      error: { code: 'payload_too_large', message: 'the request body is larger than 1 MB, the most this route takes', details: { max_bytes: MB } },
    });
    // Just under the limit still reaches the route (which then names the bad field).
    const under = await fetch(`${s.url}/suppliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration({ description: 'x'.repeat(MB - 2000) })),
    });
    expect(under.status).toBe(422);

    const before = s.memory();
    for (const declareLength of [false, true]) {
      const big = await streamBody(s.url, '/suppliers', 500 * MB, declareLength);
      expect(big.status, `Content-Length declared: ${declareLength}`).toBe(413);
      expect(errorShape(big.body).error.code).toBe('payload_too_large');
      // The service stops reading soon after the limit and closes the connection: it never takes in 500 MB.
      expect(big.sent).toBeLessThan(100 * MB);
    }
    const after = s.memory();
    console.log(`500 MB bodies: peak RSS ${Math.round(before.peak / MB)} MB before, ${Math.round(after.peak / MB)} MB after`);
    expect(after.peak - before.peak).toBeLessThan(64 * MB);
    expect(after.rss).toBeLessThan(400 * MB);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    expect(await suppliersIn(s)).toBe(0);
  });

  it('bounds the query string (414) and the headers (431) with the error shape; past Node own bound, a bare 431', async () => {
    const s = await service('bounds');
    const long = await fetch(`${s.url}/tenders?q=${'a'.repeat(9000)}`);
    expect(long.status).toBe(414);
    expect(errorShape(await long.text()).error).toMatchObject({ code: 'uri_too_long', details: { max_bytes: 8192 } });
    const ok = await fetch(`${s.url}/tenders?q=${'a'.repeat(150)}`);
    expect(ok.status).toBe(200);

    const headers: Record<string, string> = {};
    for (let i = 0; i < 20; i++) headers[`x-filler-${i}`] = 'h'.repeat(1000);
    const fat = await fetch(`${s.url}/health`, { headers });
    expect(fat.status).toBe(431);
    expect(errorShape(await fat.text()).error).toMatchObject({ code: 'headers_too_large', details: { max_bytes: 16384 } });

    const huge: Record<string, string> = {};
    for (let i = 0; i < 80; i++) huge[`x-filler-${i}`] = 'h'.repeat(1000);
    const bare = await fetch(`${s.url}/health`, { headers: huge });
    expect(bare.status).toBe(431);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('limits registrations per client: 429 with Retry-After in the error shape, nothing stored', async () => {
    const s = await service('registrations');
    const post = (n: number) =>
      fetch(`${s.url}/suppliers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration({ company_number: `SC10000${n}` })) });
    for (let n = 0; n < 3; n++) expect((await post(n)).status).toBe(201);
    const refused = await post(3);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(errorShape(await refused.text()).error).toMatchObject({ code: 'rate_limited', details: { limit: 3, window_seconds: 600, retry_after_seconds: retryAfter } });
    expect(await suppliersIn(s)).toBe(3);
    // Reads are not limited.
    expect((await fetch(`${s.url}/suppliers`)).status).toBe(200);
  });

  it('limits refused keys per client, never the supplier using its own key', async () => {
    const s = await service('keys');
    const res = await fetch(`${s.url}/suppliers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registration()) });
    const { supplier, key } = (await res.json()) as { supplier: { id: string }; key: string };
    const patch = (bearer: string) =>
      fetch(`${s.url}/suppliers/${supplier.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ description: 'Grounds maintenance across Ayrshire.' }),
      });
    for (let i = 0; i < 5; i++) expect((await patch(key)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await patch(`tmk_guess${i}`)).status).toBe(403);
    const refused = await patch('tmk_guess3');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorShape(await refused.text()).error.code).toBe('rate_limited');
    // Signed links count too.
    expect((await fetch(`${s.url}/unsubscribe?token=u1.forged`)).status).toBe(429);
  });
});
