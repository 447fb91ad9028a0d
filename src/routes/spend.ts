import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AppError, badQuery, invalidBody, notFound, type FieldProblem } from '../errors.js';
import { buyerIdOf, getBuyer, listBuyers, listSpendFiles } from '../../db/queries/spend.js';
import { factsOfRow, payeesWithAmounts, saveCorrection } from '../../db/queries/spend-payees.js';
import { getUpload, listUploads, queueUpload } from '../../db/queries/spend-uploads.js';
import type { SpendUploadRow } from '../../db/schema.spend.js';
import { checkCorrection } from '../domain/spend/corrections.js';
import { payeeKeyOf } from '../domain/spend/rows.js';
import { parseSpendDate, pounds } from '../domain/spend/values.js';
import { normalisePostcode, toItl } from '../domain/geo/index.js';
import { adminOnly, bearer, errors, json, jsonBody, jsonRoutes, openapi, pathParam, record, z } from './contract.js';

/**
 * The council side's data: files sent in (spend, the supplier directory, expense-code categories), which the
 * spend job imports (a request only queues: see jobs/spend-uploads.ts); the buyers and files loaded with their
 * reconciliation; the payees and how each was resolved; an analyst's correction of one.
 *
 * Uploads (admin key): `multipart/form-data` with a `file` field and `buyer`, `buyer_postcode`, `buyer_region`,
 * `date_missing_as`, or the file as the raw body with those as query parameters and `name=` for its file name.
 */
type UploadKind = 'spend' | 'directory' | 'categories';

/** Fields sent in a form are the body's (422); with a raw file, they are query parameters (400), the file the body. */
function badUpload(problems: FieldProblem[], inForm: boolean): AppError {
  return inForm || problems.every((p) => p.field === 'file') ? invalidBody(problems) : badQuery(problems);
}

function uploadView(u: SpendUploadRow) {
  return {
    id: u.upload_id,
    kind: u.kind,
    file: u.file_name,
    bytes: u.bytes,
    buyer: u.buyer_name,
    status: u.status,
    queued_at: u.queued_at,
    started_at: u.started_at,
    finished_at: u.finished_at,
    summary: u.summary ? JSON.parse(u.summary) : null,
    error: u.error,
    status_url: `/spend/uploads/${encodeURIComponent(u.upload_id)}`,
  };
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

async function receive(c: Context<AppEnv>, kind: UploadKind) {
  const { deps } = c.var;
  if (deps.config.SPEND_IMPORTS === 'off') {
    throw new AppError('not_available', 'spend files are imported by the Node service here (npm run cli -- spend import, or its POST /spend/files); this deployment does not run the spend job');
  }
  const type = c.req.header('content-type') ?? '';
  let fields: Record<string, string | null>;
  let name: string | null;
  let bytes: Uint8Array;
  if (type.startsWith('multipart/form-data')) {
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File)) throw badUpload([{ field: 'file', message: 'is needed: send the spreadsheet as the form field "file"' }], true);
    bytes = new Uint8Array(await file.arrayBuffer());
    name = text(body.name) ?? (file.name || null);
    fields = { buyer: text(body.buyer), buyer_postcode: text(body.buyer_postcode), buyer_region: text(body.buyer_region), date_missing_as: text(body.date_missing_as) };
  } else {
    bytes = new Uint8Array(await c.req.arrayBuffer());
    const q = c.req.query();
    name = text(q.name);
    fields = { buyer: text(q.buyer), buyer_postcode: text(q.buyer_postcode), buyer_region: text(q.buyer_region), date_missing_as: text(q.date_missing_as) };
  }
  const problems: FieldProblem[] = [];
  if (!fields.buyer) problems.push({ field: 'buyer', message: 'is needed: the council or authority whose file this is' });
  else if (fields.buyer.length > 200) problems.push({ field: 'buyer', message: 'must be at most 200 characters' });
  if (fields.buyer_postcode && !normalisePostcode(fields.buyer_postcode)) problems.push({ field: 'buyer_postcode', message: 'must be a UK postcode' });
  if (fields.buyer_region && !toItl(fields.buyer_region)) problems.push({ field: 'buyer_region', message: 'must be an ITL or NUTS code such as TLJ14' });
  if (fields.date_missing_as && !parseSpendDate(fields.date_missing_as).ok) problems.push({ field: 'date_missing_as', message: 'must be a date such as 2014-06-30' });
  if (!bytes.length) problems.push({ field: 'file', message: 'is empty' });
  if (problems.length) throw badUpload(problems, type.startsWith('multipart/form-data'));
  const upload = await queueUpload(
    deps.db,
    {
      uploadId: crypto.randomUUID(),
      kind,
      buyerName: fields.buyer!,
      buyerPostcode: fields.buyer_postcode,
      buyerRegion: fields.buyer_region,
      dateMissingAs: fields.date_missing_as,
      fileName: (name ?? `${kind}-upload`).slice(0, 200),
      bytes,
    },
    deps.clock.now().toISOString(),
  );
  return c.json(
    { upload: uploadView(upload), note: `queued: the spend job imports it on its schedule (SPEND_CRON "${deps.config.SPEND_CRON}"); follow status_url` },
    202,
  );
}

