// A coded page (MH, MR or MMR) straight to SFF records, row by row as changing elements: no
// pixels are painted and none are scanned again, which is most of the work of the pixel path
// (decodePage, then encodeSffPageRecords). The output is the pixel path's byte for byte; pages
// the pixel path would repair are left to it.

import type { DecodeOptions } from '../codec/index.js';
import { decodePageRuns, MhRowEncoder } from '../codec/index.js';
import { SffRecordBuilder } from './sff-records.js';

/**
 * The SFF records of a coded page: what `encodeSffPageRecords(decodePage(code, opts).page,
 * whiteSkip)` returns, without the pixels. `opts` as for decodePage, with the page's `height`.
 * Returns null when the page is not clean — a corrupt row (the pixel path repairs it) or fewer
 * rows than `height` (the pixel path leaves them white) — so the caller takes the pixel path.
 * Throws CodecError for bad options and pages over the caps, as decodePage does.
 */
export function sffRecordsFromCoded(
  code: Uint8Array,
  opts: DecodeOptions & { height: number },
  whiteSkip = true,
): Uint8Array | null {
  const encoder = new MhRowEncoder(opts.width, 'lsb');
  // MH rows take about twice the bytes of MMR ones
  const records = new SffRecordBuilder(code.length * 2);
  const result = decodePageRuns(code, opts, (changes, n) => {
    if (n === 0 && whiteSkip) records.whiteRow();
    else records.line(encoder.encodeChanges(changes, n));
  });
  if (result.badLines > 0 || result.rows !== opts.height) return null;
  return records.finish();
}
