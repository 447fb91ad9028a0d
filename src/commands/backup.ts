import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { engineOf, sqliteHandleOf } from '../../db/client.js';
import type { Command } from './types.js';

/** Pages copied per step while nothing writes; a step runs between other work on the same event loop. */
const PAGES_PER_STEP = 1024;

/**
 * A consistent copy of a live SQLite store, by SQLite's online backup API (better-sqlite3's backup()): the service
 * keeps reading and writing meanwhile. A write from another connection makes SQLite start the copy again; after a
 * restart the rest is copied in one step, which a WAL store takes in one read transaction without stopping writers.
 * The copy is written beside PATH and renamed into place once whole and checked (PRAGMA quick_check).
 */
export const backupCommand: Command = {
  summary: 'copy the live SQLite store to PATH, consistently, while the service runs (PostgreSQL: use pg_dump)',
  usage: 'backup PATH [--force]',
  flags: { force: { type: 'boolean' } },
  positionals: true,
  async run(deps, options, io, positionals = []) {
    const [target, ...extra] = positionals;
    if (extra.length) throw new Error(`backup takes one path, not ${positionals.length}`);
    if (!target) throw new Error('backup needs the path of the copy: npm run cli -- backup PATH');
    const handle = sqliteHandleOf(deps.db);
    if (engineOf(deps.db) !== 'sqlite' || !handle) {
      throw new Error('backup copies SQLite stores; for PostgreSQL use pg_dump (see README, "Backups")');
    }
    if (handle.memory) throw new Error('the store is in memory: there is nothing on disk to back up');
    if (existsSync(target) && !options.force) throw new Error(`${target} exists; choose another path or add --force`);
    const partial = `${target}.partial`;
    rmSync(partial, { force: true });
    const started = performance.now();
    let restarts = 0;
    let lastRemaining = Number.POSITIVE_INFINITY;
    const meta = await handle.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        return restarts ? totalPages : PAGES_PER_STEP;
      },
    });
    const copy = new Database(partial, { readonly: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy failed its check: ${String(check)}`);
    } finally {
      copy.close();
    }
    if (options.force) rmSync(target, { force: true });
    renameSync(partial, target);
    const seconds = Math.round(performance.now() - started) / 1000;
    const bytes = statSync(target).size;
    io.progress(`backup: ${meta.totalPages} pages (${Math.round(bytes / 1e6)} MB) copied to ${target} in ${seconds} s${restarts ? `, started again ${restarts} time(s) as the store was written` : ''}`);
    return { command: 'backup', path: target, pages: meta.totalPages, bytes, seconds, restarts };
  },
};
