import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** `npm run contract`: the contract suite alone, with a JUnit file when NIMBUS_CONTRACT_JUNIT names one. */
const junitFile = process.env.NIMBUS_CONTRACT_JUNIT?.trim();

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['contract-tests/**/*.test.ts'],
    reporters: junitFile ? ['default', 'junit'] : ['default'],
    ...(junitFile ? { outputFile: { junit: junitFile } } : {}),
    // Waiting out a target's Retry-After (up to 65 s) must fit in one check.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
