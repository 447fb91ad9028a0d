import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env.js';
import type { Deps } from './deps.js';
import { AppError, errorBody, renderError } from './errors.js';
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
import { bodyLimits, rateLimits, requestBounds, type ClientAddress } from './limits.js';

export interface AppOptions {
  /** Who sent a request, as the runtime knows it (rate limits count per client); unknown clients share one count. */
  clientAddress?: ClientAddress;
  /** The supplier registry held for officers' routes (tests pass one to watch it); a new one by default. */
  registry?: RegistryCache;
}

/** Builds the HTTP app over injected dependencies. Imports no runtime: Node and Workers both use it. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  const registry = options.registry ?? new RegistryCache();
  const limits = rateLimits(deps, options.clientAddress ?? (() => undefined));
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
  app.route('/assets', assetRoutes);
  // The pages for people (HTML), at paths of their own beside the JSON API.
  app.route('/', pageRoutes);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof AppError) return renderError(c, err);
    if (err instanceof HTTPException) return c.json(errorBody('http_error', err.message), err.status);
    if (err instanceof SyntaxError) return c.json(errorBody('bad_json', 'the request body is not valid JSON'), 400);
    deps.log.error('unhandled error', { path: c.req.path, error: err instanceof Error ? err.message : String(err) });
    return c.json(errorBody('internal', 'something went wrong on our side; it has been logged'), 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
