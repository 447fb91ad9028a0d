import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { ERROR_CODES } from '../../src/errors.js';
import { testDeps } from '../support/helpers.js';

/**
 * The contract: /openapi.json is generated from the route definitions, so these tests hold it to the app. Every
 * route the app registers is in it, except the ones below, which are not JSON: pages reached from email links, the
 * reference page and its files, and the document itself. A new page route is added here on purpose; a new JSON
 * route cannot be left out of the contract.
 */
const NOT_JSON = new Set([
  'GET /unsubscribe',
  'POST /unsubscribe',
  'GET /alerts/manage',
  'POST /alerts/manage',
  'GET /alerts/confirm',
  'POST /alerts/confirm',
  'GET /memberships/answer',
  'POST /memberships/answer',
  'GET /assets/api-reference/start.js',
  'GET /assets/api-reference/:file',
  'GET /assets/site.css',
  'GET /assets/link-pages.css',
  'GET /assets/govuk-frontend.css',
  'GET /reference',
  'GET /openapi.json',
  // The pages for people (src/routes/pages) and the feedback link page (HTML first; it answers JSON when asked).
  'GET /feedback',
  'POST /feedback',
  'GET /',
  'GET /about/data',
  'GET /councils',
  'GET /operator/feeds',
  'GET /operator/sign-in',
  'POST /operator/sign-in',
  'GET /operator/places',
  'POST /operator/places',
  'GET /find/tenders',
  'GET /tender/:ocid',
  'GET /find/suppliers',
  'GET /supplier/:id',
  'GET /register',
  'POST /register',
  'GET /sign-in',
  'POST /sign-in',
  'GET /sign-in/link',
  'POST /sign-in/link',
  'POST /sign-out',
  'GET /account',
  'GET /account/alerts',
  'POST /account/alerts',
]);

type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: unknown[];
};
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { properties?: Record<string, { properties?: Record<string, { enum?: string[] }> }> }> } };

async function setup() {
  const app = createApp(await testDeps({ env: { ADMIN_KEY: 'admin-key-for-contract-tests-0123456789' } }));
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  return { app, doc: (await res.json()) as Doc };
}

/** The app's own routes (method and Hono path), once each, without middleware registered for every method. */
function registeredRoutes(app: Awaited<ReturnType<typeof setup>>['app']): string[] {
  return [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
}

const operations = (doc: Doc) => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

describe('/openapi.json', () => {
  it('holds every JSON route the app registers, and nothing it does not', async () => {
    const { app, doc } = await setup();
    const documented = new Set(operations(doc).map(({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    const json = registeredRoutes(app).filter((r) => !NOT_JSON.has(r));
    expect(json.length).toBeGreaterThan(30);
    expect(json.filter((r) => !documented.has(r)), 'JSON routes missing from /openapi.json').toEqual([]);
    expect([...documented].filter((r) => !json.includes(r)), 'documented routes the app does not serve').toEqual([]);
    // The exceptions are real routes: a stale entry would hide nothing, so it is refused too.
    expect([...NOT_JSON].filter((r) => !registeredRoutes(app).includes(r))).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const { doc } = await setup();
    expect(doc.openapi).toBe('3.1.0');
    // Validated against the OpenAPI 3.1 schema, with every $ref resolved (offline: the document has no outside refs).
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
    // The validator does refuse a broken document (an answer that is not an object, a $ref to nothing).
    const broken = structuredClone(doc) as unknown as { paths: Record<string, unknown> };
    broken.paths['/broken'] = { get: { responses: { 200: { $ref: '#/components/responses/Nothing' } } } };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('documents the closed set of error codes, and every route answers its errors in the one shape', async () => {
    const { doc } = await setup();
    const codes = doc.components.schemas.Error.properties?.error.properties?.code.enum;
    expect(codes?.sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length, where).toBeGreaterThan(0);
      for (const [status, answer] of errors) {
        if (status === '503') continue;
        expect(answer.content?.['application/json']?.schema?.$ref, `${where} ${status}`).toBe('#/components/schemas/Error');
      }
      // A route with query or path parameters says it may answer 400; one that takes a JSON body, 413, 415 and 422.
      if (op.parameters?.length) expect(Object.keys(op.responses), where).toContain('400');
      if (op.requestBody?.content['application/json']) expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['413', '415', '422']));
      if (op.security?.length && !JSON.stringify(op.security).includes('{}')) expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('each code answers with its one status, as the document says', async () => {
    const { app } = await setup();
    const key = { authorization: 'Bearer admin-key-for-contract-tests-0123456789' };
    const answers: Array<[Response, string]> = [
      [await app.request('/tenders?limit=0'), 'bad_query'],
      [await app.request('/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"notices": [' }), 'bad_json'],
      [await app.request('/places'), 'unauthorized'],
      [await app.request('/places', { headers: { authorization: 'Bearer wrong-key-wrong-key-wrong-key' } }), 'forbidden'],
      [await app.request('/tenders/ocds-nowhere'), 'not_found'],
      [await app.request('/classify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ notices: [{ title: 'x'.repeat(300_000) }] }) }), 'payload_too_large'],
      [await app.request('/places/Somewhere', { method: 'PUT', headers: { ...key, 'content-type': 'application/json' }, body: '{"codes": []}' }), 'invalid_body'],
      [await app.request('/classify', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"notices": [{"title": "Roofing"}]}' }), 'unsupported_media_type'],
    ];
    for (const [res, code] of answers) {
      const body = (await res.json()) as { error: { code: string; details?: { fields?: unknown[] } } };
      expect(body.error.code).toBe(code);
      expect(res.status).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].status);
      if (code === 'bad_query' || code === 'invalid_body') expect(body.error.details?.fields?.length).toBeGreaterThan(0);
    }
  });

  it('refuses input by the route schema before the handler runs: an unknown parameter names itself', async () => {
    const { app } = await setup();
    const res = await app.request('/tenders?colour=red');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'bad_query', message: expect.stringContaining('colour'), details: { fields: [{ field: 'colour', message: 'is not a parameter of this route' }] } },
    });
  });
});

describe('security headers', () => {
  it('go with every answer: JSON, errors, pages and files', async () => {
    const { app } = await setup();
    for (const path of ['/health', '/tenders?limit=0', '/no-such-route', '/reference', '/openapi.json', '/assets/site.css']) {
      const res = await app.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });
});

describe('sign-in requests', () => {
  it('are rate limited per client, refused or not, with 429 rate_limited and Retry-After', async () => {
    const deps = await testDeps({ env: { RATE_LIMIT_SIGN_INS: '2', RATE_LIMIT_WINDOW_SECONDS: '60' } });
    const app = createApp(deps, { clientAddress: (c) => c.req.header('x-test-client') });
    const signIn = (client: string) =>
      app.request('/sign-in', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-test-client': client }, body: 'email=owner%40example.org' });
    expect((await signIn('a')).status).not.toBe(429);
    expect((await signIn('a')).status).not.toBe(429);
    const third = await signIn('a');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another client is not slowed; a GET of the page is not counted.
    expect((await signIn('b')).status).not.toBe(429);
    expect((await app.request('/sign-in', { headers: { 'x-test-client': 'a' } })).status).not.toBe(429);
    deps.clock.advance(61_000);
    expect((await signIn('a')).status).not.toBe(429);
  });
});
