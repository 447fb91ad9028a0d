import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Deps } from '../deps.js';

/** A command's flags, declared for node:util parseArgs: `{ file: { type: 'string' }, all: { type: 'boolean' } }`. */
export type Flags = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags: `--from X` is { from: 'X' }, a boolean `--all` is { all: true }, a repeated flag a list. */
export type Options = Record<string, string | boolean | Array<string | boolean> | undefined>;

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
  /** Every flag the command takes; any other is refused before it runs. */
  flags: Flags;
  /** Whether words after the command (file names, a subcommand) are allowed; they arrive as `positionals`. */
  positionals?: boolean;
  run(deps: Deps, options: Options, io: CommandIo, positionals?: string[]): Promise<Record<string, unknown>>;
}

/**
 * Reads a command's words strictly with node:util parseArgs: an unknown flag, a value given to a boolean
 * flag, a string flag without its value, or stray words are refused with parseArgs' own message.
 */
export function parseCommandLine(command: Command, argv: string[]): { options: Options; positionals: string[] } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: command.flags,
    allowPositionals: command.positionals === true,
    strict: true,
  });
  return { options: values as Options, positionals };
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
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, not "${v}"`);
  return n;
}
