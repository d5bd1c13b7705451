import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Tests are sorted by suffix: `*.test.ts` need nothing running, `*.int.test.ts` talk to a
// real PostgreSQL, `tests/e2e/*.e2e.ts` start the whole federation over HTTP.
const shared = { testTimeout: 30_000, hookTimeout: 120_000 };
// Node resolves `graphql` to its CommonJS build, for our code and Apollo's alike; Vite would give
// our code the ES build instead, and the two copies fail each other's instanceof checks.
const resolve = { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] };

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          ...shared,
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        resolve,
        test: {
          ...shared,
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['tests/helpers/require-postgres.ts'],
        },
      },
      {
        resolve,
        test: {
          ...shared,
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.ts'],
          globalSetup: ['tests/helpers/require-postgres.ts'],
          // Each file starts its own processes; running them one at a time keeps 2 cores honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
