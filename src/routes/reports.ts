import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AppError, badQuery } from '../errors.js';
import { buildReport, readReportQuery } from '../spend-report.js';
import { ReportErrorPage, SpendReportPage, type ReportPageParams } from '../views/spend-report.js';
import { errors, jsonRoutes, openapi, record, z } from './contract.js';

/**
 * Spend reports: `GET /reports/spend?buyer=&place=&from=&to=&include=&top=` (one buyer, several comma-separated,
 * or every buyer in a named place) and `GET /reports/awards` (the same shares from stored award notices).
 * `format=json` (the default for programs), `csv` (the rows, formula-safe), or `html` (the page; also what a
 * browser asking for text/html gets).
 */
type Format = 'json' | 'csv' | 'html';

function formatOf(c: Context<AppEnv>): Format | null {
  const f = c.req.query('format');
  if (f === 'json' || f === 'csv' || f === 'html') return f;
  if (f) return null;
  return /text\/html/.test(c.req.header('accept') ?? '') ? 'html' : 'json';
}

async function answer(c: Context<AppEnv>, view: 'spend' | 'awards') {
  const q = c.req.query();
  const path = c.req.path;
  const format = formatOf(c);
  const params: ReportPageParams = {
    buyer: q.buyer ?? '',
    place: q.place ?? '',
    from: q.from ?? '',
    to: q.to ?? '',
    view,
    include: (q.include ?? '').split(',').filter(Boolean),
  };
  const { query, problems } = readReportQuery({ ...q, view });
  if (!format) problems.push({ field: 'format', message: 'must be json, csv or html' });
  const fail = (err: AppError) => {
    if (format === 'html') return c.html(ReportErrorPage({ message: err.message, params, path, status: err.status }), err.status);
    throw err;
  };
  if (problems.length) return fail(badQuery(problems));
  let built;
  try {
    built = await buildReport(c.var.deps.db, query);
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    throw err;
  }
  if (format === 'csv') {
    const name = `${view}-report-${(query.buyers.join('-') || query.place || 'place').toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60)}.csv`;
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="${name}"`);
    // A byte-order mark tells Excel the file is UTF-8 (names such as "Café" otherwise come out garbled).
    return c.body('\uFEFF' + (await built.csv()));
  }
  if (format === 'html') return c.html(SpendReportPage({ report: built.report, params, path }));
  return c.json(built.report);
}

// The query is read by readReportQuery (shared with the report page, which shows its problems on the page rather
// than answering JSON); the schema documents it, and passes every value on as text.
const reportQuery = z.object({
  buyer: z.string().optional().openapi({ description: 'one buyer, or several comma-separated (or give place)', example: 'Oxford City Council' }),
  place: z.string().optional().openapi({ description: 'every buyer in a named place, combined authority or region' }),
  from: z.string().optional().openapi({ description: 'first quarter, such as 2016-Q2 or a date', example: '2016-Q2' }),
  to: z.string().optional().openapi({ description: 'last quarter' }),
  include: z.string().optional().openapi({ description: 'comma-separated kinds of payment counted that are left out by default' }),
  top: z.string().optional().openapi({ description: 'how many suppliers and leaks to list, 1 to 200 (20)' }),
  format: z.enum(['json', 'csv', 'html']).optional().openapi({ description: 'json by default; html for a browser asking for text/html' }),
});

const reportAnswer = {
  200: {
    description: 'the report: JSON, the rows as CSV (formula-safe), or the page',
    content: {
      'application/json': { schema: record({}).openapi('SpendReport') },
      'text/csv': { schema: z.string() },
      'text/html': { schema: z.string() },
    },
  },
  ...errors(400, 404),
};

export const reportRoutes = jsonRoutes();

openapi(
  reportRoutes,
  createRoute({ method: 'get', path: '/spend', tags: ['spend'], summary: 'Spend report: local, SME and VCSE shares, quarters, categories, leakage', request: { query: reportQuery }, responses: reportAnswer }),
  (c) => answer(c, 'spend'),
);

openapi(
  reportRoutes,
  createRoute({ method: 'get', path: '/awards', tags: ['spend'], summary: 'The same shares from stored award notices', request: { query: reportQuery }, responses: reportAnswer }),
  (c) => answer(c, 'awards'),
);
