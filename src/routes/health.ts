import { createRoute } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { errors, json, jsonRoutes, openapi, z } from './contract.js';

const healthSchema = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'unreachable']), time: z.string() });

export const healthRoutes = jsonRoutes();

openapi(
  healthRoutes,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['operations'],
    summary: 'Whether the service and its store answer',
    responses: { 200: json(healthSchema, 'up'), 503: json(healthSchema, 'the store does not answer'), ...errors() },
  }),
  async (c) => {
    const { db, clock } = c.var.deps;
    let database = 'ok';
    try {
      await sql`SELECT 1`.execute(db);
    } catch {
      database = 'unreachable';
    }
    const status = database === 'ok' ? 'ok' : 'degraded';
    return c.json({ status, database, time: clock.now().toISOString() }, status === 'ok' ? 200 : 503);
  },
);
