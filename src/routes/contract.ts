/**
 * The API contract's building blocks: every JSON route is declared with @hono/zod-openapi's createRoute (its
 * parameters, body, answers and errors), so the route schemas both validate the input and make /openapi.json.
 * A request that fails a route schema never reaches its handler: it gets 400 bad_query (query, path) or
 * 422 invalid_body (body), with details.fields naming each bad field.
 */
import { OpenAPIHono, z, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ZodError } from 'zod';
import type { AppEnv } from '../app-env.js';
import { AppError, ERROR_CODES, type ErrorCode, type FieldProblem } from '../errors.js';
import { requireAdmin, requireSupplierOrAdmin } from './auth.js';

export { z };

/** Each zod issue as `{ field, message }`, the field named as the client sent it (`growth[0].year`). */
export function fieldProblems(error: ZodError, unknownWhat = 'is not a known field'): FieldProblem[] {
  const out: FieldProblem[] = [];
  const name = (path: PropertyKey[]) =>
    path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const at = name(issue.path);
      for (const key of issue.keys) out.push({ field: at ? `${at}.${key}` : key, message: unknownWhat });
    } else {
      out.push({ field: name(issue.path) || '(body)', message: issue.message });
    }
  }
  return out;
}

/** What a failed route schema answers: 400 for the query and path, 422 for a body. */
export function validationError(target: string, error: ZodError): AppError {
  if (target === 'json' || target === 'form') {
    const problems = fieldProblems(error);
    return new AppError('invalid_body', `please fix: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, { fields: problems });
  }
  const problems = fieldProblems(error, 'is not a parameter of this route');
  return new AppError('bad_query', problems.map((p) => `${p.field} ${p.message}`).join('; '), { fields: problems });
}

/** A route group of the JSON API. */
export function jsonRoutes() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error as unknown as ZodError);
    },
  });
}

export type JsonRoutes = ReturnType<typeof jsonRoutes>;

/**
 * Registers `route` on `app` with its handler. The handler answers with c.json(..., status) as before; answers
 * are described in the route's responses (for the document) but not type-checked against them.
 */
export function openapi<R extends RouteConfig>(
  app: JsonRoutes,
  route: R,
  handler: (c: Parameters<RouteHandler<R, AppEnv>>[0]) => Response | Promise<Response>,
  hook?: ValidationHook,
): void {
  app.openapi(route, handler as never, hook as never);
}

/** A route's own answer to a failed schema (instead of the default); it throws, or returns to use the default. */
export type ValidationHook = (
  result: { success: true; target: string; data: unknown } | { success: false; target: string; data: unknown; error: ZodError },
  c: Context<AppEnv>,
) => Promise<void>;

const fieldProblemSchema = z
  .object({ field: z.string().openapi({ example: 'cpv_codes[0]' }), message: z.string().openapi({ example: '"7231" is not a CPV 2008 code' }) })
  .openapi('FieldProblem');

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).openapi({ description: 'one of a closed set, each with one HTTP status' }),
      message: z.string().openapi({ description: 'what went wrong, in words a person can act on' }),
      details: z
        .looseObject({ fields: z.array(fieldProblemSchema).optional().openapi({ description: 'each bad field, named as sent' }) })
        .optional()
        .openapi({ description: 'fields for invalid input; for limits max_bytes, limit, window_seconds, retry_after_seconds' }),
    }),
  })
  .openapi('Error');

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 501;

const STATUS_WORDS: Record<ErrorStatus, string> = {
  400: 'bad_query (a query or path parameter is not valid) or bad_json (the body is not valid JSON)',
  401: 'unauthorized: no key was sent',
  403: 'forbidden: the key sent may not do this',
  404: 'not_found',
  409: 'conflict with what is stored',
  413: 'payload_too_large',
  415: 'unsupported_media_type: send application/json',
  422: 'invalid_body: details.fields names each bad field',
  429: 'rate_limited: see Retry-After',
  500: 'internal',
  501: 'not_available on this deployment',
};

/** The error answers of a route, each in the one error shape; 500 goes with every route. */
export function errors(...statuses: ErrorStatus[]) {
  const out: Record<number, { description: string; content: { 'application/json': { schema: typeof errorSchema } } }> = {};
  for (const s of [...statuses, 500 as const]) out[s] = { description: STATUS_WORDS[s], content: { 'application/json': { schema: errorSchema } } };
  return out;
}

/** A JSON answer described by `schema`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A JSON body the route requires. */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
});

/** The routes that need a key say so in the document (`Authorization: Bearer <key>`). */
export const bearer = [{ bearer: [] as string[] }];

/** Answers described by their main fields; the rest of the record passes through (looseObject). */
export const record = <S extends z.ZodRawShape>(shape: S) => z.looseObject(shape);

/** A path parameter. */
export const pathParam = (description: string, example: string) => z.string().min(1).max(300).openapi({ description, example });

/** Route middleware (runs before the schemas): the admin key, so a request without one gets 401/403 whatever it sent. */
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  await requireAdmin(c);
  await next();
};

/** Route middleware: the key of the supplier in path parameter `param`, or the admin key. */
export const supplierOrAdmin =
  (param = 'id'): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    await requireSupplierOrAdmin(c, c.req.param(param) ?? '');
    await next();
  };
