// The records of one SFF page (see sff.ts for the format): MH line records and white-skip
// records, collected in one growing buffer. Shared by the pixel writer (encodeSffPageRecords)
// and the transcoder (sffRecordsFromCoded), so both frame rows the same way.
import { growBytes } from '../codec/grow.js';
import { ContainerError } from './common.js';

const err = (code: ConstructorParameters<typeof ContainerError>[1], msg: string) =>
  new ContainerError('sff', code, msg);

/** Records of one page, row by row: white() for a white row skipped, line() for a coded row. */
export class SffRecordBuilder {
  private out: Uint8Array;
  private o = 0;
  private white = 0;
  private y = 0;

  /** `estimate`: expected bytes (the buffer grows by doubling when it is too small). */
  constructor(estimate: number) {
    this.out = new Uint8Array(Math.max(1024, estimate));
  }

  private room(bytes: number): void {
    this.out = growBytes(this.out, this.o, bytes);
  }

  private flushWhite(): void {
    while (this.white > 0) {
      const n = Math.min(this.white, 37);
      this.room(1);
      this.out[this.o++] = 216 + n;
      this.white -= n;
    }
  }

  /** A white row, coded in a skip record 217..253 (runs of them share records). */
  whiteRow(): void {
    this.white++;
    this.y++;
  }

  /** A row's MH code (LSB first, byte padded) as a line record. */
  line(code: Uint8Array): void {
    this.flushWhite();
    const y = this.y++;
    if (code.length === 0) throw err('invalid', `row ${y} encoded to no bytes`);
    if (code.length <= 216) {
      this.room(1 + code.length);
      this.out[this.o++] = code.length;
    } else {
      if (code.length > 0xffff) throw err('limit', `row ${y} needs ${code.length} bytes`);
      this.room(3 + code.length);
      this.out[this.o++] = 0;
      this.out[this.o++] = code.length & 0xff;
      this.out[this.o++] = code.length >>> 8;
    }
    this.out.set(code, this.o);
    this.o += code.length;
  }

  /** The records (a copy); the builder is done. */
  finish(): Uint8Array {
    this.flushWhite();
    return this.out.slice(0, this.o);
  }
}
