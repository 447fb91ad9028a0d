import { Hono } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { accountPages } from './account.js';
import { originCheck } from './session.js';
import { sitePages } from './site.js';
import { supplierPages } from './suppliers.js';
import { tenderPages } from './tenders.js';

/**
 * The pages for people, server-rendered (src/views/), working without JavaScript. Their paths do not collide with
 * the JSON API: /find/tenders, /tender/:ocid, /find/suppliers, /supplier/:id, /register, /sign-in, /account,
 * /councils, /operator/*, /about/data and /. Every POST is checked for its origin here and for its CSRF token in
 * its handler.
 */
export const pageRoutes = new Hono<AppEnv>();
pageRoutes.use('*', async (c, next) => {
  if (c.req.method === 'POST') await originCheck()(c, next);
  else await next();
  // Pages carry per-visitor tokens: never cached by shared caches.
  if (c.res.headers.get('content-type')?.startsWith('text/html')) c.header('cache-control', 'private, no-store');
});
pageRoutes.route('/', sitePages);
pageRoutes.route('/', tenderPages);
pageRoutes.route('/', supplierPages);
pageRoutes.route('/', accountPages);
