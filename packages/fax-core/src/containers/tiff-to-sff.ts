// Fax TIFFs (the gateway stores one single-page MMR TIFF per page) to the SFF document a CAPI
// card sends. A page in one CCITT strip is transcoded without pixels (sff-transcode.ts); any
// other page — more strips, MinIsBlack, a resolution to convert, rows to repair — goes the
// pixel path. Either way the document is what writeSff makes of the decoded pages.
import { CodecError } from '../codec/index.js';
import {
  type BilevelPage,
  convertResolution,
  LINES_PER_INCH,
  strideFor,
  type VerticalResolution,
} from '../page.js';
import { Budget, ContainerError, type ContainerLimits, concatBytes, resolveLimits } from './common.js';
import { encodeSffPageRecords, type SffPageRecords, sffChunksOfRecords } from './sff.js';
import { sffRecordsFromCoded } from './sff-transcode.js';
import { decodeTiffPage, inspectTiff, stripDecodeOptions, stripRanges, type TiffPageInfo } from './tiff.js';
import { type Ifd, TiffFile } from './tiff-structure.js';

export interface SffFromTiffsOptions {
  /** Per TIFF, as readTiff applies them. */
  limits?: Partial<ContainerLimits>;
  /** Code runs of white rows as skip records (default true, as writeSff). */
  whiteSkip?: boolean;
  /** Pages finer than this are converted down (convertResolution) first. Default: none are. */
  maxResolution?: VerticalResolution;
}

export interface SffFromTiffsResult {
  sff: Uint8Array;
  /** Pages in the document. */
  pages: number;
  /** Of them, pages transcoded without pixels; the others were decoded and encoded again. */
  transcoded: number;
}

/**
 * One SFF document of all pages of the TIFFs, in order: byte for byte `writeSff(pages)` of the
 * pages readTiff decodes (converted to `maxResolution` where finer). Throws ContainerError
 * where readTiff does (unreadable TIFF, limits).
 */
export function sffFromTiffs(
  tiffs: readonly Uint8Array[],
  options: SffFromTiffsOptions = {},
): SffFromTiffsResult {
  const limits = resolveLimits(options.limits);
  const whiteSkip = options.whiteSkip ?? true;
  const pages: SffPageRecords[] = [];
  let transcoded = 0;
  for (const data of tiffs) {
    const file = new TiffFile(data);
    const budget = new Budget('tiff', limits);
    for (const info of inspectTiff(data, { limits }).pages) {
      budget.addPage();
      budget.reserve(strideFor(info.width) * info.height);
      const ifd = file.readIfd(info.ifdOffset);
      const records = finerThan(info.resolution, options.maxResolution)
        ? null
        : transcode(file, ifd, info, whiteSkip);
      if (records !== null) {
        pages.push({ page: info, records });
        transcoded++;
        continue;
      }
      let page: BilevelPage = decodeTiffPage(file, ifd, info).page;
      if (options.maxResolution !== undefined && finerThan(page.resolution, options.maxResolution))
        page = convertResolution(page, options.maxResolution);
      pages.push({ page, records: encodeSffPageRecords(page, whiteSkip) });
    }
  }
  return { sff: concatBytes(sffChunksOfRecords(pages)), pages: pages.length, transcoded };
}

function finerThan(res: VerticalResolution, max: VerticalResolution | undefined): boolean {
  return max !== undefined && LINES_PER_INCH[res] > LINES_PER_INCH[max];
}

/** The page's records without pixels, or null when it needs the pixel path. */
function transcode(file: TiffFile, ifd: Ifd, info: TiffPageInfo, whiteSkip: boolean): Uint8Array | null {
  const ccitt = info.coding === 'mh' || info.coding === 'mr' || info.coding === 'mmr';
  // MinIsBlack and palettes would need the colours swapped; several strips, their seams
  if (!ccitt || info.strips !== 1 || info.photometric !== 0) return null;
  const [{ offset, count }] = stripRanges(file, ifd, info);
  try {
    return sffRecordsFromCoded(
      file.data.subarray(offset, offset + count),
      { ...stripDecodeOptions(info, info.height), height: info.height },
      whiteSkip,
    );
  } catch (e) {
    // the pixel path reports it in its own words (or repairs what it can)
    if (e instanceof CodecError || e instanceof ContainerError) return null;
    throw e;
  }
}
