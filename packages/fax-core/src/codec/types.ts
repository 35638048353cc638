import type { BilevelPage, VerticalResolution } from '../page.js';

/**
 * The coding schemes of fax pages:
 * - `mh`: T.4 one-dimensional, modified Huffman (TIFF Compression 3 with 1-D, or 2 without EOLs);
 * - `mr`: T.4 two-dimensional, modified READ with a 1-D row every K rows (TIFF Compression 3, 2-D);
 * - `mmr`: T.6 modified modified READ, every row 2-D, no EOLs (TIFF Compression 4, ECM).
 */
export type Coding = 'mh' | 'mr' | 'mmr';

/** Bit order inside a byte: `msb` = first bit in the most significant bit (TIFF FillOrder 1, T.38 IFP), `lsb` = FillOrder 2 (SFF, most modems). */
export type BitOrder = 'msb' | 'lsb';

export interface EncodeOptions {
  coding: Coding;
  /**
   * MR only: one 1-D row, then k-1 2-D rows. T.4 allows 2 at standard resolution and 4 at fine and
   * above; any integer 1..1000 is accepted. Default: 2 for `standard` pages, else 4 (as libtiff does).
   */
  k?: number;
  /**
   * MH and MR: an EOL before every row (T.4; libtiff's TIFF framing). Default true. MR needs EOLs
   * (they carry the 1-D/2-D tag bit). MMR has no EOLs, so `true` is an error there.
   * `eol: false` with MH gives rows back to back (TIFF Compression 2 when combined with `fillBits`).
   */
  eol?: boolean;
  /**
   * With EOLs: zero fill bits before each EOL so the EOL ends on a byte boundary (TIFF T4Options
   * bit 2; what most fax modems send). Without EOLs (MH only): every row starts on a byte boundary
   * (TIFF Compression 2 framing). Default false.
   */
  fillBits?: boolean;
  /** MH and MR: append RTC, 6 EOLs (EOL+1 in MR), after the last row. Default false (libtiff's TIFF framing). */
  rtc?: boolean;
  /** MMR: append EOFB (two EOLs). Default true. */
  eofb?: boolean;
  /** Default `msb`. */
  bitOrder?: BitOrder;
}

export interface DecodeOptions {
  coding: Coding;
  /** Pixels per row, 1..MAX_PAGE_WIDTH. */
  width: number;
  /**
   * The number of rows, when the container knows it (TIFF ImageLength). Decoding stops after this
   * many rows, and the page has exactly this height: rows missing from the data stay white.
   * Without it, decoding runs to RTC / EOFB / the end of the data.
   */
  height?: number;
  /**
   * Without `height`: the most rows to accept (default MAX_PAGE_HEIGHT). A stream with more rows
   * is refused with CodecError `too-large`.
   */
  maxHeight?: number;
  /**
   * MH / MR: rows are preceded by EOLs. Default: detected from the start of the data (EOL or not);
   * MR always has EOLs. Ignored for MMR.
   */
  eol?: boolean;
  /** MH without EOLs: every row starts on a byte boundary (TIFF Compression 2). Default false. */
  fillBits?: boolean;
  /** Default `msb`. */
  bitOrder?: BitOrder;
  /** Stored in the page; default `fine`. */
  resolution?: VerticalResolution;
  /**
   * Throw CodecError (`bad-code` / `truncated`) at the first corrupt row instead of repairing it
   * the way a fax receiver does. Default false.
   */
  strict?: boolean;
}

/** Why decoding stopped. */
export type DecodeEnd =
  /** RTC (two or more EOLs in a row) in a T.4 stream. */
  | 'rtc'
  /** EOFB in a T.6 stream. */
  | 'eofb'
  /** The data ran out (libtiff's TIFF framing has no RTC, so this is normal for G3 TIFF strips). */
  | 'end-of-data'
  /** `height` rows were decoded. */
  | 'height'
  /** A row could not be decoded and the stream has no EOL to resynchronise on (MMR, MH without EOL). */
  | 'error';

export interface DecodeResult {
  page: BilevelPage;
  /** Rows found in the data (good and repaired); page.height may be larger when `height` was given. */
  rows: number;
  /** Rows that were corrupt and replaced by the previous row (TIFF BadFaxLines). */
  badLines: number;
  /** The longest run of consecutive bad rows (TIFF ConsecutiveBadFaxLines). */
  consecutiveBadLines: number;
  /** The first and the last bad row (0-based), -1 when there is none: where the damage is. */
  firstBadRow: number;
  lastBadRow: number;
  endedBy: DecodeEnd;
  /** Bytes of the input that belong to the page (up to and including RTC / EOFB when found). */
  bytesUsed: number;
}

export type CodecErrorCode = 'truncated' | 'bad-code' | 'too-large' | 'bad-option';

export class CodecError extends Error {
  readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string) {
    super(message);
    this.name = 'CodecError';
    this.code = code;
  }
}
