// The bilevel fax page: the one in-memory image every codec, container and renderer shares.
// Pixels are packed 8 per byte, most significant bit = leftmost pixel, 1 = black
// (the PBM and TIFF MinIsWhite convention), rows padded to whole bytes.

/** Vertical resolutions of G3 fax (ITU-T T.4): 3.85, 7.7 and 15.4 lines/mm. */
export type VerticalResolution = 'standard' | 'fine' | 'superfine';

/** Lines per inch as TIFF-F and SFF record them. */
export const LINES_PER_INCH: Readonly<Record<VerticalResolution, number>> = {
  standard: 98,
  fine: 196,
  superfine: 391,
};

/** Horizontal resolution of every G3 page width here: 8 pels/mm ≈ 204 dpi. */
export const PELS_PER_INCH = 204;

/** Page widths of G3 fax: A4, B4, A3 at 8 pels/mm. */
export const FAX_WIDTHS = [1728, 2048, 2432] as const;
export const A4_WIDTH = 1728;

/** Upper bounds that keep a hostile file from making us allocate without limit. */
export const MAX_PAGE_WIDTH = 4864;
export const MAX_PAGE_HEIGHT = 32768;

export interface BilevelPage {
  readonly width: number;
  readonly height: number;
  /** Bytes per row: ceil(width / 8). */
  readonly stride: number;
  /** height * stride bytes, 1 = black, MSB first. */
  readonly data: Uint8Array;
  readonly resolution: VerticalResolution;
}

export class PageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageError';
  }
}

export function strideFor(width: number): number {
  return (width + 7) >>> 3;
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || width < 1 || width > MAX_PAGE_WIDTH) {
    throw new PageError(`page width ${width} is outside 1..${MAX_PAGE_WIDTH}`);
  }
  if (!Number.isInteger(height) || height < 0 || height > MAX_PAGE_HEIGHT) {
    throw new PageError(`page height ${height} is outside 0..${MAX_PAGE_HEIGHT}`);
  }
}

/** A white page. */
export function createPage(
  width: number,
  height: number,
  resolution: VerticalResolution = 'fine',
): BilevelPage {
  checkSize(width, height);
  const stride = strideFor(width);
  return { width, height, stride, data: new Uint8Array(stride * height), resolution };
}

/** Wraps existing packed rows (no copy). */
export function pageFromData(
  width: number,
  height: number,
  data: Uint8Array,
  resolution: VerticalResolution = 'fine',
): BilevelPage {
  checkSize(width, height);
  const stride = strideFor(width);
  if (data.length < stride * height) {
    throw new PageError(
      `page data has ${data.length} bytes, ${stride * height} needed for ${width}x${height}`,
    );
  }
  return { width, height, stride, data: data.subarray(0, stride * height), resolution };
}

export function getPixel(page: BilevelPage, x: number, y: number): 0 | 1 {
  return ((page.data[y * page.stride + (x >>> 3)] >>> (7 - (x & 7))) & 1) as 0 | 1;
}

export function setPixel(page: BilevelPage, x: number, y: number, black: boolean): void {
  const i = y * page.stride + (x >>> 3);
  const bit = 0x80 >>> (x & 7);
  if (black) page.data[i] |= bit;
  else page.data[i] &= ~bit;
}

/** The rows of a page as views (no copy). */
export function row(page: BilevelPage, y: number): Uint8Array {
  return page.data.subarray(y * page.stride, (y + 1) * page.stride);
}

/**
 * Converts between vertical resolutions by repeating rows (up) or OR-ing pairs of rows
 * (down, so thin horizontal lines survive) — what fax machines do for 98↔196↔391 lpi.
 */
export function convertResolution(page: BilevelPage, to: VerticalResolution): BilevelPage {
  if (page.resolution === to) return page;
  const from = LINES_PER_INCH[page.resolution];
  const target = LINES_PER_INCH[to];
  const { stride, width } = page;
  if (target > from) {
    const factor = Math.round(target / from);
    const out = createPage(width, Math.min(page.height * factor, MAX_PAGE_HEIGHT), to);
    for (let y = 0; y < out.height; y++) {
      const src = Math.floor(y / factor);
      out.data.set(page.data.subarray(src * stride, (src + 1) * stride), y * stride);
    }
    return out;
  }
  const factor = Math.round(from / target);
  const out = createPage(width, Math.ceil(page.height / factor), to);
  for (let y = 0; y < out.height; y++) {
    const dst = y * stride;
    for (let k = 0; k < factor; k++) {
      const sy = y * factor + k;
      if (sy >= page.height) break;
      const s = sy * stride;
      for (let i = 0; i < stride; i++) out.data[dst + i] |= page.data[s + i];
    }
  }
  return out;
}

/** True when both pages have the same size and pixels (padding bits ignored). */
export function pagesEqual(a: BilevelPage, b: BilevelPage): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  const full = a.width >>> 3;
  const rest = a.width & 7;
  const mask = rest ? (0xff << (8 - rest)) & 0xff : 0;
  for (let y = 0; y < a.height; y++) {
    const o = y * a.stride;
    for (let i = 0; i < full; i++) if (a.data[o + i] !== b.data[o + i]) return false;
    if (rest && (a.data[o + full] & mask) !== (b.data[o + full] & mask)) return false;
  }
  return true;
}
