import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  getPreferencesRow,
  loadNamedPlaces,
  nameKey,
  preferencesFromRow,
  savePreferences,
  signingSecret,
  unsubscribe,
  type AlertPreferences,
} from '../../db/queries/alerts.js';
import type { AppEnv } from '../app-env.js';
import { AppError, invalidBody, notFound } from '../errors.js';
import { placeCodes } from '../mail/digest.js';
import { isTimeZone, WEEKDAYS } from '../domain/alerts/digest-timing.js';
import { escapeHtml } from '../mail/template.js';
import { checkToken, parseToken, signToken, verifyToken } from '../mail/tokens.js';
import { confirmAddress, requestConfirmation } from '../../db/queries/notices.js';
import { bearer, errors, json, jsonBody, jsonRoutes, openapi, pathParam, record, supplierOrAdmin, z } from './contract.js';

/**
 * Alert preferences (`GET/PUT /suppliers/:id/alerts`, with the supplier's key or the admin key), the
 * one-click unsubscribe endpoint of RFC 8058 (`/unsubscribe?token=`: GET shows a confirmation page,
 * POST unsubscribes), and a small preferences page reached from the signed link in every email.
 */

const words = z.array(z.string().trim().min(1).max(80)).max(50);

export const preferencesInput = z.strictObject({
  frequency: z.enum(['immediate', 'daily', 'weekly']).optional(),
  hour: z.number().int().min(0).max(23).optional(),
  weekday: z.enum(WEEKDAYS).optional(),
  timezone: z.string().refine(isTimeZone, 'not a time zone this server knows; use an IANA name such as Europe/London').optional(),
  min_score: z.number().min(0).max(1).optional(),
  max_items: z.number().int().min(1).max(50).optional(),
  include_words: words.optional(),
  exclude_words: words.optional(),
  places: words.optional(),
  paused: z.boolean().optional(),
  /** Most alert emails in any 24 hours. */
  daily_cap: z.number().int().min(1).max(24).optional(),
  /** false unsubscribes; true subscribes again after an unsubscribe. */
  subscribed: z.boolean().optional(),
});

async function supplierOr404(c: Context<AppEnv>, id: string) {
  const row = await c.var.deps.db
    .selectFrom('suppliers')
    .select(['id', 'name', 'contact_email', 'contact_email_verified_at', 'contact_email_confirmation_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(`supplier ${id}`);
  return row;
}

async function alertView(c: Context<AppEnv>, supplierId: string) {
  const { db } = c.var.deps;
  const supplier = await supplierOr404(c, supplierId);
  const row = await getPreferencesRow(db, supplierId);
  const recent = await db
    .selectFrom('alert_outbox')
    .select(['message_id', 'subject', 'status', 'attempts', 'last_code', 'last_error', 'created_at', 'sent_at'])
    .where('supplier_id', '=', supplierId)
    .orderBy('created_at', 'desc')
    .limit(10)
    .execute();
  return {
    supplier_id: supplierId,
    preferences: preferencesFromRow(row),
    delivery: {
      address: supplier.contact_email,
      /** Double opt-in: no alert goes to the address until its owner clicks the link mailed to it. */
      address_confirmed: supplier.contact_email_verified_at !== null,
      address_confirmed_at: supplier.contact_email_verified_at,
      confirmation_queued_at: supplier.contact_email_confirmation_at,
      subscribed: !row?.unsubscribed_at,
      unsubscribed_at: row?.unsubscribed_at ?? null,
      paused: row?.paused === 1,
      paused_reason: row?.paused_reason ?? null,
      paused_at: row?.paused_at ?? null,
      refused_in_a_row: row?.failures ?? 0,
      last_failure: row?.last_failure ?? null,
      last_checked_at: row?.last_checked_at ?? null,
      last_sent_at: row?.last_sent_at ?? null,
    },
    recent_messages: recent,
  };
}

/** Places the matcher cannot place: neither an ITL/NUTS code, nor a region name, nor a place an administrator named. */
async function unknownPlaces(c: Context<AppEnv>, places: string[] | undefined): Promise<string[]> {
  const unread = (places ?? []).filter((p) => placeCodes(p).length === 0);
  if (unread.length === 0) return [];
  const named = await loadNamedPlaces(c.var.deps.db);
  return unread.filter((p) => !named.has(nameKey(p)));
}

const placeHelp = 'use an ITL code such as TLJ14, a region name such as "West Midlands", or a place your administrator has named';

/** Saves the changes; returns the places it could not read instead of saving, if any. */
async function applyPreferences(c: Context<AppEnv>, supplierId: string, input: z.infer<typeof preferencesInput>): Promise<string[]> {
  const { db, clock } = c.var.deps;
  const unknown = await unknownPlaces(c, input.places);
  if (unknown.length > 0) return unknown;
  const { subscribed, ...changes } = input;
  const current = preferencesFromRow(await getPreferencesRow(db, supplierId));
  const next: AlertPreferences = { ...current, ...changes };
  await savePreferences(db, supplierId, next, clock.now(), subscribed === true);
  if (subscribed === false) await unsubscribe(db, supplierId, clock.now());
  return [];
}

export function page(title: string, body: string, status: 200 | 400 | 403 | 404 | 409 | 410 = 200) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)} – tendermatch</title>
<link rel="stylesheet" href="/assets/link-pages.css">
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return { html, status };
}

