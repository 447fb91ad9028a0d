import { Hono } from 'hono';
import { z } from 'zod';
import { deletePlace, getPlace, listPlaces, putPlace, type NamedPlace } from '../../db/queries/places.js';
import { itlLevel, itlName, toItl } from '../domain/geo/index.js';
import type { AppEnv } from '../app-env.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { requireAdmin } from './auth.js';

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
    throw badRequest('a place name is 1 to 100 letters, digits, spaces and . , \' & ( ) -, starting with a letter or digit', { name });
  }
  // A name that reads as a region code would shadow that code in every region filter.
  if (toItl(name)) throw badRequest(`"${name}" is a region code already; choose a name that is not a code`, { name });
  return name;
}

export const placeRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    await requireAdmin(c);
    const places = await listPlaces(c.var.deps.db);
    return c.json({ places: places.map(view) });
  })
  .get('/:name', async (c) => {
    await requireAdmin(c);
    const place = await getPlace(c.var.deps.db, checkName(c.req.param('name')));
    if (!place) throw notFound(`place "${c.req.param('name')}"`);
    return c.json({ place: view(place) });
  })
  .put('/:name', async (c) => {
    await requireAdmin(c);
    const name = checkName(c.req.param('name'));
    const parsed = placeBody.safeParse(await c.req.json());
    if (!parsed.success) {
      throw badRequest('the body must be {"codes": ["TLG31", ...], "description"?: "..."}', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
      });
    }
    const unknown: string[] = [];
    const codes: string[] = [];
    for (const raw of parsed.data.codes) {
      const code = toItl(raw);
      if (!code) unknown.push(raw);
      else if (!codes.includes(code)) codes.push(code);
    }
    if (unknown.length) {
      throw new AppError(400, 'unknown_region', `not UK NUTS or ITL codes: ${unknown.join(', ')}`, { unknown });
    }
    const { deps } = c.var;
    const { created, place } = await putPlace(deps.db, { name, codes, description: parsed.data.description ?? null }, deps.clock.now().toISOString());
    return c.json({ place: view(place) }, created ? 201 : 200);
  })
  .delete('/:name', async (c) => {
    await requireAdmin(c);
    const name = checkName(c.req.param('name'));
    if (!(await deletePlace(c.var.deps.db, name))) throw notFound(`place "${name}"`);
    return c.json({ deleted: name });
  });
