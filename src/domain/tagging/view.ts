/** What `classify` answers for one text, on the command line and over HTTP alike (JSON fields snake_case). */
import { cpvLabel } from '../cpv/index.js';
import { classifyNotice, type Classification } from './classifier.js';
import { classifySpendLine } from './spend-lines.js';

export type ClassifyMode = 'notice' | 'spend_line';

export interface ClassifiedView {
  id: unknown;
  cpv: Array<{ code: string; label: string | null; confidence: number }>;
  divisions: Array<{ code: string; label: string | null; confidence: number }>;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function classifiedView(id: unknown, result: Classification): ClassifiedView {
  return {
    id: id ?? null,
    cpv: result.codes.map((p) => ({ code: p.code, label: cpvLabel(p.code), confidence: p.confidence })),
    divisions: result.divisions.slice(0, 3).map((d) => ({ code: d.code, label: cpvLabel(d.code), confidence: round(d.confidence) })),
  };
}

/** Classifies a notice's title and description, or (mode spend_line) a payment line's text given as its title. */
export function classifyForView(id: unknown, title: string, description: string, top: number, mode: ClassifyMode = 'notice'): ClassifiedView {
  return classifiedView(id, mode === 'spend_line' ? classifySpendLine(`${title} ${description}`.trim(), top) : classifyNotice(title, description, top));
}
