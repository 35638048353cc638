import { describe, expect, it } from 'vitest';
import { FrameReader } from '../rcapi-wire/frame.js';
import { CapiCodecError } from './errors.js';
import {
  type CapiMessage,
  decodeHeader,
  decodeMessage,
  decodeMessageRaw,
  encodeMessage,
} from './messages.js';
import {
  decodeFaxB3Config,
  decodeFaxNcpi,
  encodeFaxB3Config,
  encodeFaxNcpi,
  faxBProtocol,
} from './structs.js';

const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1');
/** The body of one rcapi frame, through the wire module's reader (which checks the length word). */
const unframe = (f: Buffer) => {
  const [body, ...rest] = new FrameReader().push(f);
  expect(rest).toEqual([]);
  return body;
};

describe('capi-reference §3.4 captured frames', () => {
  it('LISTEN_REQ', () => {
    const wire = unframe(
      hex('00 1c 1a 00 01 00 05 80 01 00 01 00 00 00 ff 01 00 00 ff 03 ff 1f 00 00 00 00 00 00'),
    );
    const m = decodeMessage(wire);
    expect(m).toEqual({
      name: 'LISTEN_REQ',
      applId: 1,
      messageNumber: 1,
      controller: 1,
      infoMask: 0x1ff,
      cipMask: 0x1fff03ff,
      cipMask2: 0,
      callingPartyNumber: undefined,
      callingPartySubaddress: Buffer.alloc(0),
    });
    expect(encodeMessage(m)).toEqual(wire);
  });

  it('LISTEN_CONF', () => {
    const wire = unframe(hex('00 10 0e 00 01 00 05 81 01 00 01 00 00 00 00 00'));
    const m = decodeMessage(wire);
    expect(m).toEqual({ name: 'LISTEN_CONF', applId: 1, messageNumber: 1, controller: 1, info: 0 });
    expect(encodeMessage(m)).toEqual(wire);
  });

  it('DATA_B3_REQ, 30-byte form with Data64 and data after the message', () => {
    const wire = unframe(
      Buffer.concat([
        hex(
          '00 2e 1e 00 01 00 86 80 02 00 01 01 01 00 00 00 00 00 0e 00 34 12 00 00 f0 a0 e0 dc d3 55 00 00',
        ),
        ascii('HELLO-FROM-APP'),
      ]),
    );
    const m = decodeMessage(wire);
    expect(m.name).toBe('DATA_B3_REQ');
    if (m.name !== 'DATA_B3_REQ') return;
    expect(m.ncci).toBe(0x00010101);
    expect(m.messageNumber).toBe(2);
    expect(m.dataLength).toBe(14);
    expect(m.dataHandle).toBe(0x1234);
    expect(m.data64).toBe(0x55d3dce0a0f0n);
    expect(Buffer.from(m.data).toString('latin1')).toBe('HELLO-FROM-APP');
    expect(encodeMessage(m)).toEqual(wire);
  });

  it('DATA_B3_CONF', () => {
    const wire = unframe(hex('00 12 10 00 01 00 86 81 02 00 01 01 01 00 34 12 00 00'));
    expect(decodeMessage(wire)).toEqual({
      name: 'DATA_B3_CONF',
      applId: 1,
      messageNumber: 2,
      ncci: 0x10101,
      dataHandle: 0x1234,
      info: 0,
    });
    expect(encodeMessage(decodeMessage(wire))).toEqual(wire);
  });

  it('DATA_B3_IND, 22-byte form', () => {
    const wire = unframe(
      Buffer.concat([
        hex('00 2b 16 00 01 00 86 82 42 42 01 01 01 00 00 00 00 00 13 00 77 07 00 00'),
        ascii('ECHO:HELLO-FROM-APP'),
      ]),
    );
    const m = decodeMessage(wire);
    expect(m).toMatchObject({
      name: 'DATA_B3_IND',
      messageNumber: 0x4242,
      ncci: 0x10101,
      data32: 0,
      dataLength: 19,
      dataHandle: 0x0777,
      flags: 0,
    });
    expect('data64' in m).toBe(false);
    expect(encodeMessage(m)).toEqual(wire);
  });

  it('DATA_B3_RESP', () => {
    const wire = unframe(hex('00 10 0e 00 01 00 86 83 42 42 01 01 01 00 77 07'));
    expect(decodeMessage(wire)).toMatchObject({ name: 'DATA_B3_RESP', ncci: 0x10101, dataHandle: 0x777 });
    expect(encodeMessage(decodeMessage(wire))).toEqual(wire);
  });
});

