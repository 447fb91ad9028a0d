import type { Config } from '../src/config.js';
import type { Deps } from '../src/deps.js';
import { ingestAll } from './ingest.js';
import { drainMatchQueue, drainSupplierMatchQueue } from './match.js';
import { sendDueAlerts } from './alerts.js';
import { refreshHighPotential } from './high-potential.js';
import { retagIfStale } from './retag.js';

/**
 * One job the service runs on a timer. The table below is read by the Node entry (node-cron, see
 * schedule.node.ts) and by the Worker's `scheduled` handler (Cron Triggers), so it imports no
 * scheduler: a job is a name, a cron expression taken from config, and a plain async function.
 */
export interface ScheduledJob {
  name: string;
  cron: (config: Config) => string;
  enabled: (config: Config) => boolean;
  /** Does the work and returns its figures; may throw (runScheduledJob catches and logs). */
  run: (deps: Deps) => Promise<Record<string, unknown>>;
}

/** THE cron table. Add a job as one entry; keep its expression a setting in src/config.ts. */
export const scheduledJobs: ScheduledJob[] = [
  {
    name: 'ingest',
    cron: (config) => config.INGEST_CRON,
    enabled: (config) => config.INGEST_ENABLED,
    run: async (deps) => {
      const { changedOcids, sources, ...totals } = await ingestAll(deps);
      // After a new tagger model, every stored tender is retagged (those whose tags change join the match queue).
      const { retag } = await retagIfStale(deps);
      // New and changed tenders wait in the match queue (written with them), so that a run stopped before
      // this point leaves them there: the queue is matched whole, this ingest's tenders and any left before.
      const { matched, queued, written, removed, closed } = await drainMatchQueue(deps);
      return {
        ...totals,
        matched,
        queued,
        ...(retag ? { retagged: retag.tenders, retagChanged: retag.tagsChanged } : {}),
        matches: { written, removed, closed },
        sources: sources.map((s) => ({ source: s.source, status: s.status, fetched: s.fetched, watermark: s.watermark, error: s.error })),
        changedOcids,
      };
    },
  },
  {
    // Registrations and profile changes queue the supplier and kick this job; the schedule catches any kick lost.
    name: 'match-suppliers',
    cron: (config) => config.SUPPLIER_MATCH_CRON,
    enabled: () => true,
    run: async (deps) => ({ ...(await drainSupplierMatchQueue(deps)) }),
  },
  {
    name: 'alerts',
    cron: (config) => config.ALERTS_CRON,
    enabled: (config) => config.ALERTS_ENABLED,
    run: async (deps) => ({ ...(await sendDueAlerts(deps)) }),
  },
  {
    name: 'high-potential',
    cron: (config) => config.HIGH_POTENTIAL_CRON,
    enabled: () => true,
    run: async (deps) => ({ ...(await refreshHighPotential(deps)) }),
  },
];

/** The enabled jobs whose expression is `cron`: what a Worker runs when a Cron Trigger fires. */
export function jobsForCron(config: Config, cron: string, jobs: readonly ScheduledJob[] = scheduledJobs): ScheduledJob[] {
  return jobs.filter((job) => job.enabled(config) && job.cron(config).trim() === cron.trim());
}

/** The distinct cron expressions in use, for the Worker's triggers. */
export function cronExpressions(config: Config, jobs: readonly ScheduledJob[] = scheduledJobs): string[] {
  return [...new Set(jobs.filter((j) => j.enabled(config)).map((j) => j.cron(config).trim()))];
}

export interface JobRun {
  job: string;
  ok: boolean;
  seconds: number;
  summary?: Record<string, unknown>;
  error?: string;
}

/** Runs one job, never throwing: the outcome is logged as one line and returned. */
export async function runScheduledJob(deps: Deps, job: ScheduledJob): Promise<JobRun> {
  const started = Date.now();
  try {
    const summary = await job.run(deps);
    const seconds = (Date.now() - started) / 1000;
    const ok = summary.ok !== false;
    const { changedOcids: _omitted, ...loggable } = summary;
    (ok ? deps.log.info : deps.log.warn)(`job ${job.name} finished`, { job: job.name, seconds, ...loggable });
    return { job: job.name, ok, seconds, summary };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.log.error(`job ${job.name} failed: ${error}`, { job: job.name });
    return { job: job.name, ok: false, seconds: (Date.now() - started) / 1000, error };
  }
}
