// rcapi framing: a 2-byte big-endian length that counts itself, then one CAPI message
// (plus DATA_B3 data). libcapi20 reads server frames into a 4096-byte stack buffer, so we
// never send a bigger one, and refuse bigger ones from clients as well.

/** Largest frame (length word included) either side may send. */
export const MAX_FRAME = 4096;
/** A CAPI message header is 8 bytes; a frame must at least carry one. */
export const MIN_FRAME = 2 + 8;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Wraps one message (+ optional data) into a frame, allocated once so it goes out in ONE write. */
export function encodeFrame(message: Uint8Array, data?: Uint8Array): Buffer {
  const total = 2 + message.length + (data ? data.length : 0);
  if (total > MAX_FRAME) throw new FrameError(`frame of ${total} bytes exceeds ${MAX_FRAME}`);
  const frame = Buffer.allocUnsafe(total);
  frame.writeUInt16BE(total, 0);
  frame.set(message, 2);
  if (data) frame.set(data, 2 + message.length);
  return frame;
}

/**
 * Accumulates socket chunks and yields whole frames (without the length word). Throws a
 * FrameError on a length that cannot be a valid frame; the caller then drops the connection,
 * because a stream that lost sync cannot be trusted again.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    let buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (buf.length - offset >= 2) {
      const n = buf.readUInt16BE(offset);
      if (n < MIN_FRAME) throw new FrameError(`frame length ${n} is below ${MIN_FRAME}`);
      if (n > MAX_FRAME) throw new FrameError(`frame length ${n} exceeds ${MAX_FRAME}`);
      if (buf.length - offset < n) break;
      frames.push(buf.subarray(offset + 2, offset + n));
      offset += n;
    }
    buf = buf.subarray(offset);
    this.pending = buf.length ? [buf] : [];
    this.pendingBytes = buf.length;
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.pendingBytes;
  }
}
