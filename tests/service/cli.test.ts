import { describe, expect, it } from 'vitest';
import { classifyCommand } from '../../src/commands/classify.js';
import { ingestCommand } from '../../src/commands/ingest.js';
import { matchCommand } from '../../src/commands/match.js';
import { parseCommandLine, wholeNumberOption } from '../../src/commands/types.js';

describe('command-line flags, read strictly (node:util parseArgs)', () => {
  it.each([
    [['--source', 'fts', '--from', '2026-01-01T00:00:00Z'], { source: 'fts', from: '2026-01-01T00:00:00Z' }],
    [['--file=releases.jsonl', '--workers', '0', '--no-match'], { file: 'releases.jsonl', workers: '0', 'no-match': true }],
  ])('reads %j', (argv, expected) => {
    expect(parseCommandLine(ingestCommand, argv).options).toEqual(expected);
  });

  it.each([
    [['--sorce', 'fts'], /Unknown option '--sorce'/],
    [['--file'], /--file.*argument missing/],
    [['--no-match=yes'], /does not take an argument/],
    [['releases.jsonl'], /Unexpected argument 'releases.jsonl'/],
  ])('refuses %j with a message naming the fault', (argv, message) => {
    expect(() => parseCommandLine(ingestCommand, argv)).toThrow(message);
  });

  it('a boolean and a string flag of match', () => {
    expect(parseCommandLine(matchCommand, ['--all']).options).toEqual({ all: true });
    expect(parseCommandLine(matchCommand, ['--ocid', 'a,b']).options).toEqual({ ocid: 'a,b' });
  });

  it.each([['5', 5], ['20', 20], ['0', null], ['2.5', null], ['1e3', null], ['-1', null], ['', null]])('--top %j as a whole number of at least 1: %j', (top, expected) => {
    const { options } = parseCommandLine(classifyCommand, [`--top=${top}`]);
    if (expected === null) expect(() => wholeNumberOption(options, 'top', 1)).toThrow(/--top must be a whole number of at least 1/);
    else expect(wholeNumberOption(options, 'top', 1)).toBe(expected);
  });
});
