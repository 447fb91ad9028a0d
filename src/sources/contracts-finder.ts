/**
 * Contracts Finder (CF), UK Cabinet Office: English public-sector opportunities and awards above
 * £12,000 (central government) or £30,000 (other bodies), and their awards.
 *
 * API: GET {CF_BASE_URL}/Published/Notices/OCDS/Search?publishedFrom&publishedTo&stages&limit&cursor
 * Documentation: https://www.contractsfinder.service.gov.uk/apidocumentation/Notices/1/GET-Published-Notice-OCDS-Search
 * Returns an OCDS release package; more pages are announced in `links.next` (a `cursor` parameter,
 * on the publisher's own host, which we rewrite onto CF_BASE_URL).
 *
 * Known faults and why the numbers are what they are:
 * - The rate limiter answers 403 Forbidden (an HTML page), not 429, and its rules are undocumented;
 *   the publisher says to make no request for 5 minutes after one, hence the 300 s wait before
 *   retrying a 403.
 * - `limit` is at most 100 (documented range 1 to 100).
 * - Windows of a day (CF_WINDOW_HOURS = 24) keep a window to a few dozen pages on busy days, so a
 *   failure costs one day's re-fetch at most; pacing is CF_MAX_REQUESTS per CF_PER_SECONDS (30 per
 *   60 s), well under what has been seen to trigger the 403s.
 * - `publishedFrom`/`publishedTo` filter on the latest edit, so an amended notice comes back in a
 *   later window: storing it again is an update, never a duplicate.
 * - Some text was published through a wrong character set (`â€™`); it is kept exactly as published.
 */
import type { Config } from '../config.js';
import { readReleasePackage } from './package.js';
import { endpointUrl } from './paging.js';
import type { SourceAdapter, Window } from './types.js';

const cfDate = (d: Date) => d.toISOString().slice(0, 19) + 'Z';

export const contractsFinder: SourceAdapter = {
  id: 'cf',
  name: 'Contracts Finder',
  docs: 'https://www.contractsfinder.service.gov.uk/apidocumentation/Notices/1/GET-Published-Notice-OCDS-Search',
  endpoint: '/Published/Notices/OCDS/Search',
  paging: 'cursor-links-next',
  maxWindowHours: 24 * 31,
  baseUrl: (config: Config) => config.CF_BASE_URL,
  windowHours: (config: Config) => config.CF_WINDOW_HOURS,
  pacing: (config: Config) => ({ maxRequests: config.CF_MAX_REQUESTS, perSeconds: config.CF_PER_SECONDS }),
  forbidden: { meansRateLimited: true, waitMs: 300_000 },
  firstPageUrl(baseUrl: string, window: Window) {
    return endpointUrl(baseUrl, this.endpoint, {
      publishedFrom: cfDate(window.from),
      publishedTo: cfDate(window.to),
      stages: 'planning,tender,award,implementation',
      limit: '100',
    });
  },
  readPage: readReleasePackage,
};