export const invalidLinkPage = () =>
  page('This link is not valid', '<p>The link may have been cut short or changed. Please use the link from your most recent email from us.</p>', 403);

export const expiredLinkPage = (what: string) =>
  page('This link has expired', `<p>${escapeHtml(what)}</p>`, 410);

async function tokenSupplier(c: Context<AppEnv>, purpose: 'unsubscribe' | 'manage') {
  const { db, config, clock } = c.var.deps;
  const token = c.req.query('token');
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  const read = verifyToken(secret, purpose, token, clock.now());
  if (!read.ok && read.reason === 'expired') {
    return { error: expiredLinkPage(`Links to change your alerts work for ${config.MANAGE_LINK_DAYS} days. Please use the link in your most recent alert email, or change your alerts with your supplier key.`) };
  }
  if (!read.ok) return { error: invalidLinkPage() };
  const supplierId = read.ids[0];
  const supplier = await db.selectFrom('suppliers').select(['id', 'name']).where('id', '=', supplierId).executeTakeFirst();
  if (!supplier) return { error: page('Supplier not found', '<p>This supplier is no longer registered, so no alerts will be sent.</p>', 404) };
  return { supplier, token: token!, unsubscribeToken: () => signToken(secret, 'unsubscribe', supplier.id) };
}

function actionUrl(path: string, token: string) {
  return `${path}?token=${encodeURIComponent(token)}`;
}

