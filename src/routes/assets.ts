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
  })
  .get('/link-pages.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8');
    c.header('cache-control', 'public, max-age=3600');
    return c.body(LINK_PAGES_CSS);
  });

/** The small pages reached from email links (unsubscribe, confirm, answer an invitation): a file, since the CSP refuses inline styles. */
const LINK_PAGES_CSS =
  'body{font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:40px auto;padding:0 16px;line-height:1.5;color:#1a1a1a}button{font-size:16px;padding:8px 16px}label{display:block;margin:10px 0 4px}input,select{font-size:15px;padding:4px}\n';