async function buyerOr404(c: Context<AppEnv>, raw: string | undefined) {
  if (!raw?.trim()) throw badQuery([{ field: 'buyer', message: 'is needed' }]);
  const row = await getBuyer(c.var.deps.db, buyerIdOf(raw));
  if (!row) throw notFound(`spend of buyer "${raw}"`);
  return row;
}

const uploadSchema = record({ id: z.string(), kind: z.enum(['spend', 'directory', 'categories']), file: z.string(), status: z.string(), status_url: z.string() }).openapi('SpendUpload');

const uploadRoute = (kind: UploadKind, path: string, summary: string) =>
  createRoute({
    method: 'post',
    path,
    tags: ['spend'],
    summary,
    description:
      'Either `multipart/form-data` with a `file` field and the fields below, or the file as the raw body with them as query parameters (and `name=` for its file name). Queued for the spend job; follow `status_url`.',
    security: bearer,
    middleware: [adminOnly],
    request: {
      query: z.object({
        buyer: z.string().optional().openapi({ description: 'the council or authority whose file this is (needed)' }),
        buyer_postcode: z.string().optional(),
        buyer_region: z.string().optional(),
        date_missing_as: z.string().optional(),
        name: z.string().optional(),
      }),
      body: {
        required: true,
        content: {
          'application/octet-stream': { schema: z.string().openapi({ format: 'binary', description: 'the file (CSV, XLSX or ODS)' }) },
        },
      },
    },
    responses: { 202: json(z.object({ upload: uploadSchema, note: z.string() }), `the ${kind} file is queued`), ...errors(400, 401, 403, 413, 422, 429, 501) },
  });

const buyerQuery = z.object({ buyer: z.string().optional().openapi({ description: 'the buyer (needed)', example: 'Oxford City Council' }) });

export const spendRoutes = jsonRoutes();

openapi(spendRoutes, uploadRoute('spend', '/files', 'Send a spend file'), (c) => receive(c, 'spend'));
openapi(spendRoutes, uploadRoute('directory', '/directory', "Send the council's supplier directory"), (c) => receive(c, 'directory'));
openapi(spendRoutes, uploadRoute('categories', '/categories', "Send the council's expense-code categories"), (c) => receive(c, 'categories'));

openapi(
  spendRoutes,
  createRoute({
    method: 'get',
    path: '/uploads',
    tags: ['spend'],
    summary: 'The files sent, and how their import went',
    security: bearer,
    middleware: [adminOnly],
    responses: { 200: json(z.object({ uploads: z.array(uploadSchema) }), 'the uploads'), ...errors(401, 403, 429) },
  }),
  async (c) => {
    return c.json({ uploads: (await listUploads(c.var.deps.db)).map(uploadView) });
  },
);

openapi(
  spendRoutes,
  createRoute({
    method: 'get',
    path: '/uploads/{id}',
    tags: ['spend'],
    summary: 'One upload',
    security: bearer,
    middleware: [adminOnly],
    request: { params: z.object({ id: pathParam('the upload', '3f2c…') }) },
    responses: { 200: json(z.object({ upload: uploadSchema }), 'the upload'), ...errors(400, 401, 403, 404, 429) },
  }),
  async (c) => {
    const u = await getUpload(c.var.deps.db, c.req.param('id'));
    if (!u) throw notFound(`upload ${c.req.param('id')}`);
    return c.json({ upload: uploadView(u) });
  },
);

openapi(
  spendRoutes,
  createRoute({
    method: 'get',
    path: '/buyers',
    tags: ['spend'],
    summary: 'The buyers whose spend is loaded',
    responses: { 200: json(z.object({ buyers: z.array(record({ buyer_id: z.string(), name: z.string() })) }), 'the buyers'), ...errors() },
  }),
  async (c) => {
    const buyers = await listBuyers(c.var.deps.db);
    return c.json({
      buyers: buyers.map((b) => ({ buyer_id: b.buyer_id, name: b.name, postcode: b.postcode, region_code: b.region_code, lad: b.lad, itl3: b.itl3, itl1: b.itl1, combined_authority: b.combined_authority })),
    });
  },
);

openapi(
  spendRoutes,
  createRoute({
    method: 'get',
    path: '/files',
    tags: ['spend'],
    summary: "A buyer's files with their reconciliation",
    request: { query: buyerQuery },
    responses: { 200: json(z.object({ buyer: z.string(), files: z.array(record({ file_id: z.string(), reconciles: z.boolean() })) }), 'the files'), ...errors(400, 404) },
  }),
  async (c) => {
    const buyer = await buyerOr404(c, c.req.query('buyer'));
    const files = await listSpendFiles(c.var.deps.db, buyer.buyer_id);
    return c.json({
      buyer: buyer.name,
      files: files.map((f) => ({
        file_id: f.file_id,
        name: f.name,
        format: f.format,
        encoding: f.encoding,
        status: f.status,
        rows: f.rows_read,
        imported: f.imported,
        duplicates: f.duplicates,
        quarantined: f.quarantined,
        total: pounds(f.total_pence),
        amount: pounds(f.imported_pence),
        duplicate_amount: pounds(f.duplicate_pence),
        quarantined_amount: pounds(f.quarantined_pence),
        reconciles: f.imported_pence + f.duplicate_pence + f.quarantined_pence === f.total_pence,
        first_paid_on: f.first_paid_on,
        last_paid_on: f.last_paid_on,
        date_missing_as: f.date_missing_as,
        columns: JSON.parse(f.mapping),
        finished_at: f.finished_at,
      })),
    });
  },
);

