/**
 * rcapi "functions" (capi-reference §3.2, §3.3): requests the library sends on the info and
 * application connections, and the parsing of the server's replies.
 */
import { RcapiFunction } from '../../codec/constants.js';
import type { CapiVersion, RegisterParams } from '../types.js';

/** A function request: 8-byte header with only Command/Subcommand set, then `params`. */
function request(command: number, params: Uint8Array): Buffer {
  const m = Buffer.alloc(8 + params.length);
  m[4] = command;
  m[5] = RcapiFunction.SUBCOMMAND;
  m.set(params, 8);
  return m;
}

function controllerParam(controller: number): Uint8Array {
  const p = Buffer.alloc(4);
  p.writeUInt32LE(controller >>> 0, 0);
  return p;
}

/** REGISTER: u32 0, u16 message buffer size 2048, u16 maxLC, u16 maxBlocks, u16 maxLen, u8 version 2 (23-byte frame). */
export function registerRequest(p: RegisterParams): Buffer {
  const params = Buffer.alloc(13);
  params.writeUInt32LE(0, 0);
  params.writeUInt16LE(2048, 4);
  params.writeUInt16LE(p.maxLogicalConnection, 6);
  params.writeUInt16LE(p.maxBDataBlocks, 8);
  params.writeUInt16LE(p.maxBDataLen, 10);
  params[12] = 2;
  return request(RcapiFunction.REGISTER_REQ, params);
}

export const infoRequest = {
  manufacturer: (c: number) => request(RcapiFunction.GET_MANUFACTURER_REQ, controllerParam(c)),
  version: (c: number) => request(RcapiFunction.GET_VERSION_REQ, controllerParam(c)),
  serial: (c: number) => request(RcapiFunction.GET_SERIAL_NUMBER_REQ, controllerParam(c)),
  profile: (c: number) => request(RcapiFunction.GET_PROFILE_REQ, controllerParam(c)),
};

export class RcapiReplyError extends Error {
  override readonly name = 'RcapiReplyError';
}

/** Checks the reply command (bytes 4..5, like the library) and returns the payload from offset 8. */
export function replyPayload(msg: Uint8Array, expectCommand: number): Uint8Array {
  if (msg.length < 8) throw new RcapiReplyError(`reply of ${msg.length} bytes`);
  if (msg[4] !== expectCommand || msg[5] !== RcapiFunction.SUBCOMMAND) {
    throw new RcapiReplyError(
      `unexpected reply ${msg[4].toString(16)}/${msg[5].toString(16)}, expected ${expectCommand.toString(16)}/ff`,
    );
  }
  return msg.subarray(8);
}

function u16(b: Uint8Array, o: number): number {
  if (b.length < o + 2) throw new RcapiReplyError(`reply payload of ${b.length} bytes, need ${o + 2}`);
  return b[o] | (b[o + 1] << 8);
}

/** Text of a length-prefixed, NUL-padded field: up to the first NUL, at most `max` bytes. */
function cString(p: Uint8Array, max: number): string {
  if (p.length < 1) throw new RcapiReplyError('empty reply payload');
  const body = p.subarray(1, 1 + Math.min(max, p[0]));
  const nul = body.indexOf(0);
  return Buffer.from(nul >= 0 ? body.subarray(0, nul) : body.subarray(0, max - 1)).toString('latin1');
}

export const parseReply = {
  register: (p: Uint8Array) => u16(p, 0),
  manufacturer: (p: Uint8Array) => cString(p, 64),
  serial: (p: Uint8Array) => cString(p, 8),
  version: (p: Uint8Array): CapiVersion => {
    if (p.length < 17) throw new RcapiReplyError(`version reply payload of ${p.length} bytes`);
    const dv = Buffer.from(p.buffer, p.byteOffset, p.length);
    return {
      capiMajor: dv.readUInt32LE(1),
      capiMinor: dv.readUInt32LE(5),
      manufacturerMajor: dv.readUInt32LE(9),
      manufacturerMinor: dv.readUInt32LE(13),
    };
  },
  /** Info and the 64-byte profile (zero-filled when the server sent less). */
  profile: (p: Uint8Array): { info: number; profile: Uint8Array } => {
    const info = u16(p, 0);
    const profile = new Uint8Array(64);
    profile.set(p.subarray(2, 66));
    return { info, profile };
  },
};
