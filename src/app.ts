import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.js';
import type { Deps } from './deps.js';
import { AppError, codeForStatus, errorBody, renderError, statusOf } from './errors.js';
import { validationError } from './routes/contract.js';
import { apiReferenceAssets, apiReferencePage } from './routes/api-reference.js';
import { healthRoutes } from './routes/health.js';
import { tenderRoutes } from './routes/tenders.js';
import { placeRoutes } from './routes/places.js';
import { supplierRoutes } from './routes/suppliers.js';
import { tenderSupplierRoutes } from './routes/tender-suppliers.js';
import { sourceRoutes } from './routes/sources.js';
import { alertRoutes } from './routes/alerts.js';
import { feedbackRoutes } from './routes/feedback.js';
import { classifyRoutes } from './routes/classify.js';
import { membershipRoutes } from './routes/memberships.js';
import { RegistryCache } from './registry-cache.js';
import { reportRoutes } from './routes/reports.js';
import { spendRoutes } from './routes/spend.js';
import { assetRoutes } from './routes/assets.js';
import { pageRoutes } from './routes/pages/index.js';
import { bodyLimits, rateLimits, requestBounds, SIGN_IN_PATH, type ClientAddress } from './limits.js';

export interface AppOptions {
  /** Who sent a request, as the runtime knows it (rate limits count per client); unknown clients share one count. */
  clientAddress?: ClientAddress;
  /** The supplier registry held for officers' routes (tests pass one to watch it); a new one by default. */
  registry?: RegistryCache;
}

/** Builds the HTTP app over injected dependencies. Imports no runtime: Node and Workers both use it. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error);
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: "a supplier's own key (shown once, at registration) or the administrator key",
  });
  const registry = options.registry ?? new RegistryCache();
  const limits = rateLimits(deps, options.clientAddress ?? (() => undefined));
  // Every answer, errors included: pages and the API reference load only the service's own files.
  app.use('*', secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginEmbedderPolicy: false }));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('registry', registry);
    await next();
  });
  app.use('*', requestBounds(deps.config));
  // Spend files are uploaded whole (their route checks SPEND_UPLOAD_MAX_MB itself); everything else is JSON.
  app.use('*', bodyLimits(deps.config.BODY_LIMIT_BYTES, [{ prefix: '/spend/', maxBytes: deps.config.SPEND_UPLOAD_MAX_MB * 1024 * 1024 }]));
  app.use('*', limits.keyChecks);
  app.use('/suppliers', (c, next) => (c.req.method === 'POST' ? limits.registrations(c, next) : next()));
  app.use('/register', (c, next) => (c.req.method === 'POST' ? limits.registrations(c, next) : next()));
  app.use(SIGN_IN_PATH, (c, next) => (c.req.method === 'POST' ? limits.signIns(c, next) : next()));
  app.route('/health', healthRoutes);
  app.route('/tenders', tenderSupplierRoutes);
  app.route('/tenders', tenderRoutes);
  app.route('/places', placeRoutes);
  app.route('/suppliers', supplierRoutes);
  app.route('/sources', sourceRoutes);
  app.route('/', alertRoutes);
  app.route('/', feedbackRoutes);
  app.route('/classify', classifyRoutes);
  app.route('/', membershipRoutes);
  app.route('/reports', reportRoutes);
  app.route('/spend', spendRoutes);
  app.route('/assets/api-reference', apiReferenceAssets);
  app.route('/assets', assetRoutes);
  app.route('/reference', apiReferencePage);
  app.doc31('/openapi.json', OPENAPI_INFO);
  // The pages for people (HTML), at paths of their own beside the JSON API.
  app.route('/', pageRoutes);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof AppError) return renderError(c, err);
    // Hono's body parsers refuse a body that is not JSON (or not of the content type) with a 400 of their own.
    if (err instanceof HTTPException && err.status === 400) return c.json(errorBody('bad_json', `the request body is not valid JSON: ${err.message}`), 400);
    if (err instanceof HTTPException && err.status < 500) {
      const code = codeForStatus(err.status);
      return c.json(errorBody(code, err.message), statusOf(code));
    }
    if (err instanceof SyntaxError) return c.json(errorBody('bad_json', 'the request body is not valid JSON'), 400);
    deps.log.error('unhandled error', { path: c.req.path, error: err instanceof Error ? err.message : String(err) });
    return c.json(errorBody('internal', 'something went wrong on our side; it has been logged'), 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

/** 'self' only: no CDN, no inline script; images may be data: URIs (Swagger UI's icons). */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
};

const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'tendermatch',
    version: '0.1.0',
    description:
      'UK public procurement opportunities matched to local SMEs and supplier cooperatives. Every error answers `{ "error": { "code", "message", "details"? } }` with one of a closed set of codes, each with one HTTP status; `details.fields` names each bad field.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  tags: [
    { name: 'tenders', description: 'published tenders, searched and read' },
    { name: 'officers', description: 'for procurement officers: who could bid, consortia' },
    { name: 'suppliers', description: 'SMEs and cooperatives: registration, profile, matches, memberships, alerts' },
    { name: 'places', description: 'named places (administrator)' },
    { name: 'classify', description: 'CPV codes for texts' },
    { name: 'spend', description: 'council spend files, payees and reports' },
    { name: 'operations', description: 'health and feed state' },
  ],
};