openapi(
  spendRoutes,
  createRoute({
    method: 'get',
    path: '/quarantine',
    tags: ['spend'],
    summary: "The lines of a buyer's files that were not imported, with their reasons",
    request: { query: buyerQuery.extend({ file: z.string().optional() }) },
    responses: { 200: json(z.object({ buyer: z.string(), lines: z.array(record({ file_id: z.string(), line: z.number(), reason: z.string() })) }), 'the lines'), ...errors(400, 404) },
  }),
  async (c) => {
    const buyer = await buyerOr404(c, c.req.query('buyer'));
    let q = c.var.deps.db.selectFrom('spend_quarantine').selectAll().where('buyer_id', '=', buyer.buyer_id);
    const file = c.req.query('file');
    if (file) q = q.where('file_id', '=', file);
    const rows = await q.orderBy('file_id').orderBy('line').limit(1000).execute();
    return c.json({
      buyer: buyer.name,
      lines: rows.map((r) => ({ file_id: r.file_id, line: r.line, reason: r.reason, amount: pounds(Number(r.amount_pence)), raw: JSON.parse(r.raw) })),
    });
  },
);

openapi(
  spendRoutes,
  createRoute({
    method: 'get',
    path: '/payees',
    tags: ['spend'],
    summary: "A buyer's payees, how each was resolved, largest first",
    request: {
      query: buyerQuery.extend({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
        unresolved: z.enum(['true', 'false']).optional(),
      }),
    },
    responses: { 200: json(z.object({ buyer: z.string(), total: z.number().int(), payees: z.array(record({ payee_key: z.string(), name: z.string() })) }), 'the payees'), ...errors(400, 404) },
  }),
  async (c) => {
    const buyer = await buyerOr404(c, c.req.query('buyer'));
    const { limit, offset, unresolved } = c.req.valid('query');
    const { total, payees } = await payeesWithAmounts(c.var.deps.db, buyer.buyer_id, { unresolvedOnly: unresolved === 'true', limit, offset });
    return c.json({
      buyer: buyer.name,
      total,
      payees: payees.map((p) => {
        const f = factsOfRow(p.row);
        return {
          payee_key: p.row.payee_key,
          name: f.name,
          kind: f.kind,
          amount: pounds(p.pence),
          payments: p.payments,
          resolution: { source: f.source, supplier_ref: f.supplierRef, supplier_name: f.supplierName, method: f.method, confidence: f.confidence, postcode: f.postcode, place: f.place, sme: f.sme, vcse: f.vcse },
          correction: p.correction ? { action: p.correction.action, note: p.correction.note, corrected_at: p.correction.corrected_at } : null,
          resolution_url: `/spend/buyers/${encodeURIComponent(buyer.buyer_id)}/payees/${encodeURIComponent(p.row.payee_key)}/resolution`,
        };
      }),
    });
  },
);

const correctionBody = z
  .looseObject({
    action: z.string().openapi({ description: 'confirm (the resolution as it is), correct (with source, supplier_ref, supplier_name, postcode, ...) or unresolve' }),
    note: z.string().optional(),
  })
  .openapi('PayeeCorrection');

openapi(
  spendRoutes,
  createRoute({
    method: 'put',
    path: '/buyers/{buyer}/payees/{payee}/resolution',
    tags: ['spend'],
    summary: "An analyst's correction of how a payee was resolved",
    security: bearer,
    middleware: [adminOnly],
    request: { params: z.object({ buyer: pathParam('the buyer', 'oxford city council'), payee: pathParam('the payee key', 'grafton merchanting gb') }), body: jsonBody(correctionBody) },
    responses: { 200: json(z.object({ buyer: z.string(), payee: z.string(), resolution: record({}) }), 'the payee as now resolved'), ...errors(400, 401, 403, 404, 413, 415, 422, 429) },
  }),
  async (c) => {
    const buyer = await buyerOr404(c, c.req.param('buyer'));
    const checked = checkCorrection(c.req.valid('json'));
    if (!checked.ok) throw invalidBody(checked.problems);
    const { deps } = c.var;
    const saved = await saveCorrection(deps.db, buyer.buyer_id, payeeKeyOf(c.req.param('payee')), checked.value, deps.clock.now().toISOString());
    if (!saved.ok) throw saved.problem === 'unknown_payee' ? new AppError('not_found', saved.message) : invalidBody([{ field: 'supplier_ref', message: saved.message }], saved.message);
    return c.json({ buyer: buyer.name, payee: saved.facts.name, resolution: saved.facts });
  },
);
