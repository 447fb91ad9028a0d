/**
 * Find a Tender (FTS), UK Cabinet Office: notices above the procurement thresholds, and since
 * February 2025 every notice under the Procurement Act 2023.
 *
 * API: GET {FTS_BASE_URL}/api/1.0/ocdsReleasePackages?updatedFrom&updatedTo&limit&cursor
 * Documentation: https://www.find-tender.service.gov.uk/apidocumentation/1.0/GET-ocdsReleasePackages
 * Returns an OCDS release package; more pages are announced in `links.next` (a `cursor` parameter).
 *
 * Known faults and why the numbers are what they are:
 * - Long windows silently miss releases, so one query never spans more than 6 hours
 *   (`maxWindowHours`; FTS_WINDOW_HOURS may only lower it).
 * - The service throttles at about 12 requests per 2 minutes and answers 429, often without
 *   Retry-After: we pace to FTS_MAX_REQUESTS per FTS_PER_SECONDS (12 per 120 s) and, after a bare
 *   429, wait a jittered, doubling multiple of the 10 s that pacing implies.
 * - `limit` is at most 100 (the documented maximum), which also keeps pages near 1 MB.
 * - Dates are `YYYY-MM-DDTHH:MM:SS` (19 characters, no zone). We send UTC; if the service reads
 *   them as UK local time, consecutive windows still meet end to end, so nothing is skipped.
 * - Some numbers are published as `1e9999`, which JSON.parse reads as Infinity; the raw text is kept
 *   and the normaliser treats non-finite numbers as missing.
 */
import type { Config } from '../config.js';
import { readReleasePackage } from './package.js';
import { endpointUrl } from './paging.js';
import type { PageQuery, SourceAdapter, Window } from './types.js';

const ftsDate = (d: Date) => d.toISOString().slice(0, 19);

export const findATender: SourceAdapter = {
  id: 'fts',
  name: 'Find a Tender',
  docs: 'https://www.find-tender.service.gov.uk/apidocumentation/1.0/GET-ocdsReleasePackages',
  endpoint: '/api/1.0/ocdsReleasePackages',
  paging: 'cursor-links-next',
  maxWindowHours: 6,
  baseUrl: (config: Config) => config.FTS_BASE_URL,
  windowHours: (config: Config) => Math.min(config.FTS_WINDOW_HOURS, 6),
  pacing: (config: Config) => ({ maxRequests: config.FTS_MAX_REQUESTS, perSeconds: config.FTS_PER_SECONDS }),
  forbidden: { meansRateLimited: false },
  firstPageUrl(baseUrl: string, window: Window, query?: PageQuery) {
    return endpointUrl(baseUrl, this.endpoint, {
      updatedFrom: ftsDate(window.from),
      updatedTo: ftsDate(window.to),
      limit: '100',
      // `stages=planning` asks only for notices of work coming up (UK1–UK3): a long backfill of them costs a
      // fraction of the pages of every notice (see `ingest --stages`).
      ...(query?.stages?.length ? { stages: query.stages.join(',') } : {}),
    });
  },
  readPage: readReleasePackage,
};
