import type { Pacer } from './pacer.js';
import { BrokenPageError } from './package.js';
import type { SourceAdapter } from './types.js';

/** A page could not be had, after every retry the policy allows. The window it belongs to fails. */
export class FetchFailedError extends Error {
  constructor(
    readonly reason: string,
    readonly url: string,
    readonly attempts: number,
    readonly status: number | null,
    readonly reachable: boolean,
  ) {
    super(`${reason} from ${url}${attempts > 1 ? `, ${attempts} attempts` : ''}`);
    this.name = 'FetchFailedError';
  }
}

export interface RetryPolicy {
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First wait after a 5xx, a network error, a timeout or a broken body; doubles each time. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Longest Retry-After we honour as given; longer ones are cut to this. */
  retryAfterCapMs: number;
  forbidden: SourceAdapter['forbidden'];
}

export interface FetchContext {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  pacer: Pacer;
  policy: RetryPolicy;
  /** Called before every attempt, e.g. to renew a lease during long waits. */
  beforeAttempt?: () => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
  random?: () => number;
}

export interface RetryInfo {
  url: string;
  attempt: number;
  reason: string;
  waitMs: number;
}

type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; retry: true; reason: string; waitMs: number; status: number | null; reachable: boolean }
  | { ok: false; retry: false; reason: string; status: number | null };

/** Random in [half, whole] of the exponential step: spreads retries of many clients without shrinking them to nothing. */
function jittered(base: number, attempt: number, cap: number, random: () => number): number {
  const step = Math.min(cap, base * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === '') return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return `${err.message} (${code ? `${code}: ` : ''}${cause.message})`;
  }
  return err.message;
}

/**
 * GETs `url` and reads the body with `read`, retrying what is worth retrying:
 * 429 (after Retry-After when given, else after an exponentially growing multiple of the pacing
 * interval), 5xx, network errors, timeouts and bodies that `read` rejects as broken (jittered
 * exponential backoff), and 403 where the adapter says its rate limiter answers 403. Every attempt
 * waits its turn with the pacer. Anything else (400, 404, ...) fails at once.
 */
export async function fetchWithRetry<T>(ctx: FetchContext, url: string, read: (body: string) => T): Promise<{ value: T; attempts: number }> {
  const random = ctx.random ?? Math.random;
  const { policy } = ctx;
  let last: { reason: string; status: number | null; reachable: boolean } = { reason: 'not tried', status: null, reachable: false };
  for (let attempt = 0; attempt <= policy.maxRetries; attempt++) {
    await ctx.beforeAttempt?.();
    await ctx.pacer.take();
    const outcome = await attemptOnce(ctx, url, read, attempt, random);
    if (outcome.ok) return { value: outcome.value, attempts: attempt + 1 };
    if (!outcome.retry) {
      throw new FetchFailedError(outcome.reason, url, attempt + 1, outcome.status, true);
    }
    last = outcome;
    if (attempt === policy.maxRetries) break;
    ctx.onRetry?.({ url, attempt: attempt + 1, reason: outcome.reason, waitMs: outcome.waitMs });
    await ctx.sleep(outcome.waitMs);
  }
  throw new FetchFailedError(last.reason, url, policy.maxRetries + 1, last.status, last.reachable);
}

async function attemptOnce<T>(
  ctx: FetchContext,
  url: string,
  read: (body: string) => T,
  attempt: number,
  random: () => number,
): Promise<Outcome<T>> {
  const { policy } = ctx;
  const backoff = () => jittered(policy.backoffBaseMs, attempt, policy.backoffCapMs, random);
  let res: Response;
  let body: string;
  try {
    // The timeout covers the body too: a server that stalls mid-body is as stuck as one that never answers.
    const signal = AbortSignal.timeout(policy.timeoutMs);
    res = await ctx.fetch(url, { headers: { accept: 'application/json' }, signal });
    body = await res.text();
  } catch (err) {
    return { ok: false, retry: true, reason: `network error: ${describeNetworkError(err)}`, waitMs: backoff(), status: null, reachable: false };
  }
  const status = res.status;
  if (status === 429) {
    const given = parseRetryAfter(res.headers.get('retry-after'), ctx.now());
    const waitMs =
      given !== null
        ? Math.min(given, policy.retryAfterCapMs)
        : jittered(ctx.pacer.intervalMs, attempt, policy.retryAfterCapMs, random);
    return { ok: false, retry: true, reason: `429 Too Many Requests${given !== null ? ' (Retry-After)' : ''}`, waitMs, status, reachable: true };
  }
  if (status === 403 && policy.forbidden.meansRateLimited) {
    return { ok: false, retry: true, reason: '403 Forbidden (rate limit)', waitMs: policy.forbidden.waitMs, status, reachable: true };
  }
  if (status >= 500) {
    return { ok: false, retry: true, reason: `${status} ${res.statusText || 'server error'}`.trim(), waitMs: backoff(), status, reachable: true };
  }
  if (status < 200 || status >= 300) {
    return { ok: false, retry: false, reason: `${status} ${res.statusText}`.trim(), status };
  }
  try {
    return { ok: true, value: read(body) };
  } catch (err) {
    if (err instanceof BrokenPageError) {
      return { ok: false, retry: true, reason: `broken page: ${err.message}`, waitMs: backoff(), status, reachable: true };
    }
    throw err;
  }
}
