// `npm run docs:rights`: writes docs/rights-matrix.md from the policy table (policy.ts), so
// the document an auditor reads is the table the code enforces. `--check` only compares
// (exit 1 when the file is stale), for CI.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rightsMatrixMarkdown } from './policy.js';

/** Where the matrix lives in the repository (from src/ or dist/ alike). */
export const RIGHTS_MATRIX_DOC = resolve(import.meta.dirname, '../../../../../docs/rights-matrix.md');

const text = rightsMatrixMarkdown();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(RIGHTS_MATRIX_DOC, 'utf8');
  } catch {}
  if (current !== text) {
    process.stderr.write(`${RIGHTS_MATRIX_DOC} is stale: run npm run docs:rights\n`);
    process.exit(1);
  }
} else {
  writeFileSync(RIGHTS_MATRIX_DOC, text);
  process.stdout.write(`wrote ${RIGHTS_MATRIX_DOC}\n`);
}
