import cron from 'node-cron';
import type { Deps } from '../src/deps.js';
import { runScheduledJob, scheduledJobs, type JobRun, type ScheduledJob } from './schedule.js';

export interface RunningSchedule {
  /** Names of the jobs that were scheduled. */
  jobs: string[];
  stop(): void;
}

/**
 * Starts every enabled job of the cron table with node-cron. A job never overlaps itself: node-cron's
 * noOverlap skips a tick while the last run is busy, and a running flag guards the same in-process.
 * (Across instances, the jobs themselves take leases in the store.)
 */
export function startSchedule(
  deps: Deps,
  options: { jobs?: readonly ScheduledJob[]; onRun?: (run: JobRun) => void } = {},
): RunningSchedule {
  const jobs = options.jobs ?? scheduledJobs;
  const running = new Set<string>();
  const tasks: Array<{ name: string; stop: () => void | Promise<void> }> = [];
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
        running.add(job.name);
        try {
          const run = await runScheduledJob(deps, job);
          options.onRun?.(run);
        } finally {
          running.delete(job.name);
        }
      },
      { name: job.name, noOverlap: true },
    );
    tasks.push({ name: job.name, stop: () => task.stop() });
    deps.log.info(`job ${job.name} scheduled`, { job: job.name, cron: expression });
  }
  return {
    jobs: tasks.map((t) => t.name),
    stop: () => {
      for (const t of tasks) void t.stop();
    },
  };
}
