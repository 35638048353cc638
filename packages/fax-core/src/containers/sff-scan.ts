// SFF structure without pixels: follows a stream's records as SffReader does (page headers,
// rows per page, the same limits and errors, chunks cut at any byte) but decodes no row. For a
// receiver that reacts per page and decodes the pixels later, if at all — the simulator's
// remote fax machine. A line that would not decode is a row here as there (SffReader repairs
// it), so the two agree on every page and every error; sff-scan.test.ts holds them to that.

import type { VerticalResolution } from '../page.js';
import { Budget, ContainerError, type ContainerLimits, resolveLimits } from './common.js';
import { SFF_DOCUMENT_HEADER_SIZE, type SffPageInfo, type SffReaderOptions } from './sff.js';

const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
  new ContainerError('sff', code, msg);

const VRES: Record<number, VerticalResolution> = {
  0: 'standard',
  1: 'fine',
  2: 'superfine',
  254: 'superfine',
  255: 'superfine',
};

type State =
  | 'header' // 20 bytes of document header
  | 'skip' // bytes up to the first page header
  | 'type' // a record type byte
  | 'pageLen' // FE: length byte
  | 'pageBody' // FE: header body
  | 'lineLen16' // 00: u16 length
  | 'line' // line bytes (skipped, not decoded)
  | 'ffLen' // FF: length byte
  | 'userInfo' // FF n: n bytes (skipped)
  | 'done'; // after FE 00

export type SffScannerOptions = Pick<SffReaderOptions, 'limits' | 'requireEnd'>;

/**
 * Incremental SFF scanner: push() returns the pages (their SffPageInfo, as SffReader gives it)
 * completed by a chunk, end() what is left; both throw the ContainerError SffReader would throw
 * for the same bytes. Memory is one page header; no row is decoded or kept.
 */
export class SffScanner {
  private state: State = 'header';
  /** bytes still needed in the current state */
  private need = SFF_DOCUMENT_HEADER_SIZE;
  /** length of the record being skipped (line, user information) */
  private recordLen = 0;
  private readonly acc = new Uint8Array(255); // the longest field collected: a page header body
  private accLen = 0;
  private offset = 0;
  private current: SffPageInfo | undefined;
  private stride = 0;
  private pageCount = 0;
  private finished = false;
  private readonly limits: ContainerLimits;
  private readonly budget: Budget;
  private readonly requireEnd: boolean;
  private out: SffPageInfo[] = [];

  constructor(options: SffScannerOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.budget = new Budget('sff', this.limits);
    this.requireEnd = options.requireEnd ?? true;
  }

