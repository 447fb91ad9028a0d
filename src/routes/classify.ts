import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.js';
import { errors, json, jsonBody, jsonRoutes, openapi, record, z } from './contract.js';
import { suggestCpv, type SuggestedCpv } from '../domain/tagging/index.js';
import { TAGGER_VERSION } from '../domain/tagging/classifier.js';
import { classifyForView } from '../domain/tagging/view.js';

/**
 * `POST /classify`: CPV codes for texts, as the `classify` command gives them. Body
 * `{"notices": [{"id"?, "title"?, "description"?}], "top"?: 1–20, "mode"?: "notice" | "spend_line"}` (at most 100
 * notices, each with a title or a description); answer `{"results": [{"id","cpv":[{code,label,confidence}],
 * "divisions":[...]}], "tagger_version"}`, one result per notice in order. The classifier runs in the process
 * and takes well under a millisecond a notice, so the request does the work itself.
 */
export const MAX_CLASSIFY_BYTES = 256 * 1024;

const notice = z
  .object({
    id: z.union([z.string().max(200), z.number()]).optional(),
    title: z.string().max(1000).optional(),
    description: z.string().max(20_000).optional(),
  })
  .strict()
  .refine((n) => !!(n.title?.trim() || n.description?.trim()), { message: 'needs a title or a description' });

const classifyBody = z
  .object({
    notices: z.array(notice).min(1, 'give at least one notice').max(100, 'at most 100 notices a request'),
    top: z.number().int().min(1).max(20).optional(),
    mode: z.enum(['notice', 'spend_line']).optional(),
  })
  .strict();

export const classifyRoutes = jsonRoutes();

openapi(
  classifyRoutes,
  createRoute({
    method: 'post',
    path: '/',
    tags: ['classify'],
    summary: 'CPV codes for texts',
    description: 'One result per notice, in order; at most 100 notices, each with a title or a description.',
    middleware: [
      bodyLimit({
        maxSize: MAX_CLASSIFY_BYTES,
        onError: () => {
          throw new AppError('payload_too_large', `the body is larger than ${MAX_CLASSIFY_BYTES / 1024} KB; send fewer or shorter notices`, { max_bytes: MAX_CLASSIFY_BYTES });
        },
      }),
    ],
    request: { body: jsonBody(classifyBody) },
    responses: {
      200: json(
        z.object({
          results: z.array(record({ id: z.union([z.string(), z.number()]).nullable().optional(), cpv: z.array(record({ code: z.string(), label: z.string().nullable(), confidence: z.number() })) })),
          tagger_version: z.string(),
        }),
        'the codes of each notice',
      ),
      ...errors(400, 413, 415, 422),
    },
  }),
  (c) => {
    const { notices, top = 5, mode = 'notice' } = c.req.valid('json');
    return c.json({
      results: notices.map((n) => classifyForView(n.id, n.title ?? '', n.description ?? '', top, mode)),
      tagger_version: TAGGER_VERSION,
    });
  },
);

/**
 * Codes to offer a supplier who registers without any, from the description and keywords it sent (never stored
 * for it: the supplier chooses). Reads the raw body, so it works on a body that failed validation.
 */
export function suggestedCpvFor(body: unknown): SuggestedCpv[] {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { description?: unknown; keywords?: unknown };
  const description = typeof b.description === 'string' ? b.description.slice(0, 5000) : '';
  const keywords = Array.isArray(b.keywords) ? b.keywords.filter((k): k is string => typeof k === 'string').slice(0, 50).map((k) => k.slice(0, 100)) : [];
  return suggestCpv(description, keywords);
}
