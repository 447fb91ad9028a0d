/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.js';
import { Layout } from '../../views/layout.js';
import { csrfMatches, visitorOf } from './session.js';

/** What the layout needs of the visitor: the name it is signed in as, and the CSRF token of the sign-out form. */
export async function chrome(c: Context<AppEnv>): Promise<{ name: string; csrf: string } | null> {
  const visitor = await visitorOf(c);
  const s = visitor.session;
  if (!s) return null;
  if (s.role === 'operator') return { name: 'Operator', csrf: visitor.csrf };
  const row = await c.var.deps.db.selectFrom('suppliers').select('name').where('id', '=', s.supplierId!).executeTakeFirst();
  return row ? { name: row.name, csrf: visitor.csrf } : null;
}

export async function messagePage(c: Context<AppEnv>, status: 400 | 403 | 404 | 410 | 429, title: string, message: string) {
  return c.html(
    <Layout title={title} signedIn={await chrome(c)}>
      <h1 class="govuk-heading-l">{title}</h1>
      <p class="govuk-body" role="alert">
        {message}
      </p>
      <p class="govuk-body">
        <a class="govuk-link" href="/">
          Go to the start page
        </a>
      </p>
    </Layout>,
    status,
  );
}

export const notFoundPage = (c: Context<AppEnv>, message: string) => messagePage(c, 404, 'Page not found', message);

/** The form's fields, or null (with the answer already made) when its CSRF token is not this browser's. */
export async function checkedForm(c: Context<AppEnv>): Promise<Record<string, string | string[]> | Response> {
  const body = (await c.req.parseBody({ all: true })) as Record<string, string | File | (string | File)[]>;
  const form: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') form[k] = v;
    else if (Array.isArray(v)) form[k] = v.filter((x): x is string => typeof x === 'string');
  }
  if (!(await csrfMatches(c, form._csrf))) {
    return messagePage(c, 403, 'This form has expired', 'For your security the form could not be used. Go back, reload the page and try again.');
  }
  return form;
}

export const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
export const many = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);
