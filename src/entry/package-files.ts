import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { PackageFiles } from '../deps.js';

/** Package files read from node_modules (Node): only plain file names inside the package's own folder. */
export function nodePackageFiles(): PackageFiles {
  const require = createRequire(import.meta.url);
  const roots = new Map<string, string>();
  return {
    async read(pkg, file) {
      if (basename(file) !== file || file.startsWith('.')) return null;
      let root = roots.get(pkg);
      if (!root) roots.set(pkg, (root = dirname(require.resolve(`${pkg}/package.json`))));
      try {
        return new Uint8Array(await readFile(join(root, file)));
      } catch {
        return null;
      }
    },
  };
}
