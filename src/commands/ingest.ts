import { ingestFile } from '../../jobs/ingest-file.js';
import { ingestSource, type IngestProgress } from '../../jobs/ingest.js';
import { sourceIds } from '../sources/registry.js';
import { stringOption, wholeNumberOption, type Command } from './types.js';

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

export const ingestCommand: Command = {
  summary: 'pull a feed from its watermark (or --from/--to), or load a release/record package or JSON lines file',
  usage: 'ingest --source fts|cf [--from ISO --to ISO] | --file PATH [--source ID] [--workers N]',
  async run(deps, options, io) {
    const file = stringOption(options, 'file');
    if (file !== undefined) {
      const summary = await ingestFile(deps, file, {
        source: stringOption(options, 'source'),
        workers: wholeNumberOption(options, 'workers'),
        onProgress: (done, total) => io.progress(`${file}: ${done}${Number.isFinite(total) ? `/${total}` : ''} releases stored`),
      });
      const { changedOcids: _ocids, ...figures } = summary;
      return { command: 'ingest', ...figures };
    }
    const source = stringOption(options, 'source');
    if (!source) throw new Error(`ingest needs --source ${sourceIds().join('|')} or --file PATH`);
    if (!sourceIds().includes(source)) throw new Error(`unknown source "${source}"; known sources: ${sourceIds().join(', ')}`);
    const from = stringOption(options, 'from');
    const to = stringOption(options, 'to');
    const summary = await ingestSource(deps, { source, from, to, onProgress: (p) => io.progress(progressLine(p)) });
    const { changedOcids: _ocids, ...figures } = summary;
    return { command: 'ingest', ...figures };
  },
};