describe('capi-reference §8.2 encodings produced by the installed library', () => {
  it('CONNECT_REQ ctrl 1, CIP 4, called 123, calling 456, B 4/4/4', () => {
    const wire = hex(
      '39 00 01 00 02 80 07 00 01 00 00 00 04 00 04 80 31 32 33 05 00 80 34 35 36 00 00 ' +
        '14 04 00 04 00 04 00 00 00 0a 00 00 00 00 03 53 54 41 01 48 00 00 00 00 05 00 00 00 00 00',
    );
    const msg: CapiMessage = {
      name: 'CONNECT_REQ',
      applId: 1,
      messageNumber: 7,
      controller: 1,
      cipValue: 4,
      calledPartyNumber: { typePlan: 0x80, digits: '123' },
      callingPartyNumber: { typePlan: 0x00, presentation: 0x80, digits: '456' },
      bProtocol: faxBProtocol({ b3: 4, resolution: 0, format: 0, stationId: 'STA', headLine: 'H' }),
      additionalInfo: {},
    };
    expect(encodeMessage(msg)).toEqual(wire);
    const d = decodeMessage(wire);
    expect(d.name).toBe('CONNECT_REQ');
    if (d.name !== 'CONNECT_REQ') return;
    expect(d.calledPartyNumber).toEqual({ typePlan: 0x80, digits: '123' });
    expect(d.callingPartyNumber).toEqual({ typePlan: 0, presentation: 0x80, digits: '456' });
    expect(d.bProtocol?.b3).toBe(4);
    expect(decodeFaxB3Config(4, d.bProtocol!.b3Config!)).toEqual({
      b3: 4,
      resolution: 0,
      format: 0,
      stationId: 'STA',
      headLine: 'H',
    });
    expect(encodeMessage(d)).toEqual(wire);
  });

  it('CONNECT_RESP PLCI 0x101, Reject 0, B 4/4/5', () => {
    const bp = faxBProtocol({ b3: 5, options: 0, format: 0, stationId: 'STA', headLine: 'H' });
    const wire = encodeMessage({
      name: 'CONNECT_RESP',
      applId: 1,
      messageNumber: 8,
      plci: 0x101,
      reject: 0,
      bProtocol: bp,
      additionalInfo: {},
    });
    expect(wire.length).toBe(0x2c);
    expect(wire.subarray(0, 15)).toEqual(hex('2c 00 01 00 02 83 08 00 01 01 00 00 00 00 14'));
    expect(wire.subarray(15, 22)).toEqual(hex('04 00 04 00 05 00 00'));
    expect(wire.subarray(wire.length - 9)).toEqual(hex('00 00 00 05 00 00 00 00 00'));
  });

  it('CONNECT_B3_REQ', () => {
    const wire = hex('0d 00 01 00 82 80 09 00 01 01 00 00 00');
    expect(encodeMessage({ name: 'CONNECT_B3_REQ', applId: 1, messageNumber: 9, plci: 0x101 })).toEqual(wire);
  });

  it('DATA_B3_REQ 30-byte form as capi_cmsg2message produces it', () => {
    const msg = encodeMessage({
      name: 'DATA_B3_REQ',
      applId: 1,
      messageNumber: 1,
      ncci: 0x10101,
      dataHandle: 5,
      data64: 0n,
      data: new Uint8Array(100),
    });
    expect(msg.subarray(0, 30)).toEqual(
      hex('1e 00 01 00 86 80 01 00 01 01 01 00 00 00 00 00 64 00 05 00 00 00 00 00 00 00 00 00 00 00'),
    );
    expect(msg.length).toBe(130);
  });

  it('B3 config example 0a 00 00 00 00 03 STA 01 H', () => {
    const b = encodeFaxB3Config({ b3: 4, resolution: 0, format: 0, stationId: 'STA', headLine: 'H' });
    expect(Buffer.from([b.length, ...b])).toEqual(hex('0a 00 00 00 00 03 53 54 41 01 48'));
  });
});

