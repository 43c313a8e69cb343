import { configDefaults, defineConfig } from 'vitest/config';

/** Tests of the built and packed package, the dashboard's browser tests among them: they share one build and one `npm pack` (test/support/packed-package.ts). */
const PACKAGING = ['test/package*.test.ts', 'test/browser/*.test.ts'];
/** Tests that start the CLI or the fixture generator as processes: the slowest, run by CI on its main Node only. */
const PROCESSES = ['test/cli.test.ts', 'fixtures/fixtures.test.ts'];

export default defineConfig({
  test: {
    // A green run prints its summary only; a failing test is printed in full, with its console output.
    reporters: ['minimal', 'json'],
    silent: 'passed-only',
    outputFile: { json: 'reports/vitest.json' },
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'contract-tests/**/*.test.ts', 'scripts/**/*.test.ts', 'fixtures/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...PACKAGING, ...PROCESSES],
        },
      },
      { extends: true, test: { name: 'processes', include: PROCESSES } },
      {
        extends: true,
        test: {
          name: 'packaging',
          include: PACKAGING,
          // Runs only when a packaging test file is selected.
          globalSetup: ['test/support/packed-package.ts'],
        },
      },
    ],
  },
});
