import { defineConfig } from 'vitest/config';

// Tests are sorted by suffix: `*.test.ts` need nothing running, `*.int.test.ts` talk to a
// real PostgreSQL, `tests/e2e/*.e2e.ts` start the whole federation over HTTP.
const shared = { testTimeout: 30_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['tests/helpers/require-postgres.ts'],
        },
      },
      {
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