describe('structs', () => {
  it('long structs use 0xFF + u16 and round-trip', () => {
    const manuData = new Uint8Array(300).map((_, i) => i & 0xff);
    const wire = encodeMessage({
      name: 'MANUFACTURER_REQ',
      applId: 3,
      messageNumber: 4,
      controller: 1,
      manuId: 0x44444444,
      manuClass: 1,
      manuFunction: 2,
      manuData,
    });
    expect(wire[24]).toBe(0xff);
    expect(wire.readUInt16LE(25)).toBe(300);
    expect(wire.length).toBe(8 + 16 + 3 + 300);
    const d = decodeMessage(wire);
    expect(d).toMatchObject({ name: 'MANUFACTURER_REQ', manuId: 0x44444444, manuClass: 1, manuFunction: 2 });
    if (d.name === 'MANUFACTURER_REQ') expect(Buffer.from(d.manuData!)).toEqual(Buffer.from(manuData));
  });

  it('a nested struct ≥ 255 bytes makes the enclosing BProtocol long', () => {
    const head = 'x'.repeat(260);
    const bp = faxBProtocol({ b3: 5, options: 1, format: 0, stationId: '+49 30 1234', headLine: head });
    const wire = encodeMessage({
      name: 'SELECT_B_PROTOCOL_REQ',
      applId: 1,
      messageNumber: 1,
      plci: 0x101,
      bProtocol: bp,
    });
    expect(wire[12]).toBe(0xff);
    const d = decodeMessage(wire);
    if (d.name !== 'SELECT_B_PROTOCOL_REQ') throw new Error('name');
    expect(decodeFaxB3Config(5, d.bProtocol!.b3Config!)).toMatchObject({ options: 1, headLine: head });
    expect(encodeMessage(d)).toEqual(wire);
  });

  it('fax NCPI for B3 4 and 5', () => {
    const n4 = encodeFaxNcpi({
      b3: 4,
      rate: 14400,
      resolution: 1,
      format: 0,
      pages: 3,
      receiveId: '+49 30 555',
    });
    expect(Buffer.from(n4.subarray(0, 9))).toEqual(hex('40 38 01 00 00 00 03 00 0a'));
    expect(decodeFaxNcpi(4, n4)).toEqual({
      b3: 4,
      rate: 14400,
      resolution: 1,
      format: 0,
      pages: 3,
      receiveId: '+49 30 555',
    });
    const n5 = encodeFaxNcpi({ b3: 5, rate: 9600, options: 0x8001, format: 0, pages: 0, receiveId: '' });
    expect(decodeFaxNcpi(5, n5)).toEqual({
      b3: 5,
      rate: 9600,
      options: 0x8001,
      format: 0,
      pages: 0,
      receiveId: '',
    });
    expect(decodeFaxNcpi(4, new Uint8Array(0))).toBeUndefined();
    expect(() => decodeFaxNcpi(4, new Uint8Array(5))).toThrow(CapiCodecError);
  });

  it('BProtocol without GlobalConfiguration and AdditionalInfo without SendingComplete round-trip', () => {
    const wire = hex(
      '20 00 01 00 02 83 01 00 01 01 00 00 00 00 09 04 00 04 00 04 00 00 00 00 00 00 00 04 00 00 00 00',
    );
    const d = decodeMessage(wire);
    if (d.name !== 'CONNECT_RESP') throw new Error('name');
    expect(d.bProtocol?.globalConfiguration).toBeNull();
    expect(d.additionalInfo?.sendingComplete).toBeNull();
    expect(encodeMessage(d)).toEqual(wire);
  });
});

