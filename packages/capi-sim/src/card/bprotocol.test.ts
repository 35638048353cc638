import { faxBProtocol } from '@faxgate/capi-bindings';
import { describe, expect, it } from 'vitest';
import { FAX_CARD_PROFILE } from '../config.js';
import { checkBProtocol } from './bprotocol.js';

const fax = (b3: 4 | 5, first: number, format = 0, stationId = 'ID') =>
  b3 === 4
    ? faxBProtocol({ b3, resolution: first, format, stationId, headLine: '' })
    : faxBProtocol({ b3, options: first, format, stationId, headLine: '' });

describe('checkBProtocol', () => {
  it('accepts 4/4/4 and 4/4/5 and reads resolution, rate and station ID', () => {
    expect(checkBProtocol(fax(4, 1), FAX_CARD_PROFILE)).toEqual({
      ok: true,
      stack: { b1: 4, b2: 4, b3: 4, fax: true, maxRate: 0, fine: true, stationId: 'ID' },
    });
    const r = checkBProtocol({ ...fax(5, 0x8001), b1Config: Uint8Array.of(0x80, 0x25) }, FAX_CARD_PROFILE);
    expect(r).toMatchObject({ ok: true, stack: { b3: 5, fine: true, maxRate: 9600 } });
  });

  it('defaults an empty BProtocol to HDLC/X.75/transparent', () => {
    expect(checkBProtocol(undefined, FAX_CARD_PROFILE)).toMatchObject({
      ok: true,
      stack: { fax: false, b1: 0 },
    });
  });

  it('gives the Info a fax card gives', () => {
    const p = FAX_CARD_PROFILE;
    expect(checkBProtocol({ b1: 9, b2: 0, b3: 0 }, p)).toEqual({ ok: false, info: 0x3001 });
    expect(checkBProtocol({ b1: 4, b2: 4, b3: 0 }, p)).toEqual({ ok: false, info: 0x3007 });
    expect(checkBProtocol(fax(4, 2), p)).toEqual({ ok: false, info: 0x3006 });
    expect(checkBProtocol(fax(4, 0, 1), p)).toEqual({ ok: false, info: 0x3006 });
    expect(checkBProtocol(fax(4, 0, 0, 'x'.repeat(21)), p)).toEqual({ ok: false, info: 0x3006 });
    expect(checkBProtocol({ ...fax(4, 0), b2Config: Uint8Array.of(1) }, p)).toEqual({
      ok: false,
      info: 0x3005,
    });
    expect(checkBProtocol({ ...fax(4, 0), b1Config: Uint8Array.of(1) }, p)).toEqual({
      ok: false,
      info: 0x2007,
    });
    expect(checkBProtocol(fax(4, 0), { ...p, b3: 0x01 })).toEqual({ ok: false, info: 0x3003 });
  });
});
