import { CapiCodecError } from './errors.js';

/**
 * Bounds-checked little-endian reader over a window of a byte array. Every read checks
 * against `end` and throws a CapiCodecError instead of reading past it.
 */
export class CapiReader {
  readonly bytes: Uint8Array;
  offset: number;
  end: number;
  /** Name of the field being read, for error messages. */
  field: string | undefined;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = Math.min(end, bytes.length);
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.end) {
      throw new CapiCodecError(
        'truncated',
        this.offset,
        `need ${n} byte(s), ${this.end - this.offset} left`,
        this.field,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 2;
    return b[o] | (b[o + 1] << 8);
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
  }

  u64(): bigint {
    this.need(8);
    const lo = BigInt(this.u32());
    const hi = BigInt(this.u32());
    return (hi << 32n) | lo;
  }

  /** `n` raw bytes (a view, not a copy). */
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /**
   * A CAPI struct: one length byte, or 0xFF followed by a u16 length; returns the contents
   * (a view). A length that runs past `end` is a 'struct-overflow'.
   */
  struct(): Uint8Array {
    const start = this.offset;
    let len = this.u8();
    if (len === 0xff) len = this.u16();
    if (this.offset + len > this.end) {
      throw new CapiCodecError(
        'struct-overflow',
        start,
        `struct of ${len} byte(s) but only ${this.end - this.offset} left`,
        this.field,
      );
    }
    const v = this.bytes.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }
}
