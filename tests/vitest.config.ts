import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: the project's own tests, and the real-data suites that read ../shared/data (each skips
 * with a message where it is absent). `npm test` runs both; `npm run test:unit` / `test:real-data` one.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: ['tests/real-data/**', '**/node_modules/**'] },
      },
      {
        extends: true,
        test: { name: 'real-data', include: ['tests/real-data/**/*.test.ts'] },
      },
    ],
  },
});
