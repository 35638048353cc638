import { describe, expect, it } from 'vitest';
import { decodeXferParams, encodeXferParams, xferDcsText, xferParamsWord } from './xfer-params.js';

const V = 1 << 21;

describe('xferfaxlog params: HylaFAX packed session word', () => {
  it('packs each field where xferfaxlog(5)/Class2Params put it', () => {
    // defaults: standard, A4 length, 1728 pixels, MH, no ECM, 0 ms → only the rate and the version bit
    expect(encodeXferParams({ bitRate: 2400 })).toBe(V);
    expect(encodeXferParams({ bitRate: 14400 })).toBe(V | (5 << 3));
    expect(encodeXferParams({ bitRate: 33600 })).toBe(V | (13 << 3));
    expect(encodeXferParams({ bitRate: 9600, resolution: 'fine' })).toBe(V | (3 << 3) | 1);
    expect(encodeXferParams({ bitRate: 9600, resolution: 'superfine' })).toBe(V | (3 << 3) | 2);
    expect(encodeXferParams({ bitRate: 2400, width: 2048 })).toBe(V | (1 << 9));
    expect(encodeXferParams({ bitRate: 2400, width: 2432 })).toBe(V | (2 << 9));
    expect(encodeXferParams({ bitRate: 2400, length: 'b4' })).toBe(V | (1 << 12));
    expect(encodeXferParams({ bitRate: 2400, length: 'unlimited' })).toBe(V | (2 << 12));
    expect(encodeXferParams({ bitRate: 2400, compression: 'mr' })).toBe(V | (1 << 14));
    expect(encodeXferParams({ bitRate: 2400, compression: 'mmr' })).toBe(V | (3 << 14));
    expect(encodeXferParams({ bitRate: 2400, ecm: true })).toBe(V | (1 << 16));
    expect(encodeXferParams({ bitRate: 2400, minScanlineMs: 20 })).toBe(V | (5 << 18));
    expect(encodeXferParams({ bitRate: 2400, minScanlineMs: 40 })).toBe(V | (7 << 18));
  });

  it('rounds an odd rate down to the table, and writes 0 when no session was negotiated', () => {
    expect(encodeXferParams({ bitRate: 12345 })).toBe(V | (4 << 3));
    expect(encodeXferParams({ bitRate: 1200 })).toBe(V);
    expect(encodeXferParams({ bitRate: 0 })).toBe(0);
    expect(encodeXferParams(undefined)).toBe(0);
  });

  it('decodes what it packs, for every rate', () => {
    for (const bitRate of [
      2400, 4800, 7200, 9600, 12000, 14400, 16800, 19200, 21600, 24000, 26400, 28800, 31200, 33600,
    ]) {
      const s = {
        bitRate,
        resolution: 'fine',
        width: 2048,
        length: 'b4',
        compression: 'mr',
        ecm: true,
        minScanlineMs: 10,
      } as const;
      expect(decodeXferParams(encodeXferParams(s))).toEqual({ form: 'packed', ...s });
    }
  });

  it('reads an old row (the bit rate) and 0, and exports the old row packed', () => {
    expect(decodeXferParams(14400)).toMatchObject({ form: 'bit-rate', bitRate: 14400, compression: 'mh' });
    expect(decodeXferParams(0)).toMatchObject({ form: 'none', bitRate: 0 });
    expect(xferParamsWord(14400)).toBe(V | (5 << 3));
    expect(xferParamsWord(0)).toBe(0);
    const packed = encodeXferParams({ bitRate: 9600, compression: 'mmr' });
    expect(xferParamsWord(packed)).toBe(packed);
  });

  it('the DCS as HylaFAX logs it: T.30 bits, bit 1 the top bit of the first byte', () => {
    // 14400 V.17: bit 14; fine: 15; 0 ms: 21–23; extend: 24; ECM: 27; T.6: 31; T.4 receive: 10
    expect(
      xferDcsText(encodeXferParams({ bitRate: 14400, resolution: 'fine', compression: 'mmr', ecm: true })),
    ).toBe('00 46 0F 22');
    // 4800 V.27ter: bit 12; MR: 16; B4 width (255 mm): 17; unlimited length: 20; 20 ms: none
    expect(
      xferDcsText(
        encodeXferParams({
          bitRate: 4800,
          compression: 'mr',
          width: 2048,
          length: 'unlimited',
          minScanlineMs: 20,
        }),
      ),
    ).toBe('00 51 91 00');
    // V.34 rates: no rate bits (the params word keeps the rate)
    expect(xferDcsText(encodeXferParams({ bitRate: 33600 }))).toBe('00 40 0F 00');
    expect(xferDcsText(0)).toBe('');
    expect(xferDcsText(9600)).toBe('');
  });
});
