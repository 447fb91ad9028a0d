import { migrate } from '../../db/migrate.js';
import type { Command } from './types.js';

export const migrateCommand: Command = {
  summary: 'apply database migrations not yet applied',
  usage: 'migrate',
  flags: {},
  async run(deps) {
    const applied = await migrate(deps.db);
    return { command: 'migrate', applied };
  },
};
