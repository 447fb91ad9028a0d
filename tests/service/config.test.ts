import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has a default for everything a first run needs', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ DATABASE_URL: './data/tendermatch.db', PORT: 3000, INGEST_CRON: '*/15 * * * *' });
  });

  it('names every bad setting and never echoes its value', () => {
    const secret = 'postgres://admin:hunter2-very-secret@db/x';
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', FTS_WINDOW_HOURS: '12', ADMIN_KEY: 'short', DATABASE_URL: secret, SMTP_URL: secret, LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'FTS_WINDOW_HOURS', 'ADMIN_KEY', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('short');
  });

  it('README documents every setting', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(configSchema.shape).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
