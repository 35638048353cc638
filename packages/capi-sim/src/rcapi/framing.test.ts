import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameError, FrameReader, MAX_FRAME } from './framing.js';

describe('rcapi framing', () => {
  it('reassembles frames fed one byte at a time and several per chunk', () => {
    const a = Buffer.from('0e000100058101000100000000', 'hex');
    const b = Buffer.alloc(30, 7);
    const stream = Buffer.concat([encodeFrame(a), encodeFrame(b), encodeFrame(a)]);
    const r = new FrameReader();
    const out: Buffer[] = [];
    for (const byte of stream.subarray(0, 20)) out.push(...r.push(Buffer.of(byte)));
    out.push(...r.push(stream.subarray(20)));
    expect(out.map((f) => f.toString('hex'))).toEqual([a, b, a].map((f) => f.toString('hex')));
    expect(r.buffered).toBe(0);
  });

  it('refuses impossible lengths and never builds an oversize frame', () => {
    expect(() => new FrameReader().push(Buffer.from([0x00, 0x05]))).toThrow(FrameError);
    expect(() => new FrameReader().push(Buffer.from([0x10, 0x01]))).toThrow(/exceeds 4096/);
    expect(() => encodeFrame(Buffer.alloc(MAX_FRAME - 1))).toThrow(FrameError);
    expect(encodeFrame(Buffer.alloc(MAX_FRAME - 2)).length).toBe(MAX_FRAME);
  });
});
