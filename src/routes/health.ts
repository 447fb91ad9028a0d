import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppEnv } from '../app-env.js';

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { db, clock } = c.var.deps;
  let database = 'ok';
  try {
    await sql`SELECT 1`.execute(db);
  } catch {
    database = 'unreachable';
  }
  const status = database === 'ok' ? 'ok' : 'degraded';
  return c.json({ status, database, time: clock.now().toISOString() }, status === 'ok' ? 200 : 503);
});
