import cron from 'node-cron';
import type { Deps, JobKicker } from '../src/deps.js';
import { runScheduledJob, scheduledJobs, type JobRun, type ScheduledJob } from './schedule.js';
import { runSpendUploads } from './spend-uploads.js';

/**
 * The Node service runs every job of the shared cron table and the spend job, which reads spreadsheets in a
 * worker thread and so runs on Node only (a Worker answers spend uploads with 501: SPEND_IMPORTS=off).
 */
export const nodeScheduledJobs: readonly ScheduledJob[] = [
  ...scheduledJobs,
  {
    name: 'spend',
    cron: (config) => config.SPEND_CRON,
    enabled: (config) => config.SPEND_IMPORTS === 'on',
    run: async (deps) => ({ ...(await runSpendUploads(deps)) }),
  },
];

export interface RunningSchedule extends JobKicker {
  /** Names of the jobs that were scheduled. */
  jobs: string[];
  stop(): void;
  /** Resolves when no job started by a tick or a kick is running (for a clean shutdown, and tests). */
  idle(): Promise<void>;
}

/**
 * Starts every enabled job of the cron table with node-cron. A job never overlaps itself: node-cron's
 * noOverlap skips a tick while the last run is busy, and a running flag guards the same in-process.
 * (Across instances, the jobs themselves take leases in the store.)
 *
 * kick(name) runs a job now, off the request that asked (deps.jobs in the routes): at once when it is idle; when
 * it is running, once more as soon as that run ends, so that rows queued after the run read its queue are
 * matched without waiting for the next tick. Kicks while a rerun is pending add nothing.
 */
export function startSchedule(
  deps: Deps,
  options: { jobs?: readonly ScheduledJob[]; onRun?: (run: JobRun) => void } = {},
): RunningSchedule {
  const jobs = options.jobs ?? nodeScheduledJobs;
  const running = new Set<string>();
  const again = new Set<string>();
  const runs = new Set<Promise<void>>();
  const tasks: Array<{ name: string; stop: () => void | Promise<void> }> = [];
  let stopped = false;
  const start = (job: ScheduledJob) => {
    running.add(job.name);
    const done = (async () => {
      try {
        do {
          again.delete(job.name);
          const run = await runScheduledJob(deps, job);
          options.onRun?.(run);
        } while (again.has(job.name) && !stopped);
      } finally {
        running.delete(job.name);
      }
    })();
    runs.add(done);
    void done.finally(() => runs.delete(done));
    return done;
  };
  for (const job of jobs) {
    if (!job.enabled(deps.config)) {
      deps.log.info(`job ${job.name} is disabled`, { job: job.name });
      continue;
    }
    const expression = job.cron(deps.config);
    if (!cron.validate(expression)) {
      deps.log.error(`job ${job.name} not scheduled: "${expression}" is not a cron expression`, { job: job.name });
      continue;
    }
    const task = cron.schedule(
      expression,
      async () => {
        if (running.has(job.name)) {
          deps.log.info(`job ${job.name} still running; this tick is skipped`, { job: job.name });
          return;
        }
        await start(job);
      },
      { name: job.name, noOverlap: true },
    );
    tasks.push({ name: job.name, stop: () => task.stop() });
    deps.log.info(`job ${job.name} scheduled`, { job: job.name, cron: expression });
  }
  return {
    jobs: tasks.map((t) => t.name),
    stop: () => {
      stopped = true;
      for (const t of tasks) void t.stop();
    },
    kick: (name) => {
      const job = jobs.find((j) => j.name === name);
      if (!job || stopped || !job.enabled(deps.config)) return;
      if (running.has(job.name)) again.add(job.name);
      else void start(job);
    },
    idle: async () => {
      while (runs.size) await Promise.all([...runs]);
    },
  };
}
