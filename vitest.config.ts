import { defineConfig } from 'vitest/config';

// One runner for the whole repository. Workspace packages resolve to their TypeScript
// sources through the "development" export condition, so tests never need a build.
export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'], externalConditions: ['development'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'e2e/**/*.test.ts', 'infra/**/*.test.mjs'],
    // the tests that need the third-party corpus: npm run test:conformance (vitest.conformance.config.ts)
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.conformance.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
