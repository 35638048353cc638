import { CapiCodecError } from './errors.js';

/** Growable little-endian writer. Values are range-checked; structs get their length prefix. */
export class CapiWriter {
  private buf: Buffer;
  offset = 0;
  field: string | undefined;

  constructor(initialSize = 128) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  private check(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new CapiCodecError(
        typeof v === 'number' && !Number.isNaN(v) ? 'value-out-of-range' : 'bad-value',
        this.offset,
        `${what} ${String(v)} not an integer in 0..${max}`,
        this.field,
      );
    }
  }

  u8(v: number): this {
    this.check(v, 0xff, 'byte');
    this.ensure(1);
    this.buf[this.offset++] = v;
    return this;
  }

  u16(v: number): this {
    this.check(v, 0xffff, 'word');
    this.ensure(2);
    this.buf[this.offset++] = v & 0xff;
    this.buf[this.offset++] = v >>> 8;
    return this;
  }

  u32(v: number): this {
    this.check(v, 0xffffffff, 'dword');
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.offset);
    this.offset += 4;
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
      throw new CapiCodecError('value-out-of-range', this.offset, `qword ${String(v)}`, this.field);
    }
    this.ensure(8);
    this.buf.writeBigUInt64LE(v, this.offset);
    this.offset += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    if (!(v instanceof Uint8Array)) {
      throw new CapiCodecError('bad-value', this.offset, 'expected a Uint8Array', this.field);
    }
    this.ensure(v.length);
    this.buf.set(v, this.offset);
    this.offset += v.length;
    return this;
  }

  /** A struct from ready contents: short form below 255 bytes, else 0xFF + u16. */
  struct(contents: Uint8Array | undefined): this {
    if (contents === undefined || contents.length === 0) return this.u8(0);
    if (!(contents instanceof Uint8Array)) {
      throw new CapiCodecError('bad-value', this.offset, 'struct must be a Uint8Array', this.field);
    }
    if (contents.length > 0xffff) {
      throw new CapiCodecError(
        'value-out-of-range',
        this.offset,
        `struct of ${contents.length} bytes exceeds 65535`,
        this.field,
      );
    }
    if (contents.length < 0xff) this.u8(contents.length);
    else this.u8(0xff).u16(contents.length);
    return this.bytes(contents);
  }

  /** Opens a struct whose contents are written next; close it with `endStruct(mark)`. */
  beginStruct(): number {
    const mark = this.offset;
    this.u8(0);
    return mark;
  }

  endStruct(mark: number): this {
    const len = this.offset - mark - 1;
    if (len < 0xff) {
      this.buf[mark] = len;
      return this;
    }
    if (len > 0xffff) {
      throw new CapiCodecError(
        'value-out-of-range',
        mark,
        `struct of ${len} bytes exceeds 65535`,
        this.field,
      );
    }
    // Long form: shift the contents two bytes to the right.
    this.ensure(2);
    this.buf.copy(this.buf, mark + 3, mark + 1, this.offset);
    this.buf[mark] = 0xff;
    this.buf[mark + 1] = len & 0xff;
    this.buf[mark + 2] = len >>> 8;
    this.offset += 2;
    return this;
  }

  patchU16(at: number, v: number): void {
    this.buf[at] = v & 0xff;
    this.buf[at + 1] = v >>> 8;
  }

  /** What was written (a view of the writer's buffer; the writer is not reused). */
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}
