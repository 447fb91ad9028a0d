import { forecastAndMatchRenewals } from '../../jobs/renewals.js';
import type { Command } from './types.js';

/** `forecast-renewals`: forecasts the contracts coming up for renewal in the store and matches them to suppliers now. */
export const forecastRenewalsCommand: Command = {
  summary: 'forecast the stored contracts ending 6–18 months from now (or just terminated) and match them to registered suppliers',
  usage: 'forecast-renewals',
  flags: {},
  async run(deps) {
    return { command: 'forecast-renewals', ...(await forecastAndMatchRenewals(deps)) };
  },
};
