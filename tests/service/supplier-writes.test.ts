import { afterEach, describe, expect, it } from 'vitest';
import { scheduledJobs, type ScheduledJob } from '../../jobs/schedule.js';
import { startNodeService, type NodeService } from '../../src/entry/node-service.js';
import type { Deps } from '../../src/deps.js';
import type { memoryLog } from '../../src/log.js';
import { testDeps } from '../support/helpers.js';
import { glasgowInspection, registration, storeTenders } from '../support/matching-fixtures.js';

const sparks = registration({
  name: 'Glasgow Sparks',
  company_number: 'SC765432',
  postcode: 'G21 1AA',
  home_region: 'UKM82',
  cpv_codes: ['50711000'],
  keywords: ['electrical inspection'],
  max_contract_value: 500000,
});

const running: NodeService[] = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.close();
});

/** The service as node.ts runs it (startNodeService): a real HTTP server on 127.0.0.1 whose routes kick the schedule's jobs. */
async function service(jobs: readonly ScheduledJob[] = scheduledJobs.filter((j) => j.name === 'match-suppliers')) {
  const deps: Deps = await testDeps();
  const started = await startNodeService(deps, { port: 0, hostname: '127.0.0.1', jobs });
  running.push(started);
  return { deps, schedule: started.schedule, base: started.url };
}

describe('supplier writes over HTTP', () => {
  it('answer before matching runs; the kicked job writes the matches off the request', async () => {
    const { deps, schedule, base } = await service();
    const log = deps.log as ReturnType<typeof memoryLog>;
    await storeTenders(deps.db, [glasgowInspection]);
    const res = await fetch(`${base}/suppliers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sparks) });
    expect(res.status).toBe(201);
    const { supplier } = (await res.json()) as { supplier: { id: string; matching: string } };
    expect(supplier.matching).toBe('pending');
    await schedule.idle();
    const matches = (await (await fetch(`${base}/suppliers/${supplier.id}/matches`)).json()) as { matching: string; matches: Array<{ ocid: string }> };
    expect(matches.matching).toBe('done');
    expect(matches.matches.map((m) => m.ocid)).toEqual([glasgowInspection.ocid]);
    expect(log.lines.filter((l) => l.msg === 'job match-suppliers finished')).toHaveLength(1);
  });

  it('a kick while the job runs makes it run once more after, however many kicks came', async () => {
    let release!: () => void;
    let runs = 0;
    const slow: ScheduledJob = {
      name: 'match-suppliers',
      cron: () => '0 0 1 1 *',
      enabled: () => true,
      run: async () => {
        runs++;
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        return { runs };
      },
    };
    const { schedule } = await service([slow]);
    schedule.kick('match-suppliers');
    schedule.kick('match-suppliers');
    schedule.kick('match-suppliers');
    expect(runs).toBe(1);
    release();
    await schedule.idle();
    expect(runs).toBe(2);
  });
});
