import { retagAll } from '../../jobs/retag.js';
import type { Command } from './types.js';

/**
 * Recomputes the place and CPV tags of every stored tender from its stored releases, queues those whose places
 * or CPV codes changed for matching, and records the tagger's version (see jobs/retag.ts).
 */
export const retagCommand: Command = {
  summary: 'recompute place and CPV tags of every stored tender from its stored releases; queue those that changed for matching',
  usage: 'retag',
  flags: {},
  async run(deps, _options, io) {
    const summary = await retagAll(deps, io.progress);
    for (const f of summary.failures) io.progress(`retag: ${f.ocid} skipped: ${f.error}`);
    io.progress(
      `retag: ${summary.tagsChanged} tenders whose places or CPV codes changed were queued for matching; ${summary.queued} tenders wait for \`match\``,
    );
    const { failures: _failures, ...figures } = summary;
    return { command: 'retag', ...figures };
  },
};
