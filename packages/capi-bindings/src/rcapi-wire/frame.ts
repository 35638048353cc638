/**
 * rcapi framing, both directions (capi-reference §3.1): a u16 big-endian length that counts
 * itself, then the frame body — one CAPI message, for DATA_B3 followed by its data.
 *
 * One limit for both sides, RCAPI_MAX_FRAME_BODY: the body (message + data, the 2-byte
 * length word NOT counted) is at most 4096 bytes, because libcapi20 reads the body into a
 * 4096-byte stack buffer and a bigger one aborts the process (P4). A frame on the wire is
 * therefore at most 4098 bytes. Every frame is built in one buffer so it goes out in one
 * write (P7).
 */
import { Limits } from '../codec/constants.js';
import { RcapiWireError } from './errors.js';

/** Largest frame body (message + data, without the length word) either side may send. */
export const RCAPI_MAX_FRAME_BODY = Limits.MAX_SERVER_FRAME;
/** The length word in front of every frame body. */
export const RCAPI_LENGTH_BYTES = 2;
/** Smallest frame body: one CAPI message header. */
export const RCAPI_MIN_FRAME_BODY = 8;

function tooLong(body: number, max: number): RcapiWireError {
  return new RcapiWireError(
    'ERR_RCAPI_FRAME_TOO_LONG',
    `rcapi frame of ${body} bytes exceeds the ${max}-byte limit (message + data, length word not counted)`,
  );
}

/**
 * Wraps a message (and optional trailing data) in one frame. `maxBody` defaults to the
 * protocol limit; only a test peer sending hostile frames raises it (at most 0xFFFD, what
 * the length word can say).
 */
export function encodeFrame(
  message: Uint8Array,
  data?: Uint8Array,
  maxBody: number = RCAPI_MAX_FRAME_BODY,
): Buffer {
  const body = message.length + (data?.length ?? 0);
  if (body > Math.min(maxBody, 0xffff - RCAPI_LENGTH_BYTES)) throw tooLong(body, maxBody);
  const f = Buffer.allocUnsafe(RCAPI_LENGTH_BYTES + body);
  f.writeUInt16BE(RCAPI_LENGTH_BYTES + body, 0);
  f.set(message, RCAPI_LENGTH_BYTES);
  if (data) f.set(data, RCAPI_LENGTH_BYTES + message.length);
  return f;
}

/**
 * Accumulates socket chunks and cuts them into frame bodies. A length word that cannot be a
 * valid frame (body above `maxBody` or below a CAPI header) throws RcapiWireError at once,
 * before the body has arrived; the caller drops the connection.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBody: number = RCAPI_MAX_FRAME_BODY) {}

  /** Feeds a chunk; returns the complete frames' bodies (without the length word). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    if (this.pendingBytes < RCAPI_LENGTH_BYTES) return out;
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.pendingBytes);
    let offset = 0;
    while (buf.length - offset >= RCAPI_LENGTH_BYTES) {
      const body = buf.readUInt16BE(offset) - RCAPI_LENGTH_BYTES;
      if (body < RCAPI_MIN_FRAME_BODY) {
        throw new RcapiWireError(
          'ERR_RCAPI_FRAME_TOO_SHORT',
          `rcapi frame of ${Math.max(body, 0)} bytes is shorter than the ${RCAPI_MIN_FRAME_BODY}-byte CAPI message header`,
        );
      }
      if (body > this.maxBody) throw tooLong(body, this.maxBody);
      if (buf.length - offset < RCAPI_LENGTH_BYTES + body) break;
      out.push(buf.subarray(offset + RCAPI_LENGTH_BYTES, offset + RCAPI_LENGTH_BYTES + body));
      offset += RCAPI_LENGTH_BYTES + body;
    }
    buf = buf.subarray(offset);
    this.chunks = buf.length ? [buf] : [];
    this.pendingBytes = buf.length;
    return out;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** The stream ended: throws ERR_RCAPI_FRAME_TRUNCATED when it ended inside a frame. */
  end(): void {
    if (this.pendingBytes === 0) return;
    const head = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.pendingBytes);
    const want = head.length >= RCAPI_LENGTH_BYTES ? `${head.readUInt16BE(0)}` : 'a length word of 2';
    throw new RcapiWireError(
      'ERR_RCAPI_FRAME_TRUNCATED',
      `rcapi stream ended inside a frame (${this.pendingBytes} of ${want} bytes)`,
    );
  }
}

/**
 * Splits a frame body into the CAPI message (TotalLength bytes) and the data after it
 * (DATA_B3_REQ/IND). A body whose TotalLength is below the header or beyond the body is
 * returned whole, with empty data: the CAPI codec reports what is wrong with it.
 */
export function splitFrameBody(body: Buffer): { message: Buffer; data: Buffer } {
  const total = body.length >= 2 ? body.readUInt16LE(0) : 0;
  if (total < RCAPI_MIN_FRAME_BODY || total >= body.length)
    return { message: body, data: body.subarray(body.length) };
  return { message: body.subarray(0, total), data: body.subarray(total) };
}