function manageForm(p: AlertPreferences, token: string, unsubscribeToken: string): string {
  const opt = (value: string, label: string, current: string) => `<option value="${value}"${value === current ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const hours = Array.from({ length: 24 }, (_, h) => opt(String(h), `${String(h).padStart(2, '0')}:00`, String(p.hour))).join('');
  return `<form method="post" action="${escapeHtml(actionUrl('/alerts/manage', token))}">
<label for="frequency">How often</label><select id="frequency" name="frequency">${opt('immediate', 'As soon as we find a match', p.frequency)}${opt('daily', 'Once a day', p.frequency)}${opt('weekly', 'Once a week', p.frequency)}</select>
<label for="hour">At (${escapeHtml(p.timezone)} time)</label><select id="hour" name="hour">${hours}</select>
<label for="weekday">On (weekly alerts)</label><select id="weekday" name="weekday">${WEEKDAYS.map((d) => opt(d, d[0].toUpperCase() + d.slice(1), p.weekday)).join('')}</select>
<label for="max_items">Most tenders in one email</label><input id="max_items" name="max_items" type="number" min="1" max="50" value="${p.max_items}">
<label for="min_score">Only matches scoring at least (0 to 1)</label><input id="min_score" name="min_score" type="number" min="0" max="1" step="0.05" value="${p.min_score}">
<label for="include_words">Only tenders mentioning any of (comma separated)</label><input id="include_words" name="include_words" value="${escapeHtml(p.include_words.join(', '))}">
<label for="exclude_words">Never tenders mentioning (comma separated)</label><input id="exclude_words" name="exclude_words" value="${escapeHtml(p.exclude_words.join(', '))}">
<label for="places">Only these places (ITL codes or region names, comma separated)</label><input id="places" name="places" value="${escapeHtml(p.places.join(', '))}">
<label><input type="checkbox" name="paused" value="1"${p.paused ? ' checked' : ''}> Pause my alerts for now</label>
<p><button type="submit">Save</button></p></form>
<p><a href="${escapeHtml(actionUrl('/unsubscribe', unsubscribeToken))}">Unsubscribe instead</a></p>`;
}

const csv = (v: unknown) =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const idParam = z.object({ id: pathParam("the supplier's id", 'sup_x1y2z3') });
const alertAnswer = record({
  supplier_id: z.string(),
  preferences: record({ frequency: z.enum(['immediate', 'daily', 'weekly']), hour: z.number().int(), timezone: z.string() }),
  delivery: record({ address: z.string().nullable(), address_confirmed: z.boolean(), subscribed: z.boolean(), paused: z.boolean() }),
  recent_messages: z.array(record({})),
}).openapi('AlertSettings');

export const alertRoutes = jsonRoutes();

openapi(
  alertRoutes,
  createRoute({
    method: 'get',
    path: '/suppliers/{id}/alerts',
    tags: ['suppliers'],
    summary: "A supplier's alert preferences, delivery state and recent messages",
    security: bearer,
    middleware: [supplierOrAdmin('id')],
    request: { params: idParam },
    responses: { 200: json(alertAnswer, 'the alert settings'), ...errors(400, 401, 403, 404, 429) },
  }),
  async (c) => c.json(await alertView(c, c.req.param('id'))),
);

openapi(
  alertRoutes,
  createRoute({
    method: 'put',
    path: '/suppliers/{id}/alerts',
    tags: ['suppliers'],
    summary: 'Change alert preferences (only the fields sent)',
    security: bearer,
    middleware: [supplierOrAdmin('id')],
    request: { params: idParam, body: jsonBody(preferencesInput) },
    responses: { 200: json(alertAnswer, 'the alert settings'), ...errors(400, 401, 403, 404, 413, 415, 422, 429) },
  }),
  async (c) => {
    const id = c.req.param('id');
    await supplierOr404(c, id);
    const input = c.req.valid('json');
    const unknown = await applyPreferences(c, id, input);
    if (unknown.length > 0) {
      throw invalidBody(
        (input.places ?? []).flatMap((p, i) => (unknown.includes(p) ? [{ field: `places[${i}]`, message: `"${p}" is not a place we know: ${placeHelp}` }] : [])),
        `unknown place${unknown.length > 1 ? 's' : ''} ${unknown.map((p) => JSON.stringify(p)).join(', ')}: ${placeHelp}`,
      );
    }
    return c.json(await alertView(c, id));
  },
);

openapi(
  alertRoutes,
  createRoute({
    method: 'post',
    path: '/suppliers/{id}/alerts/confirmation',
    tags: ['suppliers'],
    summary: 'Send the confirmation link for the contact address again',
    description: 'At most once an hour (429 with Retry-After before then).',
    security: bearer,
    middleware: [supplierOrAdmin('id')],
    request: { params: idParam },
    responses: {
      200: json(alertAnswer.extend({ note: z.string() }), 'the address is confirmed already'),
      202: json(alertAnswer.extend({ note: z.string() }), 'a confirmation message is queued'),
      ...errors(400, 401, 403, 404, 409, 429),
    },
  }),
  async (c) => {
    const id = c.req.param('id');
    const supplier = await supplierOr404(c, id);
    const { db, clock } = c.var.deps;
    if (!supplier.contact_email) throw new AppError('conflict', 'this supplier has no contact address to confirm; set contact_email first');
    if (supplier.contact_email_verified_at) return c.json({ ...(await alertView(c, id)), note: 'the address is confirmed already' });
    const last = supplier.contact_email_confirmation_at ? Date.parse(supplier.contact_email_confirmation_at) : null;
    const wait = last === null ? 0 : Math.ceil((last + RESEND_AFTER_MS - clock.now().getTime()) / 1000);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new AppError('rate_limited', `a confirmation for ${supplier.contact_email} was queued less than an hour ago; ask again in ${Math.ceil(wait / 60)} minutes`, {
        retry_after_seconds: wait,
      });
    }
    await requestConfirmation(db, id);
    return c.json({ ...(await alertView(c, id)), note: 'a new confirmation message goes out with the next alert run' }, 202);
  },
);

// The pages reached from the links in emails (HTML, not part of the JSON contract).
alertRoutes
  .get('/unsubscribe', async (c) => {
    const found = await tokenSupplier(c, 'unsubscribe');
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const { supplier, token } = found;
    const { html } = page(
      'Stop tender alerts?',
      `<p>This stops all tender alert emails to <strong>${escapeHtml(supplier.name)}</strong>.</p>
<form method="post" action="${escapeHtml(actionUrl('/unsubscribe', token))}"><button type="submit">Unsubscribe</button></form>
<p>To receive fewer alerts instead of none, use the “Change what you receive” link in your latest alert email.</p>`,
    );
    return c.html(html);
  })
  .post('/unsubscribe', async (c) => {
    const found = await tokenSupplier(c, 'unsubscribe');
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const { db, clock } = c.var.deps;
    await unsubscribe(db, found.supplier.id, clock.now());
    const { html } = page('You are unsubscribed', `<p>No more tender alerts will be sent to ${escapeHtml(found.supplier.name)}. You can turn them on again from your account at any time.</p>`);
    return c.html(html);
  })
  .get('/alerts/manage', async (c) => {
    const found = await tokenSupplier(c, 'manage');
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const p = preferencesFromRow(await getPreferencesRow(c.var.deps.db, found.supplier.id));
    return c.html(page(`Alerts for ${found.supplier.name}`, manageForm(p, found.token, found.unsubscribeToken())).html);
  })
  .post('/alerts/manage', async (c) => {
    const found = await tokenSupplier(c, 'manage');
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const form = await c.req.parseBody();
    const parsed = preferencesInput.safeParse({
      frequency: form.frequency,
      hour: Number(form.hour),
      weekday: form.weekday,
      max_items: Number(form.max_items),
      min_score: Number(form.min_score),
      include_words: csv(form.include_words),
      exclude_words: csv(form.exclude_words),
      places: csv(form.places),
      paused: form.paused === '1',
    });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `<li>${escapeHtml(`${i.path.join('.')}: ${i.message}`)}</li>`).join('');
      const { html } = page('Please check your choices', `<ul>${problems}</ul><p><a href="${escapeHtml(actionUrl('/alerts/manage', found.token))}">Back</a></p>`, 400);
      return c.html(html, 400);
    }
    const unknown = await applyPreferences(c, found.supplier.id, parsed.data);
    if (unknown.length > 0) {
      const { html } = page('Please check your choices', `<p>${escapeHtml(`We do not know the place ${unknown.join(', ')}: ${placeHelp}.`)}</p><p><a href="${escapeHtml(actionUrl('/alerts/manage', found.token))}">Back</a></p>`, 400);
      return c.html(html, 400);
    }
    const p = preferencesFromRow(await getPreferencesRow(c.var.deps.db, found.supplier.id));
    return c.html(page(`Saved: alerts for ${found.supplier.name}`, manageForm(p, found.token, found.unsubscribeToken())).html);
  })
  .get('/alerts/confirm', async (c) => {
    const found = await confirmationFromLink(c);
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const { supplier, address, token } = found;
    if (supplier.contact_email_verified_at) return c.html(page('Already confirmed', `<p>${escapeHtml(address)} is confirmed for tender alerts to ${escapeHtml(supplier.name)}.</p>`).html);
    return c.html(
      page(
        'Confirm your address',
        `<p>Send tender alerts for <strong>${escapeHtml(supplier.name)}</strong> to <strong>${escapeHtml(address)}</strong>?</p>
<form method="post" action="${escapeHtml(actionUrl('/alerts/confirm', token))}"><button type="submit">Yes, this is my address</button></form>
<p>If you did not ask for this, close this page: nothing more is sent to this address.</p>`,
      ).html,
    );
  })
  .post('/alerts/confirm', async (c) => {
    const found = await confirmationFromLink(c);
    if ('error' in found) return c.html(found.error!.html, found.error!.status);
    const { db, clock } = c.var.deps;
    const result = await confirmAddress(db, found.supplier.id, found.address, clock.now().toISOString());
    if (result === 'changed') return c.html(invalidLinkPage().html, 403);
    return c.html(page('Thank you', `<p>${escapeHtml(found.address)} is confirmed: tender alerts for ${escapeHtml(found.supplier.name)} will go to it.</p>`).html);
  });

/** A new confirmation may be asked for an hour after the last one was queued. */
const RESEND_AFTER_MS = 3600_000;

/** The supplier and address a confirmation link stands for, checked against the supplier's address now. */
async function confirmationFromLink(c: Context<AppEnv>) {
  const { db, config, clock } = c.var.deps;
  const token = c.req.query('token');
  const parsed = parseToken('confirm', token);
  if (!parsed) return { error: invalidLinkPage() };
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  const supplier = await db
    .selectFrom('suppliers')
    .select(['id', 'name', 'contact_email', 'contact_email_verified_at'])
    .where('id', '=', parsed.ids[0])
    .executeTakeFirst();
  // Signed for the address it was mailed to: a link to an old address does not confirm the new one.
  const check = supplier?.contact_email ? checkToken(secret, parsed, clock.now(), supplier.contact_email) : 'forged';
  if (check === 'expired') {
    return { error: expiredLinkPage(`Confirmation links work for ${config.CONFIRM_LINK_DAYS} days. Ask for a new one with your supplier key: POST /suppliers/${parsed.ids[0]}/alerts/confirmation.`) };
  }
  if (check !== 'valid' || !supplier) return { error: invalidLinkPage() };
  return { supplier, address: supplier.contact_email!, token: token! };
}

