import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const map = readme.slice(readme.indexOf('<!-- map:start -->'), readme.indexOf('<!-- map:end -->'));
const paths = [...map.matchAll(/`([^`]+\.(?:ts|tsx|sql|json))`/g)].map((m) => m[1]);

describe("README's map of capabilities", () => {
  it('is there, between its markers, and names files', () => {
    expect(map.length).toBeGreaterThan(100);
    expect(paths.length).toBeGreaterThan(20);
  });

  it.each(paths)('%s exists', (path) => {
    expect(existsSync(`${ROOT}${path}`)).toBe(true);
  });
});