  /** True once the FE 00 end-of-document record has been read. */
  get complete(): boolean {
    return this.state === 'done';
  }

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.offset;
  }

  /** Feeds the next chunk; returns the pages it completed. */
  push(chunk: Uint8Array): SffPageInfo[] {
    if (this.finished) throw err('state', 'push() after end()');
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const state = this.state;
      if (state === 'done') {
        this.offset += n - i;
        break;
      }
      if (state === 'type') {
        this.offset++;
        this.onType(chunk[i++]);
        continue;
      }
      if (state === 'skip' || state === 'line' || state === 'userInfo') {
        const take = Math.min(this.need, n - i);
        i += take;
        this.offset += take;
        this.need -= take;
        if (this.need === 0) this.onSkipped(state);
        continue;
      }
      const take = Math.min(this.need - this.accLen, n - i);
      this.acc.set(chunk.subarray(i, i + take), this.accLen);
      this.accLen += take;
      i += take;
      this.offset += take;
      if (this.accLen < this.need) break;
      this.accLen = 0;
      this.onData(this.acc.subarray(0, this.need));
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Ends the stream: returns the remaining page, or throws if the stream is cut short. */
  end(): SffPageInfo[] {
    if (this.finished) return [];
    this.finished = true;
    if (this.state !== 'done') {
      if (this.state === 'header') {
        throw err('truncated', `stream ends after ${this.offset} bytes, inside the 20-byte document header`);
      }
      if (this.state !== 'type' || this.requireEnd) {
        const where =
          this.state === 'type' ? 'without the end-of-document record (FE 00)' : 'in the middle of a record';
        throw err('truncated', `stream ends ${where} after ${this.offset} bytes`);
      }
      this.finishPage();
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  private enter(state: State, need: number): void {
    this.state = state;
    this.need = need;
    this.accLen = 0;
  }

  private onType(b: number): void {
    if (b === 0xfe) {
      this.finishPage();
      this.enter('pageLen', 1);
      return;
    }
    if (!this.current) {
      throw err(
        'garbage',
        `record 0x${b.toString(16)} at offset ${this.offset - 1} comes before the first page header`,
      );
    }
    if (b >= 1 && b <= 216) {
      this.recordLen = b;
      this.enter('line', b);
      return;
    }
    if (b === 0) {
      this.enter('lineLen16', 2);
      return;
    }
    if (b === 0xff) {
      this.enter('ffLen', 1);
      return;
    }
    // 217..253: white lines
    this.current.records++;
    for (let k = b - 216; k > 0; k--) this.addRow();
  }

  /** The last byte of a skipped stretch has arrived. */
  private onSkipped(state: 'skip' | 'line' | 'userInfo'): void {
    if (state === 'line') {
      this.current!.records++;
      this.addRow();
    } else if (state === 'userInfo') this.current!.userInfoBytes += this.recordLen;
    this.enter('type', 1);
  }

  private onData(d: Uint8Array): void {
    switch (this.state) {
      case 'header':
        this.onHeader(d);
        return;
      case 'pageLen':
        if (d[0] === 0) {
          this.finishPage();
          this.state = 'done';
          return;
        }
        this.enter('pageBody', d[0]);
        return;
      case 'pageBody':
        this.onPageHeader(d);
        this.enter('type', 1);
        return;
      case 'lineLen16': {
        const len = d[0] | (d[1] << 8);
        if (len === 0) {
          // a line without code bytes: a bad row
          this.current!.records++;
          this.addRow();
          this.enter('type', 1);
          return;
        }
        this.recordLen = len;
        this.enter('line', len);
        return;
      }
      case 'ffLen':
        if (d[0] === 0) {
          // 255 00: one corrupt line
          this.current!.records++;
          this.addRow();
          this.enter('type', 1);
          return;
        }
        this.recordLen = d[0];
        this.enter('userInfo', d[0]);
        return;
      default:
        throw err('state', `internal: unexpected state ${this.state}`);
    }
  }

  private onHeader(d: Uint8Array): void {
    if (!(d[0] === 0x53 && d[1] === 0x66 && d[2] === 0x66 && d[3] === 0x66)) {
      throw err('garbage', 'not an SFF file (no "Sfff" magic)');
    }
    const version = d[4];
    if (version > 1) throw err('unsupported', `SFF version ${version} (1 expected)`);
    const firstPageOffset = d[10] | (d[11] << 8);
    // 0 = not filled in: the first page header follows the document header
    const first = firstPageOffset === 0 ? SFF_DOCUMENT_HEADER_SIZE : firstPageOffset;
    if (first < SFF_DOCUMENT_HEADER_SIZE) {
      throw err('invalid', `first page header offset ${first} lies inside the document header`);
    }
    if (first > SFF_DOCUMENT_HEADER_SIZE) this.enter('skip', first - SFF_DOCUMENT_HEADER_SIZE);
    else this.enter('type', 1);
  }

  private onPageHeader(d: Uint8Array): void {
    const at = this.offset - d.length - 2;
    if (d.length < 6)
      throw err('invalid', `page header at offset ${at} is ${d.length} bytes long (at least 6 needed)`);
    const vres = d[0];
    const coding = d[2];
    const width = d[4] | (d[5] << 8);
    const u32 = (o: number) =>
      d.length >= o + 4 ? (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0 : 0;
    const resolution = VRES[vres];
    if (!resolution) throw err('invalid', `page header at offset ${at}: vertical resolution code ${vres}`);
    if (coding !== 0) throw err('unsupported', `page header at offset ${at}: coding ${coding} (only 0 = MH)`);
    if (width === 0) throw err('invalid', `page header at offset ${at}: line length 0`);
    if (width > this.limits.maxWidth) {
      throw err('limit', `page header at offset ${at}: line length ${width} exceeds ${this.limits.maxWidth}`);
    }
    this.finishPage();
    this.budget.addPage();
    this.stride = (width + 7) >>> 3;
    this.current = {
      index: this.pageCount,
      verticalResolutionCode: vres,
      horizontalResolutionCode: d[1],
      coding,
      resolution,
      width,
      declaredHeight: d.length >= 8 ? d[6] | (d[7] << 8) : 0,
      height: 0,
      previousPageOffset: u32(8),
      nextPageOffset: u32(12),
      userInfoBytes: 0,
      records: 0,
    };
    this.pageCount++;
  }

  /** One more row on the current page, counted against the limits as SffReader counts it. */
  private addRow(): void {
    const p = this.current!;
    if (p.height >= this.limits.maxHeight) {
      throw err('limit', `page ${p.index + 1} has more than ${this.limits.maxHeight} rows`);
    }
    this.budget.reserve(this.stride);
    p.height++;
  }

  private finishPage(): void {
    const p = this.current;
    if (!p) return;
    this.current = undefined;
    this.out.push(p);
  }
}
