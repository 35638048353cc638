/**
 * rcapi framing (capi-reference §3.1): u16 big-endian length that counts itself, then a CAPI
 * message (plus DATA_B3 payload). One write per frame (P7).
 */
import { Limits } from '../../codec/constants.js';

export class RcapiFramingError extends Error {
  override readonly name = 'RcapiFramingError';
}

/** Wraps a message (and optional trailing data) in one frame. */
export function frame(msg: Uint8Array, data?: Uint8Array): Buffer {
  const n = 2 + msg.length + (data?.length ?? 0);
  if (n > 0xffff) throw new RcapiFramingError(`frame of ${n} bytes does not fit the 16-bit length`);
  const f = Buffer.allocUnsafe(n);
  f.writeUInt16BE(n, 0);
  f.set(msg, 2);
  if (data) f.set(data, 2 + msg.length);
  return f;
}

/**
 * Accumulates socket chunks and cuts them into frames. Frames above `maxFrame` (the library's
 * 4096-byte receive buffer, P4) or below the 8-byte CAPI header are protocol violations: the
 * reader throws and the connection must be dropped.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrame: number = Limits.MAX_SERVER_FRAME) {}

  /** Feeds a chunk; returns the complete frames' contents (without the length prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 2) {
      const head = this.peek2();
      const n = (head[0] << 8) | head[1];
      if (n < 2 + 8) throw new RcapiFramingError(`frame length ${n} is shorter than a CAPI header`);
      if (n - 2 > this.maxFrame) {
        throw new RcapiFramingError(`frame of ${n - 2} bytes exceeds the ${this.maxFrame}-byte limit`);
      }
      if (this.buffered < n) break;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      out.push(all.subarray(2, n));
      const rest = all.subarray(n);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }

  private peek2(): Uint8Array {
    const first = this.chunks[0];
    if (first.length >= 2) return first;
    return Buffer.concat(this.chunks, this.buffered).subarray(0, 2);
  }

  get pending(): number {
    return this.buffered;
  }
}
