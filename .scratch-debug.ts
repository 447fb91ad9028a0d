import { startSchedule } from '/work/wt/ops/jobs/schedule.node.js';
import { testDeps } from '/work/wt/ops/tests/support/helpers.js';
const deps = await testDeps();
let starts = 0;
const s = startSchedule(deps, { jobs: [{ name: 'slow', cron: () => '* * * * * *', enabled: () => true, run: async () => { starts++; console.log('run'); return { ok: true }; } }] });
await new Promise((r) => setTimeout(r, 3000));
s.stop();
console.log(starts, deps.log.lines);
