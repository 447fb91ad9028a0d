import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointInBackground } from '../../db/checkpoints.js';
import { sqliteHandleOf } from '../../db/client.js';
import { openDb } from '../../db/open.js';
import { migrate } from '../../db/migrate.js';
import { freshDb } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tendermatch-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('checkpoints in the background', () => {
  it('copies committed pages into the database file from another thread while the writer only appends, then hands checkpoints back', async () => {
    const path = join(dir, 'store.db');
    const db = await openDb(path);
    await migrate(db);
    const handle = sqliteHandleOf(db)!;
    const before = statSync(path).size;

    const checkpoints = checkpointInBackground(db, 20);
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const insert = handle.prepare(
      "INSERT INTO quarantine (source, content_hash, ocid, release_id, reason, raw, received_at) VALUES ('file', ?, NULL, NULL, 'test', ?, '2026-12-01T00:00:00Z')",
    );
    const raw = 'x'.repeat(10_000);
    for (let commit = 0; commit < 5; commit++) handle.transaction(() => {
      for (let i = 0; i < 100; i++) insert.run(`h-${commit}-${i}`, raw);
    })();
    // The writer never checkpoints now, so only the thread can have grown the database file.
    let grown = false;
    for (let waited = 0; waited < 5000 && !grown; waited += 20) {
      await sleep(20);
      grown = statSync(path).size > before + 4_000_000;
    }
    expect(grown).toBe(true);

    await checkpoints.stop();
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    expect(handle.prepare('SELECT count(*) AS n FROM quarantine').get()).toEqual({ n: 500 });
    await db.destroy();
  });

  it('does nothing for a store in memory', async () => {
    const db = await freshDb();
    const handle = sqliteHandleOf(db)!;
    const own = handle.pragma('wal_autocheckpoint', { simple: true });
    const checkpoints = checkpointInBackground(db);
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(own);
    await checkpoints.stop();
    await db.destroy();
  });
});
