import { describe, expect, it } from 'vitest';
import { prng, sampleAll } from '../test-support/samples.js';
import { CapiCodecError } from './errors.js';
import {
  type CapiMessage,
  decodeMessage,
  decodeMessageRaw,
  encodeMessage,
  MESSAGE_SPECS,
} from './messages.js';
import { decodeFaxB1Config, decodeFaxB3Config, decodeFaxNcpi } from './structs.js';

/** Iterations per fuzz family; bounded for CI, raise with CAPI_FUZZ_ITERATIONS. */
const N = Number(process.env.CAPI_FUZZ_ITERATIONS ?? 20_000);

/** Normalises a decoded message for deep comparison (Buffers → plain arrays). */
function norm(m: unknown): unknown {
  return JSON.parse(
    JSON.stringify(m, (_k, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v,
    ),
  );
}

function decodeOrCodecError(buf: Uint8Array, data?: Uint8Array): CapiMessage | undefined {
  try {
    return decodeMessage(buf, data);
  } catch (e) {
    if (!(e instanceof CapiCodecError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(buf.length);
    return undefined;
  }
}

describe('round trip of every message type', () => {
  it('encode → decode → encode is byte-exact', () => {
    for (const msg of sampleAll(1, 30, { maxStruct: 300 })) {
      const wire = encodeMessage(msg);
      const d = decodeMessage(wire);
      expect(d.name).toBe(msg.name);
      expect(encodeMessage(d)).toEqual(wire);
      expect(wire.readUInt16LE(0)).toBeLessThanOrEqual(wire.length);
    }
  });

  it('covers all 48 messages', () => {
    expect(Object.keys(MESSAGE_SPECS)).toHaveLength(48);
  });
});

describe('fuzz: the decoder only ever returns a message or throws CapiCodecError', () => {
  const valid = sampleAll(2, 4).map((m) => encodeMessage(m));
  const codes = Object.values(MESSAGE_SPECS).map((s) => [s.command, s.subcommand]);

  it(`random bytes (${N})`, () => {
    const rnd = prng(3);
    for (let i = 0; i < N; i++) {
      const len = Math.floor(rnd() * 80);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(rnd() * 256);
      if (len >= 8 && rnd() < 0.8) {
        const [c, s] = codes[Math.floor(rnd() * codes.length)];
        b[4] = c;
        b[5] = s;
        if (rnd() < 0.7) b.writeUInt16LE(len - Math.floor(rnd() * 3), 0);
      }
      const d = decodeOrCodecError(b);
      if (d) expect(norm(decodeMessage(encodeMessage(d)))).toEqual(norm(d));
      try {
        decodeMessageRaw(b);
      } catch (e) {
        expect(e).toBeInstanceOf(CapiCodecError);
      }
    }
  });

  it(`mutations of valid messages (${N})`, () => {
    const rnd = prng(4);
    for (let i = 0; i < N; i++) {
      const src = valid[Math.floor(rnd() * valid.length)];
      let b = Buffer.from(src);
      const ops = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < ops; k++) {
        const op = Math.floor(rnd() * 5);
        const at = Math.floor(rnd() * Math.max(1, b.length));
        if (op === 0 && b.length) b[at] ^= 1 << Math.floor(rnd() * 8);
        else if (op === 1 && b.length) b[at] = Math.floor(rnd() * 256);
        else if (op === 2) b = b.subarray(0, at);
        else if (op === 3)
          b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(rnd() * 256)]), b.subarray(at)]);
        else if (op === 4 && b.length) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      }
      const d = decodeOrCodecError(b);
      if (d) expect(norm(decodeMessage(encodeMessage(d)))).toEqual(norm(d));
    }
  });

  it(`struct decoders on random bytes (${N / 4})`, () => {
    const rnd = prng(5);
    for (let i = 0; i < N / 4; i++) {
      const b = new Uint8Array(Math.floor(rnd() * 40)).map(() => Math.floor(rnd() * 256));
      for (const f of [
        () => decodeFaxB3Config(4, b),
        () => decodeFaxB3Config(5, b),
        () => decodeFaxNcpi(4, b),
        () => decodeFaxB1Config(b),
      ]) {
        try {
          f();
        } catch (e) {
          expect(e).toBeInstanceOf(CapiCodecError);
        }
      }
    }
  });
});
