// Test support: where the third-party conformance corpus lives — $FAXGATE_CORPUS, or
// ../shared/testdata beside the repository (CCITT golden files: ccitt/). Only the
// `*.conformance.test.ts` files (npm run test:conformance) read it; a missing corpus is an
// error there, never a skip. `npm test` uses made-corpus.ts instead.
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (this file is packages/fax-core/src/test-support/corpus.ts). */
export const repoRoot = path.resolve(import.meta.dirname, '../../../..');

/** The corpus directory; throws, naming where it looked, when it is not there. */
export function corpusDir(): string {
  const env = process.env.FAXGATE_CORPUS;
  const dir = env ? path.resolve(env) : path.resolve(repoRoot, '../shared/testdata');
  if (!existsSync(path.join(dir, 'ccitt', 'ccitt1.pbm'))) {
    throw new Error(
      `conformance corpus not found: ${dir}/ccitt/ccitt1.pbm is missing ` +
        `(${env ? 'FAXGATE_CORPUS' : 'default ../shared/testdata beside the repository'}; ` +
        'set FAXGATE_CORPUS to the directory holding ccitt/)',
    );
  }
  return dir;
}

/** The CCITT golden files: ccitt1..8.pbm, derived/libtiff/*.tif, derived/sff/ccitt_8p.sff. */
export function ccittDir(): string {
  return path.join(corpusDir(), 'ccitt');
}

/** vitest globalSetup of vitest.conformance.config.ts: the run fails at once without a corpus. */
export default function setup(): void {
  const dir = corpusDir();
  console.log(`conformance corpus: ${dir}`);
}
