/** Hand-built CAPI messages for the native transport tests (byte layouts of capi-reference §3.4, §8.2). */

/** A CAPI message: the 8-byte header (TotalLength, ApplID, Command, Subcommand, MessageNumber), then `params`. */
export function capiMsg(applId: number, cmd: number, sub: number, msgNum: number, params: Buffer): Buffer {
  const m = Buffer.alloc(8 + params.length);
  m.writeUInt16LE(m.length, 0);
  m.writeUInt16LE(applId, 2);
  m[4] = cmd;
  m[5] = sub;
  m.writeUInt16LE(msgNum, 6);
  params.copy(m, 8);
  return m;
}

export function listenReq(applId: number, msgNum: number, controller = 1): Buffer {
  const p = Buffer.alloc(18);
  p.writeUInt32LE(controller, 0);
  p.writeUInt32LE(0x1ff, 4); // InfoMask
  p.writeUInt32LE(0x1fff03ff, 8); // CIPMask
  return capiMsg(applId, 0x05, 0x80, msgNum, p);
}

/** DATA_B3_REQ in the 30-byte form (Data64 = 0: the data follows the message). */
export function dataB3Req(
  applId: number,
  msgNum: number,
  ncci: number,
  dataLength: number,
  handle: number,
  form: 22 | 30 = 30,
): Buffer {
  const p = Buffer.alloc(form - 8);
  p.writeUInt32LE(ncci, 0);
  p.writeUInt16LE(dataLength, 8);
  p.writeUInt16LE(handle, 10);
  return capiMsg(applId, 0x86, 0x80, msgNum, p);
}

export function dataB3Resp(applId: number, msgNum: number, ncci: number, handle: number): Buffer {
  const p = Buffer.alloc(6);
  p.writeUInt32LE(ncci, 0);
  p.writeUInt16LE(handle, 4);
  return capiMsg(applId, 0x86, 0x83, msgNum, p);
}

export function disconnectB3Resp(applId: number, msgNum: number, ncci: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32LE(ncci, 0);
  return capiMsg(applId, 0x84, 0x83, msgNum, p);
}

export interface Parsed {
  totalLength: number;
  applId: number;
  cmd: number;
  sub: number;
  msgNum: number;
  raw: Buffer;
}

export function parse(hex: string): Parsed {
  const raw = Buffer.from(hex, 'hex');
  return {
    totalLength: raw.readUInt16LE(0),
    applId: raw.readUInt16LE(2),
    cmd: raw[4]!,
    sub: raw[5]!,
    msgNum: raw.readUInt16LE(6),
    raw,
  };
}
