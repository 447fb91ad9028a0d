import { sendDueAlerts } from '../../jobs/alerts.js';
import type { Command } from './types.js';

export const sendAlertsCommand: Command = {
  summary: 'queue digests for suppliers that are due and send pending alert emails',
  usage: 'send-alerts [--queue-only | --send-only]',
  flags: { 'queue-only': { type: 'boolean' }, 'send-only': { type: 'boolean' } },
  async run(deps, options) {
    const summary = await sendDueAlerts(deps, { queue: !options['send-only'], deliver: !options['queue-only'] });
    return { ...summary };
  },
};
