// Netpbm PBM: P4 (raw) and P1 (plain) read, P4 write. Comments (#… to end of line) may stand
// between header tokens. Several images one after another (netpbm's multi-image stream) are
// read as several pages, and a multi-page document is written that way.
// PBM carries no resolution; the caller says which one the rows are (default fine, 196 lpi).
import { type BilevelPage, pageFromData, strideFor, type VerticalResolution } from '../page.js';
import {
  Budget,
  ContainerError,
  type ContainerLimits,
  clearPadding,
  concatBytes,
  type PageInput,
  resolveLimits,
  unwrapPage,
} from './common.js';

export interface PbmReadOptions {
  /** Resolution to tag the pages with (PBM does not store one). Default 'fine'. */
  resolution?: VerticalResolution;
  limits?: Partial<ContainerLimits>;
}

export interface PbmImageInfo {
  /** 'P4' raw or 'P1' plain. */
  variant: 'P4' | 'P1';
  width: number;
  height: number;
  comments: string[];
}

export interface PbmDocument {
  pages: BilevelPage[];
  info: PbmImageInfo[];
}

const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
  new ContainerError('pbm', code, msg);

const isSpace = (c: number) =>
  c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

class HeaderCursor {
  pos: number;
  readonly comments: string[] = [];
  constructor(
    private readonly d: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  /** Skips whitespace and comments. */
  skip(): void {
    const d = this.d;
    while (this.pos < d.length) {
      const c = d[this.pos];
      if (isSpace(c)) this.pos++;
      else if (c === 0x23 /* # */) {
        const start = this.pos + 1;
        while (this.pos < d.length && d[this.pos] !== 0x0a && d[this.pos] !== 0x0d) this.pos++;
        if (this.comments.length < 64) {
          this.comments.push(
            new TextDecoder('latin1').decode(d.subarray(start, Math.min(this.pos, start + 256))).trim(),
          );
        }
      } else break;
    }
  }
  /** Reads an unsigned decimal number token. */
  number(what: string): number {
    this.skip();
    const d = this.d;
    if (this.pos >= d.length) throw err('truncated', `file ends before the ${what}`);
    let v = 0;
    let digits = 0;
    while (this.pos < d.length && d[this.pos] >= 0x30 && d[this.pos] <= 0x39) {
      v = v * 10 + (d[this.pos] - 0x30);
      digits++;
      this.pos++;
      if (digits > 9) throw err('limit', `${what} has too many digits`);
    }
    if (digits === 0) throw err('garbage', `expected the ${what} at byte ${this.pos}`);
    if (this.pos < d.length && !isSpace(d[this.pos]) && d[this.pos] !== 0x23) {
      throw err('garbage', `unexpected byte after the ${what} at byte ${this.pos}`);
    }
    return v;
  }
}

/** True when the bytes start like a PBM (P1 or P4). */
export function isPbm(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x50 && (data[1] === 0x34 || data[1] === 0x31);
}

/** Reads one or more PBM images (P4 or P1). */
export function readPbm(data: Uint8Array, options: PbmReadOptions = {}): PbmDocument {
  const limits = resolveLimits(options.limits);
  const budget = new Budget('pbm', limits);
  const resolution = options.resolution ?? 'fine';
  const pages: BilevelPage[] = [];
  const info: PbmImageInfo[] = [];
  let pos = 0;
  for (;;) {
    if (data.length - pos < 2) {
      if (pages.length === 0) throw err('truncated', 'file too short for a PBM header');
      break;
    }
    if (data[pos] !== 0x50 /* P */) {
      if (pages.length === 0) throw err('garbage', 'not a PBM file (no P1/P4 magic)');
      break; // trailing bytes after the last image are ignored
    }
    const kind = data[pos + 1];
    if (kind !== 0x34 && kind !== 0x31) {
      if (pages.length > 0 && (kind < 0x30 || kind > 0x39)) break;
      if (kind >= 0x32 && kind <= 0x37) {
        throw err(
          'unsupported',
          `P${String.fromCharCode(kind)} (grey or colour netpbm) is not a bilevel PBM`,
        );
      }
      throw err('garbage', 'not a PBM file (no P1/P4 magic)');
    }
    budget.addPage();
    const cur = new HeaderCursor(data, pos + 2);
    if (cur.pos < data.length && !isSpace(data[cur.pos]) && data[cur.pos] !== 0x23) {
      throw err('garbage', 'no whitespace after the magic number');
    }
    const width = cur.number('width');
    const height = cur.number('height');
    budget.checkSize(width, height);
    if (width === 0) throw err('invalid', 'width 0');
    const stride = strideFor(width);
    budget.reserve(stride * height);
    const rows = new Uint8Array(stride * height);
    if (kind === 0x34) {
      // exactly one whitespace byte, then the raster
      if (cur.pos >= data.length) throw err('truncated', 'file ends in the header');
      cur.pos++;
      const need = stride * height;
      if (data.length - cur.pos < need) {
        throw err(
          'truncated',
          `raster has ${data.length - cur.pos} bytes, ${need} needed for ${width}x${height}`,
        );
      }
      rows.set(data.subarray(cur.pos, cur.pos + need));
      pos = cur.pos + need;
    } else {
      let p = cur.pos;
      const total = width * height;
      for (let i = 0; i < total; i++) {
        let c = 0;
        for (;;) {
          if (p >= data.length) throw err('truncated', `plain raster ends after ${i} of ${total} pixels`);
          c = data[p++];
          if (c === 0x30 || c === 0x31) break;
          if (isSpace(c)) continue;
          if (c === 0x23) {
            while (p < data.length && data[p] !== 0x0a && data[p] !== 0x0d) p++;
            continue;
          }
          throw err('garbage', `unexpected byte 0x${c.toString(16)} in the plain raster`);
        }
        if (c === 0x31) {
          const y = Math.floor(i / width);
          const x = i - y * width;
          rows[y * stride + (x >>> 3)] |= 0x80 >>> (x & 7);
        }
      }
      pos = p;
    }
    clearPadding(rows, width, height);
    pages.push(pageFromData(width, height, rows, resolution));
    info.push({ variant: kind === 0x34 ? 'P4' : 'P1', width, height, comments: cur.comments });
    // next image? skip whitespace between images
    while (pos < data.length && isSpace(data[pos])) pos++;
    if (pos >= data.length) break;
  }
  return { pages, info };
}

export interface PbmWriteOptions {
  /** A comment line for the header of every image (no newlines). */
  comment?: string;
}

/** Writes the pages as raw PBM (P4) images one after another. */
export function writePbm(pages: readonly PageInput[], options: PbmWriteOptions = {}): Uint8Array {
  if (pages.length === 0) throw new ContainerError('pbm', 'invalid', 'no pages to write');
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const input of pages) {
    const { page } = unwrapPage(input);
    if (page.height === 0) throw new ContainerError('pbm', 'invalid', 'cannot write a page with 0 rows');
    const comment = options.comment ? `# ${options.comment.replace(/[\r\n]+/g, ' ')}\n` : '';
    parts.push(enc.encode(`P4\n${comment}${page.width} ${page.height}\n`));
    const rows = page.data.slice(0, page.stride * page.height);
    clearPadding(rows, page.width, page.height);
    parts.push(rows);
  }
  return concatBytes(parts);
}
