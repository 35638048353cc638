import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:conformance`: the tests that need the third-party corpus (CCITT golden files,
// the real-world fax files and documents of realworld/), `*.conformance.test.ts`. The corpus
// is $FAXGATE_CORPUS, default ../shared/testdata beside the repository; the global setup fails
// the run at once when it is missing (never a skip).
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['packages/*/src/**/*.conformance.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['packages/fax-core/src/test-support/corpus.ts'],
    // the summary table of the whole corpus after the default output (also to
    // $FAXGATE_CONFORMANCE_REPORT when set)
    reporters: ['default', './packages/gateway/src/test-support/conformance/summary-reporter.ts'],
  },
});
