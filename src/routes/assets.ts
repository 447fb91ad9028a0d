import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { GOVUK_CSS } from '../views/govuk-frontend-css.generated.js';
import { SITE_CSS } from '../views/styles.js';

/** The pages' stylesheets, served by the service so pages need nothing from elsewhere. */
export const assetRoutes = new Hono<AppEnv>()
  .get('/site.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'public, max-age=3600');
    return c.body(SITE_CSS);
  })
  // GOV.UK Frontend's styles without the crown and the GDS Transport font (jobs/tools/build-govuk-css.ts).
  .get('/govuk-frontend.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(GOVUK_CSS);
  });
