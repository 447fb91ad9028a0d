import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';

/**
 * The interactive API reference: Swagger UI (the swagger-ui-dist package) over /openapi.json, every file served
 * by the service itself (no CDN), so the page works offline and under a Content-Security-Policy of 'self'.
 * The start-up script is a file of its own rather than inline, for the same policy.
 */

/** The swagger-ui-dist files the page loads, and their content types. */
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const START = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#api-reference', deepLinking: true, tryItOutEnabled: false });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference – tendermatch</title>
<link rel="stylesheet" href="/assets/api-reference/swagger-ui.css">
</head>
<body>
<main id="api-reference"><p>The API reference needs JavaScript. The contract itself is at <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></main>
<script src="/assets/api-reference/swagger-ui-bundle.js"></script>
<script src="/assets/api-reference/start.js"></script>
</body>
</html>
`;

export const apiReferencePage = new Hono<AppEnv>().get('/', (c) => c.html(PAGE));

export const apiReferenceAssets = new Hono<AppEnv>()
  .get('/start.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=3600');
    return c.body(START);
  })
  .get('/:file', async (c) => {
    const file = c.req.param('file');
    const type = SWAGGER_FILES[file];
    const bytes = type ? await c.var.deps.packageFiles?.read('swagger-ui-dist', file) : null;
    if (!type || !bytes) return c.json({ error: { code: 'not_found', message: `no asset ${file}` } }, 404);
    c.header('content-type', type);
    c.header('cache-control', 'public, max-age=86400');
    return c.body(bytes as Uint8Array<ArrayBuffer>);
  });
