import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { backupCommand } from '../../src/commands/backup.js';
import { createApp } from '../../src/app.js';
import { findTenders } from '../../db/queries/tenders.js';
import { jsonCaller, testDeps } from '../support/helpers.js';
import { registration, storeTenders, glasgowInspection } from '../support/matching-fixtures.js';

const dirs: string[] = [];
const opened: Db[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function open(path: string) {
  const db = await openDb(path);
  opened.push(db);
  return db;
}

const io = { stdin: process.stdin, out: () => {}, progress: () => {} };

describe('backup', () => {
  it('copies a live store while another connection keeps writing; the copy opens whole and consistent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tendermatch-backup-'));
    dirs.push(dir);
    const live = join(dir, 'live.db');
    // The service: its own connection, registering suppliers over its routes the whole time.
    const service = await testDeps({ db: await open(live), env: { RATE_LIMIT_REGISTRATIONS: '0' } });
    await migrate(service.db);
    await storeTenders(service.db, Array.from({ length: 300 }, (_, i) => ({ ...glasgowInspection, ocid: `ocds-test-backup-${i}`, description: 'x'.repeat(4000) })));
    const call = jsonCaller(createApp(service));
    let registered = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const res = await call('POST', '/suppliers', registration({ name: `Firm ${registered}`, company_number: null }));
        expect(res.status).toBe(201);
        registered++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    while (registered < 5) await new Promise((resolve) => setImmediate(resolve));

    // The command, on a connection of its own as `npm run cli -- backup` has.
    const cli = await testDeps({ db: await open(live) });
    const target = join(dir, 'copy.db');
    const before = registered;
    const summary = await backupCommand.run(cli, {}, io, [target]);
    const after = registered;
    writing = false;
    await writer;

    // Writes went on while the copy was made.
    expect(after).toBeGreaterThan(before);
    expect(summary).toMatchObject({ command: 'backup', path: target });
    expect(summary.pages).toBeGreaterThan(50);
    expect(existsSync(`${target}.partial`)).toBe(false);
    const copy = await open(target);
    expect(await migrate(copy)).toEqual([]);
    const suppliers = await copy.selectFrom('suppliers').select(['id', 'name', 'key_hash']).execute();
    // A moment of the live store: every registration before the copy began, none after it ended, each one whole.
    expect(suppliers.length).toBeGreaterThanOrEqual(before);
    expect(suppliers.length).toBeLessThanOrEqual(after);
    for (const s of suppliers) expect(s.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const queued = await copy.selectFrom('supplier_match_queue').select('supplier_id').execute();
    expect(queued.length).toBe(suppliers.length);
    expect((await findTenders(copy, { text: 'electrical', limit: 500 })).tenders).toHaveLength(300);

    // An existing file is not overwritten unless asked.
    await expect(backupCommand.run(cli, {}, io, [target])).rejects.toThrow(/exists/);
    expect(await backupCommand.run(cli, { force: true }, io, [target])).toMatchObject({ path: target });
  });

  it('refuses a store in memory and points PostgreSQL to pg_dump', async () => {
    const deps = await testDeps();
    await expect(backupCommand.run(deps, {}, io, ['/tmp/never.db'])).rejects.toThrow(/in memory/);
    await expect(backupCommand.run(deps, {}, io)).rejects.toThrow(/needs the path/);
  });
});
