import { createRoute } from '@hono/zod-openapi';
import { deletePlace, getPlace, listPlaces, putPlace, type NamedPlace } from '../../db/queries/places.js';
import { itlLevel, itlName, toItl } from '../domain/geo/index.js';
import type { AppEnv } from '../app-env.js';
import { badQuery, invalidBody, notFound } from '../errors.js';
import { adminOnly, bearer, errors, json, jsonBody, jsonRoutes, openapi, pathParam, z } from './contract.js';

/**
 * Named places: an administrator names a set of ITL areas (e.g. "West Midlands Combined Authority" =
 * its ITL3 areas) and every region filter then accepts that name. All of it needs the admin key.
 */
const placeBody = z
  .object({
    codes: z.array(z.string().min(2).max(10)).min(1, 'give at least one region code').max(300),
    description: z.string().max(500).nullable().optional(),
  })
  .strict();

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} .,'&()-]{0,99}$/u;

function view(p: NamedPlace) {
  return {
    name: p.name,
    description: p.description,
    codes: p.codes.map((code) => ({ code, name: itlName(code), level: itlLevel(code) })),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

function checkName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!NAME.test(name)) {
    throw badQuery([{ field: 'name', message: 'is 1 to 100 letters, digits, spaces and . , \' & ( ) -, starting with a letter or digit' }]);
  }
  // A name that reads as a region code would shadow that code in every region filter.
  if (toItl(name)) throw badQuery([{ field: 'name', message: `"${name}" is a region code already; choose a name that is not a code` }]);
  return name;
}

const placeSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    codes: z.array(z.object({ code: z.string(), name: z.string().nullable(), level: z.number().int() })),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('NamedPlace');

const nameParam = z.object({ name: pathParam('the place\'s name', 'Black Country') });

export const placeRoutes = jsonRoutes();

openapi(
  placeRoutes,
  createRoute({ method: 'get', path: '/', tags: ['places'], summary: 'Every named place', security: bearer, middleware: [adminOnly], responses: { 200: json(z.object({ places: z.array(placeSchema) }), 'the named places'), ...errors(401, 403, 429) } }),
  async (c) => {
    const places = await listPlaces(c.var.deps.db);
    return c.json({ places: places.map(view) });
  },
);

openapi(
  placeRoutes,
  createRoute({
    method: 'get',
    path: '/{name}',
    tags: ['places'],
    summary: 'One named place',
    security: bearer,
    middleware: [adminOnly],
    request: { params: nameParam },
    responses: { 200: json(z.object({ place: placeSchema }), 'the place'), ...errors(400, 401, 403, 404, 429) },
  }),
  async (c) => {
    const place = await getPlace(c.var.deps.db, checkName(c.req.param('name')));
    if (!place) throw notFound(`place "${c.req.param('name')}"`);
    return c.json({ place: view(place) });
  },
);

openapi(
  placeRoutes,
  createRoute({
    method: 'put',
    path: '/{name}',
    tags: ['places'],
    summary: 'Name a set of ITL areas (create or replace)',
    description: 'Every region filter then accepts the name.',
    security: bearer,
    middleware: [adminOnly],
    request: { params: nameParam, body: jsonBody(placeBody) },
    responses: {
      200: json(z.object({ place: placeSchema }), 'replaced'),
      201: json(z.object({ place: placeSchema }), 'created'),
      ...errors(400, 401, 403, 413, 415, 422, 429),
    },
  }),
  async (c) => {
    const name = checkName(c.req.param('name'));
    const body = c.req.valid('json');
    const unknown: string[] = [];
    const codes: string[] = [];
    for (const raw of body.codes) {
      const code = toItl(raw);
      if (!code) unknown.push(raw);
      else if (!codes.includes(code)) codes.push(code);
    }
    if (unknown.length) {
      throw invalidBody(
        body.codes.flatMap((raw, i) => (toItl(raw) ? [] : [{ field: `codes[${i}]`, message: `"${raw}" is not a UK NUTS or ITL code` }])),
        `not UK NUTS or ITL codes: ${unknown.join(', ')}`,
      );
    }
    const { deps } = c.var;
    const { created, place } = await putPlace(deps.db, { name, codes, description: body.description ?? null }, deps.clock.now().toISOString());
    return c.json({ place: view(place) }, created ? 201 : 200);
  },
);

openapi(
  placeRoutes,
  createRoute({
    method: 'delete',
    path: '/{name}',
    tags: ['places'],
    summary: 'Forget a named place',
    security: bearer,
    middleware: [adminOnly],
    request: { params: nameParam },
    responses: { 200: json(z.object({ deleted: z.string() }), 'deleted'), ...errors(400, 401, 403, 404, 429) },
  }),
  async (c) => {
    const name = checkName(c.req.param('name'));
    if (!(await deletePlace(c.var.deps.db, name))) throw notFound(`place "${name}"`);
    return c.json({ deleted: name });
  },
);
