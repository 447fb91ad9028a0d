import { createInterface } from 'node:readline';
import { cpvLabel } from '../domain/cpv/index.js';
import { classifyNotice, TAGGER_VERSION } from '../domain/tagging/classifier.js';
import { wholeNumberOption, type Command } from './types.js';

/**
 * Reads JSON lines `{"id","title","description"?}` on stdin and writes one JSON line per notice:
 * `{"id","cpv":[{"code","label","confidence"}...],"divisions":[...]}`, best first. A bad line gets
 * `{"line","error"}` and the run goes on.
 */
export const classifyCommand: Command = {
  summary: 'predict CPV codes for notices read as JSON lines on stdin ({"id","title","description"?})',
  usage: 'classify [--top N (1-20)] < notices.jsonl',
  flags: { top: { type: 'string' } },
  async run(_deps, options, io) {
    const top = Math.min(20, wholeNumberOption(options, 'top', 1) ?? 5);
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
      const result = classifyNotice(title, description, top);
      classified++;
      io.out(
        JSON.stringify({
          id: notice.id ?? null,
          cpv: result.codes.map((p) => ({ code: p.code, label: cpvLabel(p.code), confidence: p.confidence })),
          divisions: result.divisions.slice(0, 3).map((d) => ({ code: d.code, label: cpvLabel(d.code), confidence: Math.round(d.confidence * 1000) / 1000 })),
        }),
      );
    }
    return { command: 'classify', classified, rejected, taggerVersion: TAGGER_VERSION };
  },
};
