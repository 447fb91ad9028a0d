import type { Deps } from '../deps.js';

/** Parsed command-line options: `--from X` becomes { from: 'X' }, a bare `--flag` becomes { flag: true }; `_` is the word after the command. */
export type Options = Record<string, string | boolean>;

export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  /** Progress and human-readable lines (stderr), never the final JSON line. */
  progress: (line: string) => void;
  /** Data output (stdout), e.g. one JSON line per classified notice. */
  out: (line: string) => void;
}

/** A CLI command: runs, then returns the figures printed as the last line of output (one JSON object). */
export interface Command {
  summary: string;
  usage: string;
  run(deps: Deps, options: Options, io: CommandIo): Promise<Record<string, unknown>>;
}

export function parseOptions(argv: string[]): { positional: string[]; options: Options } {
  const positional: string[] = [];
  const options: Options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) {
        options[arg.slice(2, eq)] = arg.slice(eq + 1);
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        options[arg.slice(2)] = argv[++i];
      } else {
        options[arg.slice(2)] = true;
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

export function stringOption(options: Options, name: string): string | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`--${name} needs a value`);
  return v;
}

/** A whole number option, at least `min`; undefined when absent. */
export function wholeNumberOption(options: Options, name: string, min = 0): number | undefined {
  const v = stringOption(options, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, not "${v}"`);
  return n;
}
