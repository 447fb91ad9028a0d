import { z } from 'zod';
import { parseUkDateTime } from '../domain/time-zones.js';

/**
 * A date or date-time in a query parameter, checked by zod's ISO-8601 parsers (so `1` and `2026-02-31` are
 * refused rather than read as 2001 or as 3 March) and turned into a UTC ISO instant; a date or a time
 * without a zone is UK time.
 */
export const isoInstantParam = z
  .union([z.iso.date(), z.iso.datetime({ offset: true, local: true })], {
    error: 'must be an ISO-8601 date such as 2026-01-31, or a date-time such as 2026-01-31T09:00:00Z',
  })
  .transform((s) => new Date(parseUkDateTime(s)).toISOString());
