import { Hono } from 'hono';
import type { AppEnv } from '../deps.js';

// Filled in by the ingestion work: list with filters and cursor, and one tender with lots, items, awards.
export const tenderRoutes = new Hono<AppEnv>();
