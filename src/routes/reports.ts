import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AppError } from '../errors.js';
import { buildReport, readReportQuery } from '../spend-report.js';
import { ReportErrorPage, SpendReportPage, type ReportPageParams } from '../views/spend-report.js';

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
  if (problems.length) return fail(new AppError(400, 'bad_query', problems.map((p) => `${p.field} ${p.message}`).join('; '), { fields: problems }));
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

export const reportRoutes = new Hono<AppEnv>().get('/spend', (c) => answer(c, 'spend')).get('/awards', (c) => answer(c, 'awards'));
