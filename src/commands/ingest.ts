import { ingestFile } from '../../jobs/ingest-file.js';
import { ingestSource, type IngestProgress } from '../../jobs/ingest.js';
import { sourceIds } from '../sources/adapters.js';
import { drainMatchQueue } from '../../jobs/match.js';
import { queuedCount } from '../../db/queries/match-queue.js';
import type { Deps } from '../deps.js';
import { stringOption, wholeNumberOption, type Command, type CommandIo, type Options } from './types.js';

function progressLine(p: IngestProgress): string {
  switch (p.kind) {
    case 'page':
      return `${p.source}: window ${p.window}/${p.windows} ${p.from} → ${p.to}: page ${p.page}, ${p.releases} releases (${p.fetched} in window)`;
    case 'window':
      return `${p.source}: window ${p.window}/${p.windows} stored; watermark ${p.watermark ?? 'unchanged'}`;
    case 'retry':
      return `${p.source}: ${p.reason}; retry ${p.attempt} in ${Math.round(p.waitMs / 100) / 10} s`;
  }
}

const skipsMatching = (options: Options) => options['no-match'] === true;

/**
 * After storing, the tenders that changed wait in the match queue; unless told --no-match, the queue is
 * matched at once (these tenders and any a stopped run left), as the scheduled ingest does.
 */
async function matchQueued(deps: Deps, options: Options, io: CommandIo): Promise<Record<string, unknown>> {
  if (skipsMatching(options)) {
    const queued = await queuedCount(deps.db);
    io.progress(`match: skipped (--no-match); ${queued} tenders wait in the match queue for \`match\``);
    return { matched: 0, queued };
  }
  const r = await drainMatchQueue(deps, { onProgress: (matched) => io.progress(`match: ${matched} queued tenders matched`) });
  io.progress(`match: ${r.matched} tenders against ${r.suppliers} suppliers: ${r.written} matches stored, ${r.removed} removed`);
  return { matched: r.matched, queued: r.queued, matches: { written: r.written, removed: r.removed, closed: r.closed } };
}

export const ingestCommand: Command = {
  summary: 'pull a feed from its watermark (or --from/--to), or load a release/record package or JSON lines file; then match the changed tenders',
  usage: 'ingest --source fts|cf [--from ISO --to ISO] [--stages planning,tender,award] | --file PATH [--source ID] [--workers N] [--no-match]',
  flags: {
    source: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    stages: { type: 'string' },
    file: { type: 'string' },
    workers: { type: 'string' },
    'no-match': { type: 'boolean' },
  },
  async run(deps, options, io) {
    const file = stringOption(options, 'file');
    if (file !== undefined) {
      const summary = await ingestFile(deps, file, {
        source: stringOption(options, 'source'),
        workers: wholeNumberOption(options, 'workers'),
        onProgress: (done, total) => io.progress(`${file}: ${done}${Number.isFinite(total) ? `/${total}` : ''} releases stored`),
      });
      const { changedOcids: _ocids, ...figures } = summary;
      return { command: 'ingest', ...figures, ...(await matchQueued(deps, options, io)) };
    }
    const source = stringOption(options, 'source');
    if (!source) throw new Error(`ingest needs --source ${sourceIds().join('|')} or --file PATH`);
    if (!sourceIds().includes(source)) throw new Error(`unknown source "${source}"; known sources: ${sourceIds().join(', ')}`);
    const from = stringOption(options, 'from');
    const to = stringOption(options, 'to');
    const stages = stringOption(options, 'stages')?.split(',').map((s) => s.trim()).filter(Boolean);
    const summary = await ingestSource(deps, { source, from, to, stages, onProgress: (p) => io.progress(progressLine(p)) });
    const { changedOcids: _ocids, ...figures } = summary;
    return { command: 'ingest', ...figures, ...(await matchQueued(deps, options, io)) };
  },
};
