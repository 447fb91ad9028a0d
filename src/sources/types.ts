import type { Config } from '../config.js';

/** One release as read from a feed page: its parsed value and its exact JSON text. */
export interface PageRelease {
  raw: string;
  value?: unknown;
  parseError?: string;
}

/** What a run asks of a feed beyond its time window. */
export interface PageQuery {
  stages?: string[];
}

/** A half-open span of time [from, to) that one run of paged requests covers. */
export interface Window {
  from: Date;
  to: Date;
}

/** What one page of a feed held: its releases and the URL of the next page, if the publisher gave one. */
export interface Page {
  releases: PageRelease[];
  next: string | null;
}

export interface Pacing {
  /** At most this many requests... */
  maxRequests: number;
  /** ...in any span of this many seconds. */
  perSeconds: number;
}

/**
 * A public feed of OCDS releases, declared rather than programmed: where it lives, how it pages,
 * how big a time window one query may span, how fast it may be asked, and how to read a page.
 * The shared machinery in src/sources (fetch, retry, pacing, cursor following) does the rest.
 */
export interface SourceAdapter {
  /** Short id used on the command line, in source_state and on stored releases: `fts`, `cf`. */
  id: string;
  /** The publisher's service name, for people. */
  name: string;
  /** The publisher's API documentation for the endpoint used. */
  docs: string;
  /** Path of the search endpoint under the base URL. */
  endpoint: string;
  paging: 'cursor-links-next';
  /** The longest window the publisher's service answers completely; the window setting may not exceed it. */
  maxWindowHours: number;
  baseUrl(config: Config): string;
  windowHours(config: Config): number;
  pacing(config: Config): Pacing;
  /**
   * How a 403 is to be read. The publisher's rate limiter may answer 403 instead of 429; then the
   * request is retried after `waitMs`. Otherwise a 403 is a permanent refusal.
   */
  forbidden: { meansRateLimited: true; waitMs: number } | { meansRateLimited: false };
  /**
   * The URL of the first page of a window. `query.stages` narrows it to some contracting stages (`planning`,
   * `tender`, `award`) where the publisher's API can (Find a Tender's `stages`); an adapter that cannot ignores it.
   */
  firstPageUrl(baseUrl: string, window: Window, query?: PageQuery): string;
  /** Reads one page body; throws when the body is not a whole release package. */
  readPage(body: string): Page;
}
