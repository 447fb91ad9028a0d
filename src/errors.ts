import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one error model of the JSON API: a closed set of codes, each with exactly one HTTP status, rendered as
 * `{ error: { code, message, details? } }`. `details.fields` names each bad field (`[{ field, message }]`);
 * other members of `details` are the figures a client needs to act (a limit, when to retry). The table is
 * also the OpenAPI components' list of codes and README's error table.
 */
export const ERROR_CODES = {
  bad_query: { status: 400, meaning: 'a query or path parameter is not valid; details.fields names each one' },
  bad_json: { status: 400, meaning: 'the body is not valid JSON' },
  unauthorized: { status: 401, meaning: 'the route needs a key: send "Authorization: Bearer <key>"' },
  forbidden: { status: 403, meaning: 'the key (or signed link) sent may not do this' },
  not_found: { status: 404, meaning: 'no such record, or no such route' },
  conflict: { status: 409, meaning: 'the request clashes with what is stored (a taken Companies House number, a cooperative as a member)' },
  payload_too_large: { status: 413, meaning: 'the body is larger than the route takes; details.max_bytes' },
  uri_too_long: { status: 414, meaning: 'the address with its query is too long; details.max_bytes' },
  unsupported_media_type: { status: 415, meaning: 'the body is not of a content type the route takes (application/json for JSON routes)' },
  invalid_body: { status: 422, meaning: 'the body is JSON (or a form) but some fields are not valid; details.fields names each one' },
  rate_limited: { status: 429, meaning: 'too many requests of this kind from this client; the Retry-After header and details say when to try again' },
  headers_too_large: { status: 431, meaning: 'the request headers are too large; details.max_bytes' },
  internal: { status: 500, meaning: 'something failed on the service side; it has been logged' },
  not_available: { status: 501, meaning: 'this deployment does not offer the route (spend uploads on a Worker)' },
} as const satisfies Record<string, { status: ContentfulStatusCode; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One bad field: its name as the client sent it (`cpv_codes[2]`, `growth[0].year`, `limit`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** `fields` for invalid input; the other members are the figures of a limit or a suggestion. */
export interface ErrorDetails {
  fields?: FieldProblem[];
  [figure: string]: unknown;
}

export const statusOf = (code: ErrorCode): ContentfulStatusCode => ERROR_CODES[code].status;

/** An error a request can cause; its status follows from its code. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = statusOf(code);
  }
}

const sentence = (problems: FieldProblem[]) => problems.map((p) => `${p.field} ${p.message}`).join('; ');

/** 400: bad query or path parameters, every one named. */
export const badQuery = (problems: FieldProblem[], message = sentence(problems), extra: Omit<ErrorDetails, 'fields'> = {}) =>
  new AppError('bad_query', message, { ...extra, fields: problems });

/** 422: a body with bad fields, every one named. */
export const invalidBody = (problems: FieldProblem[], message = `please fix: ${sentence(problems)}`, extra: Omit<ErrorDetails, 'fields'> = {}) =>
  new AppError('invalid_body', message, { ...extra, fields: problems });

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetails) {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

export function renderError(c: Context, err: AppError) {
  return c.json(errorBody(err.code, err.message, err.details), err.status);
}

/** The code of a status that reached the error handler without one (a library's HTTPException); its status is the code's. */
export function codeForStatus(status: number): ErrorCode {
  const found = (Object.keys(ERROR_CODES) as ErrorCode[]).find((code) => ERROR_CODES[code].status === status);
  return found ?? (status >= 500 ? 'internal' : 'bad_query');
}
