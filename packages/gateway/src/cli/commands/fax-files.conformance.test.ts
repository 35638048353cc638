// `faxgate info` on the third-party corpus: the golden 8-page SFF Ghostscript wrote of the CCITT
// pages (npm run test:conformance; FAXGATE_CORPUS, default ../shared/testdata beside the
// repository — the run's global setup has checked it is there). npm test: fax-files.test.ts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFaxgate } from '../../testing/run-cli.js';

const repoRoot = path.resolve(import.meta.dirname, '../../../../..');
const corpus = process.env.FAXGATE_CORPUS
  ? path.resolve(process.env.FAXGATE_CORPUS)
  : path.resolve(repoRoot, '../shared/testdata');

describe('faxgate info on the CCITT corpus', () => {
  it("describes Ghostscript's 8-page SFF", async () => {
    const j = await runFaxgate(['info', '--json', path.join(corpus, 'ccitt/derived/sff/ccitt_8p.sff')]);
    expect(j.stderr).toBe('');
    expect(j.code).toBe(0);
    const info = JSON.parse(j.stdout);
    expect(info.format).toBe('sff');
    expect(info.pages).toBe(8);
    expect(info.pageInfo[7]).toMatchObject({
      page: 8,
      width: 1728,
      height: 2376,
      resolution: 'fine',
      coding: 'mh',
      badLines: 0,
    });
  });
});
