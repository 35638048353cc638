// vitest reporter of `npm run test:conformance` (vitest.conformance.config.ts): at the end of
// the run, the conformance summary (summary.ts) over every test of every conformance file,
// printed after the default reporter's output and, when $FAXGATE_CONFORMANCE_REPORT names a
// file, written there too.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { buildSummary, type SummaryEntry } from './summary.js';

export default class ConformanceSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const entries: SummaryEntry[] = [];
    for (const m of testModules)
      for (const t of m.children.allTests())
        entries.push({
          module: path.relative(process.cwd(), m.moduleId),
          state: t.result().state,
          name: t.fullName,
          record: t.meta().conformance,
        });
    if (entries.length === 0) return;
    const text = buildSummary(entries);
    process.stdout.write(`\nConformance summary\n\n${text}\n`);
    const file = process.env.FAXGATE_CONFORMANCE_REPORT;
    if (file) writeFileSync(file, text);
  }
}
