import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const importsOf = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]);

describe('the flow of data', () => {
  it('a route may queue a job but never runs one: nothing in src/routes imports jobs/', () => {
    const files = sources('src/routes');
    expect(files.length).toBeGreaterThan(5);
    const offending = files.flatMap((f) => importsOf(f).filter((spec) => /(^|\/)jobs\//.test(spec)).map((spec) => `${f}: ${spec}`));
    expect(offending).toEqual([]);
  });
});
