import { createRoute } from '@hono/zod-openapi';
import { listLeases } from '../../db/queries/leases.js';
import { listSourceStates, type SourceState } from '../../db/queries/sources.js';
import { notFound } from '../errors.js';
import { sourceAdapters } from '../sources/adapters.js';
import type { SourceAdapter } from '../sources/types.js';
import { errors, json, jsonRoutes, openapi, pathParam, record, z } from './contract.js';

function view(adapter: SourceAdapter, state: SourceState | undefined, lease: { holder: string; expiresAt: string } | undefined, config: Parameters<SourceAdapter['baseUrl']>[0], now: Date) {
  return {
    source: adapter.id,
    name: adapter.name,
    baseUrl: adapter.baseUrl(config),
    docs: adapter.docs,
    windowHours: adapter.windowHours(config),
    pacing: adapter.pacing(config),
    lastRun: {
      startedAt: state?.last_run_started_at ?? null,
      finishedAt: state?.last_run_finished_at ?? null,
      status: state?.last_status ?? null,
      error: state?.last_error ?? null,
    },
    watermark: state?.watermark ?? null,
    /** Totals over every run since the store was created. */
    counts: {
      fetched: state?.fetched ?? 0,
      new: state?.inserted ?? 0,
      updated: state?.updated ?? 0,
      unchanged: state?.unchanged ?? 0,
      quarantined: state?.quarantined ?? 0,
    },
    lastError: state?.last_error ?? null,
    lease:
      lease && lease.expiresAt > now.toISOString()
        ? { holder: lease.holder, expiresAt: lease.expiresAt }
        : null,
  };
}

function fileView(state: SourceState) {
  return {
    file: state.source.slice('file:'.length),
    last_run: { started_at: state.last_run_started_at, finished_at: state.last_run_finished_at, status: state.last_status, error: state.last_error },
    counts: { fetched: state.fetched, new: state.inserted, updated: state.updated, unchanged: state.unchanged, quarantined: state.quarantined },
  };
}

const sourceSchema = record({
  source: z.string(),
  name: z.string(),
  lastRun: record({ startedAt: z.string().nullable(), finishedAt: z.string().nullable(), status: z.string().nullable(), error: z.string().nullable() }),
  watermark: z.string().nullable(),
  counts: record({ fetched: z.number(), new: z.number(), updated: z.number(), unchanged: z.number(), quarantined: z.number() }),
  lease: record({ holder: z.string(), expiresAt: z.string() }).nullable(),
}).openapi('Source');

/** GET /sources: each feed's last run, watermark, counts, last error and current lease holder. */
export const sourceRoutes = jsonRoutes();

openapi(
  sourceRoutes,
  createRoute({
    method: 'get',
    path: '/',
    tags: ['operations'],
    summary: "Each feed's last run, watermark, counts, last error and lease",
    responses: { 200: json(z.object({ sources: z.array(sourceSchema), files: z.array(record({ file: z.string() })) }), 'the feeds, and files ingested from the command line'), ...errors() },
  }),
  async (c) => {
    const { db, config, clock } = c.var.deps;
    const [states, leases] = await Promise.all([listSourceStates(db), listLeases(db, 'ingest:')]);
    const now = clock.now();
    const sources = sourceAdapters.map((a) =>
      view(a, states.find((s) => s.source === a.id), leases.find((l) => l.name === `ingest:${a.id}`), config, now),
    );
    // Files ingested from the command line (`ingest --file`), each under its name.
    const files = states.filter((s) => s.source.startsWith('file:')).map(fileView);
    return c.json({ sources, files });
  },
);

openapi(
  sourceRoutes,
  createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['operations'],
    summary: 'One feed',
    request: { params: z.object({ id: pathParam('the feed', 'fts') }) },
    responses: { 200: json(sourceSchema, 'the feed'), ...errors(400, 404) },
  }),
  async (c) => {
    const { db, config, clock } = c.var.deps;
    const adapter = sourceAdapters.find((a) => a.id === c.req.param('id'));
    if (!adapter) throw notFound(`source "${c.req.param('id')}"`);
    const [states, leases] = await Promise.all([listSourceStates(db), listLeases(db, `ingest:${adapter.id}`)]);
    return c.json(view(adapter, states.find((s) => s.source === adapter.id), leases[0], config, clock.now()));
  },
);
