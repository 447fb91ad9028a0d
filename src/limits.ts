/**
 * What a request may cost the service: bounded size (target, headers, body) and bounded rate on the routes that
 * create records or check secrets. Every refusal is in the one JSON error shape.
 *
 * - Body: hono/body-limit per route group (BODY_LIMIT_BYTES by default; a group that takes uploads gets its own
 *   entry in bodyLimits' list). A declared Content-Length over the limit is refused before a byte is read; a body
 *   sent without one is counted as it streams and refused once past the limit, so memory holds at most the limit.
 * - Target and headers: MAX_URL_BYTES (414) and MAX_HEADER_BYTES (431), checked before routing. On Node the HTTP
 *   server itself refuses head sections above its maxHeaderSize with a bare 431 (src/entry/node.ts sets it to
 *   nodeMaxHeaderSize(config), above these limits, so that normal refusals get this JSON answer).
 * - Rate: fixed windows per client in the store (hono-rate-limiter with a store over the rate_limits table), shared
 *   by every instance: registrations count every POST /suppliers; sign-ins every POST /sign-in; key checks count
 *   the requests whose key or signed token is refused (401/403), so a supplier using its own key is never slowed,
 *   while guessing keys is.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { rateLimiter, type RateLimitInfo, type Store } from 'hono-rate-limiter';
import type { AppEnv } from './app-env.js';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { AppError, errorBody } from './errors.js';
import { countRequest, forgetBucket, uncountRequest } from '../db/queries/rate-limits.js';

const sizeText = (bytes: number) => (bytes >= 1 << 20 ? `${Math.round((bytes / (1 << 20)) * 10) / 10} MB` : `${Math.round(bytes / 1024)} kB`);

/** A route group with a body limit of its own (paths starting with `prefix`). */
export interface BodyLimitGroup {
  prefix: string;
  maxBytes: number;
}

/** The body limit of each request: its route group's, else `defaultBytes`. */
export function bodyLimits(defaultBytes: number, groups: BodyLimitGroup[] = []): MiddlewareHandler<AppEnv> {
  const limiter = (maxBytes: number) =>
    bodyLimit({
      maxSize: maxBytes,
      onError: (c) =>
        c.json(errorBody('payload_too_large', `the request body is larger than ${sizeText(maxBytes)}, the most this route takes`, { max_bytes: maxBytes }), 413),
    });
  const byGroup = [...groups].sort((a, b) => b.prefix.length - a.prefix.length).map((g) => ({ prefix: g.prefix, check: limiter(g.maxBytes) }));
  const fallback = limiter(defaultBytes);
  return (c, next) => (byGroup.find((g) => c.req.path.startsWith(g.prefix))?.check ?? fallback)(c, next);
}

/** Bytes of the request target (path and query) and of the header section as sent. */
export function requestBounds(config: Pick<Config, 'MAX_URL_BYTES' | 'MAX_HEADER_BYTES'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const target = url.pathname.length + url.search.length;
    if (target > config.MAX_URL_BYTES) {
      throw new AppError('uri_too_long', `the address with its query is longer than ${config.MAX_URL_BYTES} bytes; send fewer or shorter parameters`, {
        max_bytes: config.MAX_URL_BYTES,
      });
    }
    let header = 0;
    c.req.raw.headers.forEach((value, name) => (header += name.length + value.length + 4));
    if (header > config.MAX_HEADER_BYTES) {
      throw new AppError('headers_too_large', `the request headers are larger than ${config.MAX_HEADER_BYTES} bytes in all`, { max_bytes: config.MAX_HEADER_BYTES });
    }
    await next();
  };
}

/** Node's own bound on a request's head section (target and headers), kept above the service's limits. */
export function nodeMaxHeaderSize(config: Pick<Config, 'MAX_URL_BYTES' | 'MAX_HEADER_BYTES'>): number {
  return Math.max(16 * 1024, 2 * (config.MAX_URL_BYTES + config.MAX_HEADER_BYTES));
}

/** Who a request comes from, as the runtime knows it (a socket address, a Cloudflare header); undefined when unknown. */
export type ClientAddress = (c: Context<AppEnv>) => string | undefined;

/** hono-rate-limiter's Store over the rate_limits table: one upsert per counted request. */
class StoreWindows implements Store<LimitedEnv> {
  constructor(
    private readonly deps: Pick<Deps, 'db' | 'clock'>,
    private readonly windowMs: number,
  ) {}
  async increment(key: string) {
    const count = await countRequest(this.deps.db, key, this.deps.clock.now(), this.windowMs);
    return { totalHits: count.hits, resetTime: new Date(count.windowEndsAt) };
  }
  async decrement(key: string) {
    await uncountRequest(this.deps.db, key);
  }
  async resetKey(key: string) {
    await forgetBucket(this.deps.db, key);
  }
}

type LimitedEnv = { Variables: AppEnv['Variables'] & { rateLimit: RateLimitInfo } };

export interface RateLimits {
  /** POST /suppliers: every request counts. */
  registrations: MiddlewareHandler<AppEnv>;
  /** Requests carrying a key or a signed token: only refused ones (401, 403) count. */
  keyChecks: MiddlewareHandler<AppEnv>;
  /** POST /sign-in (a sign-in link by email): every request counts, so nobody can flood an inbox or probe addresses. */
  signIns: MiddlewareHandler<AppEnv>;
}

/** Where a firm asks for a sign-in link; its POSTs are rate limited (RATE_LIMIT_SIGN_INS). */
export const SIGN_IN_PATH = '/sign-in';

export function rateLimits(deps: Pick<Deps, 'db' | 'clock' | 'config'>, clientAddress: ClientAddress): RateLimits {
  const { config } = deps;
  const windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const limiter = (name: string, limit: number, what: string, options: { skip?: (c: Context<LimitedEnv>) => boolean; onlyRefusals?: boolean } = {}) =>
    rateLimiter<LimitedEnv>({
      windowMs,
      limit,
      standardHeaders: false,
      store: new StoreWindows(deps, windowMs),
      keyGenerator: (c) => `${name}:${clientAddress(c as unknown as Context<AppEnv>) ?? 'unknown'}`,
      skip: (c) => limit <= 0 || (options.skip?.(c) ?? false),
      skipSuccessfulRequests: options.onlyRefusals ?? false,
      requestWasSuccessful: (c) => c.res.status !== 401 && c.res.status !== 403,
      handler: (c) => {
        const info = c.get('rateLimit');
        const retryAfter = Math.max(1, Math.ceil(((info.resetTime?.getTime() ?? 0) - deps.clock.now().getTime()) / 1000));
        c.header('Retry-After', String(retryAfter));
        return c.json(
          errorBody('rate_limited', `too many ${what} from your address: at most ${limit} in ${config.RATE_LIMIT_WINDOW_SECONDS} s; try again in ${retryAfter} s`, {
            limit,
            window_seconds: config.RATE_LIMIT_WINDOW_SECONDS,
            retry_after_seconds: retryAfter,
          }),
          429,
        );
      },
    }) as unknown as MiddlewareHandler<AppEnv>;
  const carriesSecret = (c: Context<LimitedEnv>) => !!c.req.header('authorization') || c.req.query('token') !== undefined;
  return {
    registrations: limiter('register', config.RATE_LIMIT_REGISTRATIONS, 'registrations'),
    keyChecks: limiter('key', config.RATE_LIMIT_KEY_CHECKS, 'refused keys or links', { skip: (c) => !carriesSecret(c), onlyRefusals: true }),
    signIns: limiter('sign-in', config.RATE_LIMIT_SIGN_INS, 'sign-in requests'),
  };
}
