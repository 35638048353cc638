// One vitest test per manifest row and check, its outcome recorded for the summary reporter:
// the shape both corpus tests (fax files, documents) share.
import { describe, it } from 'vitest';
import { type Check, groupOf, type ManifestRow } from './manifest.js';
import { type CheckResult, settle } from './record.js';

export function describeManifest(
  title: string,
  manifest: 'fax' | 'docs',
  rows: readonly ManifestRow[],
  check: (file: string, c: Check) => Promise<CheckResult>,
  timeoutMs: number,
): void {
  describe(title, () => {
    for (const row of rows)
      for (const c of row.checks) {
        const marker = c.mode === 'warn' ? '?' : c.mode === 'wrong' ? '~' : '';
        it(
          `${row.path} ${c.spec}${marker}`,
          async ({ task }) => {
            const r = await check(row.path, c);
            settle(
              task.meta,
              { manifest, group: groupOf(row.path), file: row.path, check: c.spec, mode: c.mode },
              r,
            );
          },
          timeoutMs,
        );
      }
  });
}
