import { refreshHighPotential } from '../../jobs/high-potential.js';
import type { Command } from './types.js';

export const refreshHighPotentialCommand: Command = {
  summary: 'derives every high-potential flag again for the current year (scheduled on HIGH_POTENTIAL_CRON)',
  usage: 'refresh-high-potential',
  flags: {},
  async run(deps) {
    return { ...(await refreshHighPotential(deps)) };
  },
};
