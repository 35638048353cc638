import { describe, expect, it } from 'vitest';
import { RcapiWireError } from './errors.js';
import {
  infoRequest,
  manufacturerReply,
  parseRegisterRequest,
  parseReply,
  profileReply,
  RcapiFunction,
  rcapiFunctionName,
  registerReply,
  registerRequest,
  replyPayload,
  requestController,
  requestFunction,
  serialReply,
  versionReply,
} from './functions.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('rcapi functions', () => {
  it('builds the requests libcapi20 sends, byte for byte (§3.2 captures)', () => {
    expect(infoRequest(RcapiFunction.GET_MANUFACTURER_REQ, 0)).toEqual(hex('00000000 faff 0000 00000000'));
    expect(infoRequest(RcapiFunction.GET_VERSION_REQ, 0)).toEqual(hex('00000000 fcff 0000 00000000'));
    expect(infoRequest(RcapiFunction.GET_SERIAL_NUMBER_REQ, 0)).toEqual(hex('00000000 feff 0000 00000000'));
    expect(infoRequest(RcapiFunction.GET_PROFILE_REQ, 1)).toEqual(hex('00000000 e0ff 0000 01000000'));
    const reg = registerRequest({ maxLogicalConnection: 2, maxBDataBlocks: 7, maxBDataLen: 2048 });
    expect(reg).toEqual(hex('00000000f2ff0000 00000000 0008 0200 0700 0008 02'));
    expect(() => infoRequest(0x12, 1)).toThrow(RcapiWireError);
  });

  it('a server reads them back', () => {
    const reg = registerRequest({ maxLogicalConnection: 2, maxBDataBlocks: 7, maxBDataLen: 2048 });
    expect(requestFunction(reg)).toBe(RcapiFunction.REGISTER_REQ);
    expect(parseRegisterRequest(reg)).toEqual({
      messageBufferSize: 2048,
      maxLogicalConnection: 2,
      maxBDataBlocks: 7,
      maxBDataLen: 2048,
      version: 2,
    });
    expect(parseRegisterRequest(reg.subarray(0, 19))).toBeUndefined();
    expect(requestController(infoRequest(RcapiFunction.GET_PROFILE_REQ, 3))).toBe(3);
    expect(requestController(Buffer.alloc(8))).toBe(0);
  });

  it('builds the replies of the §3.3 captures, each within the library’s 100 bytes', () => {
    expect(registerReply(0)).toEqual(hex('0a000000f3ff0000 0000'));
    expect(serialReply('1234567')).toEqual(hex('11000000ffff0000 08 31323334353637 00'));
    expect(versionReply({ capiMajor: 2, capiMinor: 0, manufacturerMajor: 1, manufacturerMinor: 0 })).toEqual(
      hex('19000000fdff0000 10 02000000 00000000 01000000 00000000'),
    );
    const m = manufacturerReply('Simulated ISDN card (rcapi)');
    expect(m.subarray(0, 9)).toEqual(hex('49000000fbff0000 40'));
    expect(m.subarray(9, 9 + 27).toString('latin1')).toBe('Simulated ISDN card (rcapi)');
    expect(manufacturerReply('x'.repeat(80)).subarray(9).indexOf(0)).toBe(63);
    const profile = Buffer.alloc(64, 0x31);
    expect(profileReply(0, profile)).toEqual(Buffer.concat([hex('4a000000e1ff0000 0000'), profile]));
    expect(profileReply(0x2002, profile).subarray(8, 12)).toEqual(hex('0220 0000'));
    for (const r of [m, profileReply(0, profile)]) expect(r.length).toBeLessThanOrEqual(100);
  });

  it('a client parses the replies', () => {
    const p = (b: Buffer, c: number) => replyPayload(b, c);
    expect(parseReply.register(p(registerReply(0x1001), RcapiFunction.REGISTER_CONF))).toBe(0x1001);
    expect(parseReply.serial(p(serialReply('7654321'), RcapiFunction.GET_SERIAL_NUMBER_CONF))).toBe(
      '7654321',
    );
    expect(parseReply.manufacturer(p(manufacturerReply('ACME'), RcapiFunction.GET_MANUFACTURER_CONF))).toBe(
      'ACME',
    );
    const v = { capiMajor: 2, capiMinor: 0, manufacturerMajor: 3, manufacturerMinor: 27 };
    expect(parseReply.version(p(versionReply(v), RcapiFunction.GET_VERSION_CONF))).toEqual(v);
    const prof = parseReply.profile(p(profileReply(0x2002), RcapiFunction.GET_PROFILE_CONF));
    expect(prof.info).toBe(0x2002);
    expect(prof.profile).toEqual(new Uint8Array(64));
  });

  it('gives the same clear errors for unknown functions on both sides, and for wrong replies', () => {
    const odd = Buffer.from(hex('00000000 12ff 0000 00000000'));
    const server = (() => {
      try {
        requestFunction(odd);
      } catch (e) {
        return e as RcapiWireError;
      }
    })();
    const client = (() => {
      try {
        replyPayload(odd, RcapiFunction.GET_PROFILE_CONF);
      } catch (e) {
        return e as RcapiWireError;
      }
    })();
    expect(server).toBeInstanceOf(RcapiWireError);
    expect([server?.code, server?.message]).toEqual([
      'ERR_RCAPI_UNKNOWN_FUNCTION',
      'unknown rcapi function 0x12',
    ]);
    expect([client?.code, client?.message]).toEqual([server?.code, server?.message]);
    // A reply code is not a request.
    expect(() => requestFunction(registerReply(0))).toThrow('unknown rcapi function 0xf3');
    expect(() => replyPayload(serialReply('1'), RcapiFunction.GET_PROFILE_CONF)).toThrow(
      expect.objectContaining({ code: 'ERR_RCAPI_BAD_REPLY' }),
    );
    expect(() => replyPayload(Buffer.alloc(4), RcapiFunction.GET_PROFILE_CONF)).toThrow(/reply of 4 bytes/);
    expect(() => parseReply.version(new Uint8Array(3))).toThrow(
      expect.objectContaining({ code: 'ERR_RCAPI_BAD_REPLY' }),
    );
    expect(rcapiFunctionName(0xe1)).toBe('GET_PROFILE_CONF');
    expect(rcapiFunctionName(0x12)).toBeUndefined();
  });
});
