import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { SITE_CSS } from '../views/styles.js';

/** The pages' stylesheet, served by the service so pages need nothing from elsewhere. */
export const assetRoutes = new Hono<AppEnv>().get('/site.css', (c) => {
  c.header('content-type', 'text/css; charset=utf-8');
  c.header('cache-control', 'public, max-age=3600');
  return c.body(SITE_CSS);
});