describe('decode validation', () => {
  const expectErr = (buf: Uint8Array, reason: string, data?: Uint8Array) => {
    try {
      decodeMessage(buf, data);
    } catch (e) {
      expect(e).toBeInstanceOf(CapiCodecError);
      expect((e as CapiCodecError).reason).toBe(reason);
      return e as CapiCodecError;
    }
    throw new Error('no error');
  };

  it('short input', () => {
    expectErr(hex('0e 00 01'), 'truncated');
    expect(() => decodeHeader(hex('0e 00'))).toThrow(CapiCodecError);
  });
  it('TotalLength below 12 or above the input', () => {
    expectErr(hex('08 00 01 00 05 81 01 00'), 'bad-length');
    expectErr(hex('10 00 01 00 05 81 01 00 01 00 00 00 00 00'), 'truncated');
  });
  it('unknown command and subcommand', () => {
    const e = expectErr(hex('0e 00 01 00 06 81 01 00 01 00 00 00 00 00'), 'unknown-command');
    expect(e.offset).toBe(4);
    expectErr(hex('0e 00 01 00 05 84 01 00 01 00 00 00 00 00'), 'unknown-command');
    expectErr(hex('0c 00 01 00 03 80 01 00 01 00 00 00'), 'unknown-command'); // CONNECT_ACTIVE_REQ
  });
  it('a struct longer than the message', () => {
    const e = expectErr(hex('0d 00 01 00 82 80 09 00 01 01 00 00 05'), 'struct-overflow');
    expect(e.offset).toBe(12);
    expectErr(hex('0f 00 01 00 82 80 09 00 01 01 00 00 ff 05 00'), 'struct-overflow');
  });
  it('a struct inside BProtocol longer than the BProtocol', () => {
    // BProtocol of 7 bytes whose B1config claims 9
    expectErr(
      hex('18 00 01 00 41 80 01 00 01 01 00 00 0a 04 00 04 00 04 00 09 00 00 00 00'),
      'struct-overflow',
    );
    // BProtocol of 3 bytes
    expectErr(hex('10 00 01 00 41 80 01 00 01 01 00 00 03 04 00 04'), 'bad-struct');
  });
  it('a field cut by TotalLength', () => {
    expectErr(hex('0d 00 01 00 05 81 01 00 01 00 00 00 00'), 'truncated');
  });
  it('bytes after the parameters', () => {
    expectErr(hex('0f 00 01 00 05 81 01 00 01 00 00 00 00 00 99'), 'trailing-bytes');
    expectErr(hex('0e 00 01 00 05 81 01 00 01 00 00 00 00 00 99'), 'trailing-bytes');
  });
  it('DATA_B3 lengths', () => {
    expectErr(hex('18 00 01 00 86 82 01 00 01 01 01 00 00 00 00 00 00 00 01 00 00 00 00 00'), 'bad-length');
    const ind = hex('16 00 01 00 86 82 01 00 01 01 01 00 00 00 00 00 05 00 01 00 00 00 41 42');
    expectErr(ind, 'truncated');
    expectErr(ind.subarray(0, 22), 'bad-length', new Uint8Array(4));
    const ok = decodeMessage(ind.subarray(0, 22), ascii('ABCDE'));
    expect(ok.name === 'DATA_B3_IND' && Buffer.from(ok.data).toString()).toBe('ABCDE');
  });

  it('raw decode keeps what the strict decoder refuses', () => {
    const buf = hex('12 00 01 00 41 80 01 00 01 01 00 00 03 04 00 04 aa bb');
    expect(() => decodeMessage(buf)).toThrow(CapiCodecError);
    const raw = decodeMessageRaw(buf);
    expect(raw.name).toBe('SELECT_B_PROTOCOL_REQ');
    expect(raw.params.plci).toBe(0x101);
    expect(Buffer.from(raw.params.bProtocol as Uint8Array)).toEqual(hex('04 00 04'));
    expect(Buffer.from(raw.trailing)).toEqual(hex('aa bb'));
  });
});

describe('encode validation', () => {
  it('values out of range are CapiCodecErrors', () => {
    expect(() =>
      encodeMessage({ name: 'LISTEN_CONF', applId: 1, messageNumber: 0x10000, controller: 1, info: 0 }),
    ).toThrow(CapiCodecError);
    expect(() =>
      encodeMessage({ name: 'LISTEN_CONF', applId: 1, messageNumber: 1, controller: -1, info: 0 }),
    ).toThrow(CapiCodecError);
    expect(() =>
      encodeMessage({
        name: 'CONNECT_B3_REQ',
        applId: 1,
        messageNumber: 1,
        plci: 1,
        ncpi: new Uint8Array(70000),
      }),
    ).toThrow(CapiCodecError);
    expect(() =>
      encodeMessage({
        name: 'CONNECT_REQ',
        applId: 1,
        messageNumber: 1,
        controller: 1,
        cipValue: 4,
        calledPartyNumber: { typePlan: 0x80, digits: '1€' },
      }),
    ).toThrow(CapiCodecError);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    expect(() => encodeMessage({ name: 'NOPE_REQ' } as any)).toThrow(CapiCodecError);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    expect(() => encodeMessage({ name: 'LISTEN_CONF', applId: 1, messageNumber: 1 } as any)).toThrow(
      CapiCodecError,
    );
  });
});
