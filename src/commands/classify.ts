import { createInterface } from 'node:readline';
import { TAGGER_VERSION } from '../domain/tagging/classifier.js';
import { classifyForView, type ClassifyMode } from '../domain/tagging/view.js';
import { stringOption, wholeNumberOption, type Command } from './types.js';

/**
 * Reads JSON lines `{"id","title","description"?}` on stdin and writes one JSON line per notice:
 * `{"id","cpv":[{"code","label","confidence"}...],"divisions":[...]}`, best first (`POST /classify` answers the
 * same). A bad line gets `{"line","error"}` and the run goes on. `--mode spend-line` reads each title as a
 * payment line of a council spend file.
 */
export const classifyCommand: Command = {
  summary: 'predict CPV codes for notices read as JSON lines on stdin ({"id","title","description"?})',
  usage: 'classify [--top N (1-20)] [--mode notice|spend-line] < notices.jsonl',
  flags: { top: { type: 'string' }, mode: { type: 'string' } },
  async run(_deps, options, io) {
    const top = Math.min(20, wholeNumberOption(options, 'top', 1) ?? 5);
    const modeOption = stringOption(options, 'mode') ?? 'notice';
    if (modeOption !== 'notice' && modeOption !== 'spend-line') throw new Error(`--mode is notice or spend-line, not "${modeOption}"`);
    const mode: ClassifyMode = modeOption === 'spend-line' ? 'spend_line' : 'notice';
    let classified = 0;
    let rejected = 0;
    let lineNo = 0;
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) continue;
      let notice: { id?: unknown; title?: unknown; description?: unknown };
      try {
        notice = JSON.parse(line);
      } catch {
        rejected++;
        io.out(JSON.stringify({ line: lineNo, error: 'not valid JSON' }));
        continue;
      }
      const title = typeof notice?.title === 'string' ? notice.title : '';
      const description = typeof notice?.description === 'string' ? notice.description : '';
      if (!title.trim() && !description.trim()) {
        rejected++;
        io.out(JSON.stringify({ line: lineNo, id: notice?.id ?? null, error: 'needs a "title" (or a "description") string' }));
        continue;
      }
      classified++;
      io.out(JSON.stringify(classifyForView(notice.id, title, description, top, mode)));
    }
    return { command: 'classify', classified, rejected, taggerVersion: TAGGER_VERSION };
  },
};
