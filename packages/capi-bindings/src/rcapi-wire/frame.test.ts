import { describe, expect, it } from 'vitest';
import { prng } from '../test-support/samples.js';
import { RcapiWireError } from './errors.js';
import { encodeFrame, FrameReader, RCAPI_MAX_FRAME_BODY, splitFrameBody } from './frame.js';

/** Iterations of the fuzz loop; bounded for CI, raise with CAPI_FUZZ_ITERATIONS. */
const N = Number(process.env.CAPI_FUZZ_ITERATIONS ?? 20_000);

const wireError = (f: () => unknown): RcapiWireError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RcapiWireError);
    return e as RcapiWireError;
  }
  throw new Error('no error thrown');
};

describe('rcapi framing', () => {
  it('writes the captured LISTEN_CONF frame of §3.4 byte for byte', () => {
    const msg = Buffer.from('0e000100058101000100000000 00'.replace(/ /g, ''), 'hex');
    expect(encodeFrame(msg).toString('hex')).toBe('0010' + msg.toString('hex'));
    const data = Buffer.from('HELLO');
    expect(
      encodeFrame(msg, data)
        .subarray(2 + msg.length)
        .toString(),
    ).toBe('HELLO');
    expect(encodeFrame(msg, data).readUInt16BE(0)).toBe(2 + msg.length + 5);
  });

  it('reassembles frames fed one byte at a time and several per chunk', () => {
    const a = Buffer.from('0e000100058101000100000000', 'hex');
    const b = Buffer.alloc(30, 7);
    const stream = Buffer.concat([encodeFrame(a), encodeFrame(b), encodeFrame(a)]);
    const r = new FrameReader();
    const out: Buffer[] = [];
    for (const byte of stream.subarray(0, 20)) out.push(...r.push(Buffer.of(byte)));
    expect(r.buffered).toBeGreaterThan(0);
    out.push(...r.push(stream.subarray(20)));
    expect(out.map((f) => f.toString('hex'))).toEqual([a, b, a].map((f) => f.toString('hex')));
    expect(r.buffered).toBe(0);
    expect(() => r.end()).not.toThrow();
  });

  it('has one limit: the body (message + data, length word not counted) up to 4096 bytes', () => {
    expect(RCAPI_MAX_FRAME_BODY).toBe(4096);
    const biggest = encodeFrame(Buffer.alloc(RCAPI_MAX_FRAME_BODY - 100, 1), Buffer.alloc(100, 2));
    expect(biggest.length).toBe(RCAPI_MAX_FRAME_BODY + 2);
    expect(new FrameReader().push(biggest)[0]).toHaveLength(RCAPI_MAX_FRAME_BODY);
    const e = wireError(() => encodeFrame(Buffer.alloc(RCAPI_MAX_FRAME_BODY), Buffer.alloc(1)));
    expect(e.code).toBe('ERR_RCAPI_FRAME_TOO_LONG');
    expect(e.message).toBe(
      'rcapi frame of 4097 bytes exceeds the 4096-byte limit (message + data, length word not counted)',
    );
    // The reader refuses the same frame as soon as its length word is in.
    const r = wireError(() => new FrameReader().push(Buffer.from([0x10, 0x03])));
    expect([r.code, r.message]).toEqual([e.code, e.message]);
    // A caller may ask for less (the transport's maxFrame option) but the text stays the same.
    expect(wireError(() => new FrameReader(128).push(Buffer.from([0x00, 0x83]))).message).toMatch(
      /^rcapi frame of 129 bytes exceeds the 128-byte limit/,
    );
  });

  it('refuses a body shorter than a CAPI header, and a stream that ends inside a frame', () => {
    for (const len of [0, 1, 2, 9]) {
      const e = wireError(() => new FrameReader().push(Buffer.from([0x00, len])));
      expect(e.code).toBe('ERR_RCAPI_FRAME_TOO_SHORT');
      expect(e.message).toMatch(/shorter than the 8-byte CAPI message header/);
    }
    const r = new FrameReader();
    expect(r.push(encodeFrame(Buffer.alloc(20)).subarray(0, 15))).toEqual([]);
    const e = wireError(() => r.end());
    expect(e.code).toBe('ERR_RCAPI_FRAME_TRUNCATED');
    expect(e.message).toBe('rcapi stream ended inside a frame (15 of 22 bytes)');
    const half = new FrameReader();
    half.push(Buffer.from([0x00]));
    expect(wireError(() => half.end()).message).toMatch(/1 of a length word of 2 bytes/);
  });

  it('splits a frame body into the message (TotalLength) and its data', () => {
    const ind = Buffer.from('16000100868242420101010000000000050077070000', 'hex');
    const { message, data } = splitFrameBody(Buffer.concat([ind, Buffer.from('HELLO')]));
    expect(message).toEqual(ind);
    expect(data.toString()).toBe('HELLO');
    // A TotalLength that does not fit leaves the body whole for the codec to judge.
    const bad = Buffer.from('ff00010005810100', 'hex');
    expect(splitFrameBody(bad)).toEqual({ message: bad, data: Buffer.alloc(0) });
  });

  it('fuzz: random streams in random chunks give frames or RcapiWireError, nothing else', () => {
    const rnd = prng(15);
    for (let i = 0; i < N; i++) {
      const r = new FrameReader(rnd() < 0.5 ? RCAPI_MAX_FRAME_BODY : 1 + Math.floor(rnd() * 200));
      const bytes = Buffer.alloc(Math.floor(rnd() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() < 0.3 ? 0 : Math.floor(rnd() * 256);
      let off = 0;
      try {
        while (off < bytes.length) {
          const n = 1 + Math.floor(rnd() * 8);
          for (const f of r.push(bytes.subarray(off, off + n))) expect(f.length).toBeGreaterThanOrEqual(8);
          off += n;
        }
        r.end();
      } catch (e) {
        if (!(e instanceof RcapiWireError)) throw e;
      }
    }
  });

  it('fuzz: valid frames of every size come back whole however the stream is cut', () => {
    const rnd = prng(16);
    for (let i = 0; i < N / 400; i++) {
      const bodies = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => {
        const b = Buffer.alloc(8 + Math.floor(rnd() * (RCAPI_MAX_FRAME_BODY - 7)));
        for (let j = 0; j < b.length; j += 97) b[j] = Math.floor(rnd() * 256);
        return b;
      });
      const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
      const r = new FrameReader();
      const out: Buffer[] = [];
      for (let off = 0; off < stream.length; ) {
        const n = 1 + Math.floor(rnd() * 3000);
        out.push(...r.push(stream.subarray(off, off + n)));
        off += n;
      }
      r.end();
      expect(out).toEqual(bodies);
    }
  });
});
