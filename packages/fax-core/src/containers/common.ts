// Shared pieces of the container readers and writers (PBM, TIFF Class F, SFF): the typed error,
// the limits that keep hostile files from allocating without bound, and small bit helpers.
import {
  type BilevelPage,
  MAX_PAGE_HEIGHT,
  MAX_PAGE_WIDTH,
  PageError,
  type VerticalResolution,
} from '../page.js';

export type ContainerFormat = 'pbm' | 'tiff' | 'sff';

/**
 * What went wrong, for callers that branch on it:
 * - `truncated`: the file ends before a structure it announces;
 * - `garbage`: not this format at all (bad magic, impossible structure);
 * - `invalid`: the right format, but a field has a value that cannot be used;
 * - `unsupported`: valid, but a feature we do not read (e.g. 8-bit TIFF, BigTIFF);
 * - `limit`: over one of the {@link ContainerLimits};
 * - `state`: an API used in the wrong order (e.g. SffReader.push after end()).
 */
export type ContainerErrorCode = 'truncated' | 'garbage' | 'invalid' | 'unsupported' | 'limit' | 'state';

/** The one error type the container readers and writers throw. */
export class ContainerError extends Error {
  readonly format: ContainerFormat | 'unknown';
  readonly code: ContainerErrorCode;
  constructor(format: ContainerFormat | 'unknown', code: ContainerErrorCode, message: string) {
    super(format === 'unknown' ? message : `${format.toUpperCase()}: ${message}`);
    this.name = 'ContainerError';
    this.format = format;
    this.code = code;
  }
}

/** Caps on what a reader accepts. Everything past them is a ContainerError of code `limit`. */
export interface ContainerLimits {
  /** Pages per document (default 1000). */
  maxPages: number;
  /** Pixels per row (default MAX_PAGE_WIDTH = 4864). */
  maxWidth: number;
  /** Rows per page (default MAX_PAGE_HEIGHT = 32768). */
  maxHeight: number;
  /** Sum of decoded bitmap bytes over all pages (default 256 MiB ≈ 500 A4 fine pages). */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: Readonly<ContainerLimits> = Object.freeze({
  maxPages: 1000,
  maxWidth: MAX_PAGE_WIDTH,
  maxHeight: MAX_PAGE_HEIGHT,
  maxTotalBytes: 256 * 1024 * 1024,
});

export function resolveLimits(l?: Partial<ContainerLimits>): ContainerLimits {
  const out = { ...DEFAULT_LIMITS, ...(l ?? {}) };
  // Never above the page model's own bounds.
  out.maxWidth = Math.min(out.maxWidth, MAX_PAGE_WIDTH);
  out.maxHeight = Math.min(out.maxHeight, MAX_PAGE_HEIGHT);
  return out;
}

/** Counts decoded bytes against maxTotalBytes and pages against maxPages. */
export class Budget {
  private bytes = 0;
  private pages = 0;
  constructor(
    private readonly format: ContainerFormat,
    readonly limits: ContainerLimits,
  ) {}
  checkSize(width: number, height: number, what = 'page'): void {
    if (!Number.isInteger(width) || width < 1 || width > this.limits.maxWidth) {
      throw new ContainerError(
        this.format,
        width > this.limits.maxWidth ? 'limit' : 'invalid',
        `${what} width ${width} is outside 1..${this.limits.maxWidth}`,
      );
    }
    if (!Number.isInteger(height) || height < 0 || height > this.limits.maxHeight) {
      throw new ContainerError(
        this.format,
        height > this.limits.maxHeight ? 'limit' : 'invalid',
        `${what} height ${height} is outside 0..${this.limits.maxHeight}`,
      );
    }
  }
  /** Call before decoding another page. */
  addPage(): void {
    this.pages++;
    if (this.pages > this.limits.maxPages) {
      throw new ContainerError(this.format, 'limit', `more than ${this.limits.maxPages} pages`);
    }
  }
  /** Call before allocating n bytes of bitmap. */
  reserve(n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxTotalBytes) {
      throw new ContainerError(
        this.format,
        'limit',
        `decoded pages would exceed ${this.limits.maxTotalBytes} bytes`,
      );
    }
  }
}

/** Fax quality figures of a received page (from the decoder), as TIFF-F records them. */
export interface PageQuality {
  /** Rows that could not be decoded and were replaced. */
  badLines: number;
  /** Longest run of consecutive bad rows. */
  consecutiveBadLines: number;
  /** The first and the last bad row (0-based), when there are bad rows (readers set them). */
  firstBadRow?: number;
  lastBadRow?: number;
}

/** Adds bad rows first..last (0-based) to the span of a quality record. */
export function spanBadRows(q: PageQuality, first: number, last: number): void {
  if (q.firstBadRow === undefined || first < q.firstBadRow) q.firstBadRow = first;
  if (q.lastBadRow === undefined || last > q.lastBadRow) q.lastBadRow = last;
}

/** A page handed to a writer: a bare page, or a page with its quality figures. */
export type PageInput = BilevelPage | { page: BilevelPage; quality?: PageQuality };

export function unwrapPage(p: PageInput): { page: BilevelPage; quality?: PageQuality } {
  return 'page' in p ? p : { page: p };
}

/** Nearest fax resolution for a vertical resolution in lines per inch. */
export function resolutionFromLpi(lpi: number): VerticalResolution {
  if (!(lpi > 0)) return 'fine';
  if (lpi < 147) return 'standard';
  if (lpi < 294) return 'fine';
  return 'superfine';
}

/** 256-entry table reversing the bit order of a byte (FillOrder 2, LSB-first data). */
export const BIT_REVERSE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let b = 0; b < 8; b++) if (i & (1 << b)) r |= 0x80 >>> b;
    t[i] = r;
  }
  return t;
})();

/** A bit-reversed copy. */
export function reverseBits(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = BIT_REVERSE[data[i]];
  return out;
}

/** Mask of the valid bits in the last byte of a row (0xff when width is a multiple of 8). */
export function lastByteMask(width: number): number {
  const rest = width & 7;
  return rest ? (0xff << (8 - rest)) & 0xff : 0xff;
}

/** Clears the padding bits right of the last pixel in every row (writers keep them 0). */
export function clearPadding(data: Uint8Array, width: number, height: number): void {
  const rest = width & 7;
  if (!rest) return;
  const stride = (width + 7) >>> 3;
  const mask = lastByteMask(width);
  for (let y = 0; y < height; y++) data[y * stride + stride - 1] &= mask;
}

/** True when the row has no black pixel (padding bits ignored). */
export function isWhiteRow(data: Uint8Array, offset: number, width: number): boolean {
  const full = width >>> 3;
  for (let i = 0; i < full; i++) if (data[offset + i] !== 0) return false;
  if (width & 7) return (data[offset + full] & lastByteMask(width)) === 0;
  return true;
}

/** Turns a PageError from the page model into a ContainerError. */
export function rethrowPageError(format: ContainerFormat, e: unknown): never {
  if (e instanceof PageError) throw new ContainerError(format, 'invalid', e.message);
  throw e;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
