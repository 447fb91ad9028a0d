import { fetchWithRetry, type FetchContext } from './http.js';
import type { Page, SourceAdapter, Window, PageQuery } from './types.js';

/** Splits [from, to) into consecutive windows of at most `hours` each. */
export function splitWindows(from: Date, to: Date, hours: number): Window[] {
  const step = Math.max(1000, Math.round(hours * 3600_000));
  const windows: Window[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += step) {
    windows.push({ from: new Date(t), to: new Date(Math.min(t + step, to.getTime())) });
  }
  return windows;
}

/**
 * Where a `links.next` leads, kept on our configured base URL: publishers write their own public
 * host into the link, and we must follow it through whatever base URL is configured (a mirror, a
 * proxy, a test server) and never to another host.
 */
export function resolveNext(baseUrl: string, next: string): string {
  const base = new URL(baseUrl);
  const target = new URL(next, base);
  if (target.origin === base.origin) return target.toString();
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = prefix && !target.pathname.startsWith(prefix + '/') ? prefix + target.pathname : target.pathname;
  return new URL(path + target.search, base.origin).toString();
}

/**
 * Joins a base URL (which may carry a path prefix) and an endpoint path with a query. Colons and
 * commas stay literal (both are allowed in a query), so dates and stage lists go out exactly in the
 * form the publishers document: `updatedFrom=2024-09-05T12:27:32`, `stages=planning,tender`.
 */
export function endpointUrl(baseUrl: string, endpoint: string, query: Record<string, string>): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + endpoint);
  const search = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2C/gi, ',')}`)
    .join('&');
  return `${url.origin}${url.pathname}?${search}`;
}

/** A page of a window, with where it came from. */
export interface FetchedPage extends Page {
  url: string;
  index: number;
  attempts: number;
}

/**
 * Fetches the pages of one window by following `links.next`. The window ends when a page has no
 * `links.next`, or has no releases (some feeds keep offering a next link past the last release),
 * or repeats the link it came from (which would loop for ever).
 */
export async function* windowPages(ctx: FetchContext, adapter: SourceAdapter, baseUrl: string, window: Window, query?: PageQuery): AsyncGenerator<FetchedPage> {
  let url: string | null = adapter.firstPageUrl(baseUrl, window, query);
  const seen = new Set<string>();
  let index = 0;
  while (url !== null) {
    seen.add(url);
    const { value: page, attempts } = await fetchWithRetry(ctx, url, (body) => adapter.readPage(body));
    yield { ...page, url, index, attempts };
    index++;
    if (page.next === null || page.releases.length === 0) break;
    const next = resolveNext(baseUrl, page.next);
    url = seen.has(next) ? null : next;
  }
}
