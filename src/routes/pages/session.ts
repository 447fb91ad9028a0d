import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { signingSecret } from '../../../db/queries/alerts.js';
import { closeSession, findSession, openSession, type PageSession } from '../../../db/queries/page-sessions.js';
import type { AppEnv } from '../../app-env.js';

/**
 * Who is at the browser, for the pages: a session opened by a sign-in link, a registration or the operator's key
 * (cookie `tm_session`: 32 random bytes, only their SHA-256 stored), or nobody yet (cookie `tm_visit`, random,
 * holding no rights). Both cookies are HttpOnly, SameSite=Lax, and Secure when the request came over https.
 *
 * Forms carry a CSRF token: an HMAC under the signing secret of the cookie the browser holds, so it is one per
 * session (and one per visit before signing in), checked on every POST beside hono/csrf's Origin check.
 */
export const SESSION_COOKIE = 'tm_session';
export const VISIT_COOKIE = 'tm_visit';

export interface Visitor {
  session: PageSession | null;
  /** The token every form of this page must send back as `_csrf`. */
  csrf: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const randomValue = () => randomBytes(32).toString('base64url');

/** The visitor of each request, worked out once (kept beside the request, so AppEnv needs no new variable). */
const visitors = new WeakMap<Request, Visitor>();

export function isHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.var.deps.config.TRUST_PROXY && (c.req.header('x-forwarded-proto') ?? '').split(',')[0].trim() === 'https';
}

function cookieOptions(c: Context<AppEnv>, maxAgeSeconds: number) {
  return { path: '/', httpOnly: true, sameSite: 'Lax' as const, secure: isHttps(c), maxAge: maxAgeSeconds };
}

async function csrfFor(c: Context<AppEnv>, cookieValue: string): Promise<string> {
  const { db, config, clock } = c.var.deps;
  const secret = await signingSecret(db, config.UNSUBSCRIBE_SECRET, clock.now());
  return createHmac('sha256', secret).update(`tendermatch:csrf:${cookieValue}`).digest('base64url');
}

/** Reads (or starts) the visitor of this request; sets the visit cookie when the browser has neither cookie. */
export async function visitorOf(c: Context<AppEnv>): Promise<Visitor> {
  const known = visitors.get(c.req.raw);
  if (known) return known;
  const { db, clock } = c.var.deps;
  const sessionValue = getCookie(c, SESSION_COOKIE);
  let session: PageSession | null = null;
  if (sessionValue && sessionValue.length <= 100) session = await findSession(db, sha256(sessionValue), clock.now().toISOString());
  let basis = session ? sessionValue! : getCookie(c, VISIT_COOKIE);
  if (!basis || basis.length > 100) {
    basis = randomValue();
    setCookie(c, VISIT_COOKIE, basis, cookieOptions(c, 24 * 3600));
  }
  const visitor = { session, csrf: await csrfFor(c, basis) };
  visitors.set(c.req.raw, visitor);
  return visitor;
}

/** Opens a session for this browser (after a spent sign-in link, a registration or the operator's key). */
export async function startSession(c: Context<AppEnv>, who: { role: 'supplier' | 'operator'; supplierId: string | null }): Promise<void> {
  const { db, clock, config } = c.var.deps;
  const value = randomValue();
  const hours = config.PAGE_SESSION_HOURS;
  const expiresAt = new Date(clock.now().getTime() + hours * 3600_000).toISOString();
  await openSession(db, sha256(value), { ...who, expiresAt }, clock.now().toISOString());
  setCookie(c, SESSION_COOKIE, value, cookieOptions(c, hours * 3600));
  const visitor = { session: { ...who, expiresAt }, csrf: await csrfFor(c, value) };
  visitors.set(c.req.raw, visitor);
}

export async function endSession(c: Context<AppEnv>): Promise<void> {
  const value = getCookie(c, SESSION_COOKIE);
  if (value && value.length <= 100) await closeSession(c.var.deps.db, sha256(value));
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
}

/** True when the form's `_csrf` is this browser's token (compared in constant time). */
export async function csrfMatches(c: Context<AppEnv>, sent: unknown): Promise<boolean> {
  if (typeof sent !== 'string' || sent.length > 100) return false;
  // Without either cookie there is nothing the token could have been made for.
  if (!getCookie(c, SESSION_COOKIE) && !getCookie(c, VISIT_COOKIE)) return false;
  const expected = Buffer.from((await visitorOf(c)).csrf);
  const given = Buffer.from(sent);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * hono/csrf for the pages' forms: a POST from a browser must come from this service's own origin (or, behind a
 * proxy, the public one); one without Origin is refused too. The per-session token is checked in each handler.
 */
export function originCheck(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const own = new URL(c.req.url).origin;
    const publicOrigin = new URL(c.var.deps.config.PUBLIC_BASE_URL).origin;
    return csrf({ origin: (origin) => origin === own || origin === publicOrigin })(c, next);
  };
}
