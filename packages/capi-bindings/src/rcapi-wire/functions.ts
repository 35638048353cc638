/**
 * The rcapi "functions" (capi-reference §3.2, §3.3): REGISTER and GET_MANUFACTURER / VERSION
 * / SERIAL_NUMBER / PROFILE, frames with Subcommand 0xFF that are not CAPI messages. Requests
 * as libcapi20 builds them (TotalLength, ApplID and MessageNumber 0) and their parsers for a
 * server; replies as a server builds them (each ≤ 100 bytes: the library copies them into a
 * 100-byte stack buffer, P4) and their parsers for a client.
 */
import { Limits } from '../codec/constants.js';
import type { CapiVersion, RegisterParams } from '../transport/types.js';
import { RcapiWireError } from './errors.js';

/** Function codes (the Command byte; Subcommand is always SUBCOMMAND). */
export const RcapiFunction = {
  REGISTER_REQ: 0xf2,
  REGISTER_CONF: 0xf3,
  GET_MANUFACTURER_REQ: 0xfa,
  GET_MANUFACTURER_CONF: 0xfb,
  GET_VERSION_REQ: 0xfc,
  GET_VERSION_CONF: 0xfd,
  GET_SERIAL_NUMBER_REQ: 0xfe,
  GET_SERIAL_NUMBER_CONF: 0xff,
  GET_PROFILE_REQ: 0xe0,
  GET_PROFILE_CONF: 0xe1,
  SUBCOMMAND: 0xff,
} as const;

const HEADER = 8;
/** The message buffer size libcapi20 announces in REGISTER. */
const REGISTER_MESSAGE_BUFFER = 2048;

const NAMES = new Map<number, string>([
  [RcapiFunction.REGISTER_REQ, 'REGISTER'],
  [RcapiFunction.REGISTER_CONF, 'REGISTER_CONF'],
  [RcapiFunction.GET_MANUFACTURER_REQ, 'GET_MANUFACTURER'],
  [RcapiFunction.GET_MANUFACTURER_CONF, 'GET_MANUFACTURER_CONF'],
  [RcapiFunction.GET_VERSION_REQ, 'GET_VERSION'],
  [RcapiFunction.GET_VERSION_CONF, 'GET_VERSION_CONF'],
  [RcapiFunction.GET_SERIAL_NUMBER_REQ, 'GET_SERIAL_NUMBER'],
  [RcapiFunction.GET_SERIAL_NUMBER_CONF, 'GET_SERIAL_NUMBER_CONF'],
  [RcapiFunction.GET_PROFILE_REQ, 'GET_PROFILE'],
  [RcapiFunction.GET_PROFILE_CONF, 'GET_PROFILE_CONF'],
]);
const REQUESTS = new Set<number>([
  RcapiFunction.REGISTER_REQ,
  RcapiFunction.GET_MANUFACTURER_REQ,
  RcapiFunction.GET_VERSION_REQ,
  RcapiFunction.GET_SERIAL_NUMBER_REQ,
  RcapiFunction.GET_PROFILE_REQ,
]);

/** The function's name ('GET_PROFILE', 'GET_PROFILE_CONF', …), undefined for other codes. */
export function rcapiFunctionName(command: number): string | undefined {
  return NAMES.get(command);
}

/** True for a function frame (Subcommand 0xFF), false for a CAPI message. */
export function isFunctionFrame(body: Uint8Array): boolean {
  return body.length >= 6 && body[5] === RcapiFunction.SUBCOMMAND;
}

function unknownFunction(command: number): RcapiWireError {
  return new RcapiWireError('ERR_RCAPI_UNKNOWN_FUNCTION', `unknown rcapi function 0x${command.toString(16)}`);
}

// ------------------------------------------------------------------ client → server

function request(command: number, params: Uint8Array): Buffer {
  const m = Buffer.alloc(HEADER + params.length);
  m[4] = command;
  m[5] = RcapiFunction.SUBCOMMAND;
  m.set(params, HEADER);
  return m;
}

/** REGISTER: u32 0, u16 message buffer size 2048, u16 maxLC, u16 maxBlocks, u16 maxLen, u8 version 2 (23-byte frame). */
export function registerRequest(p: RegisterParams): Buffer {
  const params = Buffer.alloc(13);
  params.writeUInt16LE(REGISTER_MESSAGE_BUFFER, 4);
  params.writeUInt16LE(p.maxLogicalConnection, 6);
  params.writeUInt16LE(p.maxBDataBlocks, 8);
  params.writeUInt16LE(p.maxBDataLen, 10);
  params[12] = 2;
  return request(RcapiFunction.REGISTER_REQ, params);
}

/** A GET_* request for one controller (u32 controller; 0 = the number of controllers). */
export function infoRequest(command: number, controller: number): Buffer {
  if (!REQUESTS.has(command) || command === RcapiFunction.REGISTER_REQ) throw unknownFunction(command);
  const p = Buffer.alloc(4);
  p.writeUInt32LE(controller >>> 0, 0);
  return request(command, p);
}

// ------------------------------------------------------------------ server side: requests

export interface RcapiRegisterRequest extends RegisterParams {
  messageBufferSize: number;
  version: number;
}

/**
 * The function a request frame asks for. Throws ERR_RCAPI_UNKNOWN_FUNCTION for a Command no
 * request has (a server drops such a client).
 */
export function requestFunction(body: Uint8Array): number {
  const command = body[4];
  if (!REQUESTS.has(command)) throw unknownFunction(command);
  return command;
}

/** REGISTER's parameters; undefined when the request is too short to hold them. */
export function parseRegisterRequest(body: Buffer): RcapiRegisterRequest | undefined {
  if (body.length < 20) return undefined;
  return {
    messageBufferSize: body.readUInt16LE(12),
    maxLogicalConnection: body.readUInt16LE(14),
    maxBDataBlocks: body.readUInt16LE(16),
    maxBDataLen: body.readUInt16LE(18),
    version: body.length > 20 ? body[20] : 2,
  };
}

/** The controller dword of a GET_* request (offset 8), 0 when missing. */
export function requestController(body: Buffer): number {
  return body.length >= 12 ? body.readUInt32LE(8) : 0;
}

// ------------------------------------------------------------------ server → client

function reply(command: number, payload: Uint8Array): Buffer {
  const m = Buffer.alloc(HEADER + payload.length);
  m.writeUInt16LE(m.length, 0);
  m[4] = command;
  m[5] = RcapiFunction.SUBCOMMAND;
  m.set(payload, HEADER);
  if (m.length > Limits.MAX_FUNCTION_REPLY) throw new RangeError(`rcapi reply of ${m.length} bytes`);
  return m;
}

export function registerReply(info: number): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16LE(info, 0);
  return reply(RcapiFunction.REGISTER_CONF, p);
}

/** u8 64, then 64 bytes of text (at most 63 characters), NUL-padded. */
export function manufacturerReply(text: string): Buffer {
  const p = Buffer.alloc(65);
  p[0] = 64;
  Buffer.from(text, 'latin1').copy(p, 1, 0, 63);
  return reply(RcapiFunction.GET_MANUFACTURER_CONF, p);
}

/** u8 16, then u32 CAPI major, minor, manufacturer major, minor. */
export function versionReply(v: CapiVersion): Buffer {
  const p = Buffer.alloc(17);
  p[0] = 16;
  p.writeUInt32LE(v.capiMajor, 1);
  p.writeUInt32LE(v.capiMinor, 5);
  p.writeUInt32LE(v.manufacturerMajor, 9);
  p.writeUInt32LE(v.manufacturerMinor, 13);
  return reply(RcapiFunction.GET_VERSION_CONF, p);
}

/** u8 8, then 8 bytes: at most 7 characters and a NUL. */
export function serialReply(serial: string): Buffer {
  const p = Buffer.alloc(9);
  p[0] = 8;
  Buffer.from(serial, 'latin1').copy(p, 1, 0, 7);
  return reply(RcapiFunction.GET_SERIAL_NUMBER_CONF, p);
}

/** u16 Info, then the 64-byte profile (zeros unless Info is 0). */
export function profileReply(info: number, profile: Uint8Array = new Uint8Array(0)): Buffer {
  const p = Buffer.alloc(66);
  p.writeUInt16LE(info, 0);
  if (info === 0) p.set(profile.subarray(0, 64), 2);
  return reply(RcapiFunction.GET_PROFILE_CONF, p);
}

// ------------------------------------------------------------------ client side: replies

/**
 * Checks the reply's Command/Subcommand (bytes 4..5, as the library does) and returns the
 * payload from offset 8. Unknown codes throw ERR_RCAPI_UNKNOWN_FUNCTION, another function's
 * reply or a short one ERR_RCAPI_BAD_REPLY.
 */
export function replyPayload(body: Uint8Array, expectCommand: number): Uint8Array {
  if (body.length < HEADER) {
    throw new RcapiWireError('ERR_RCAPI_BAD_REPLY', `rcapi reply of ${body.length} bytes`);
  }
  if (body[5] === RcapiFunction.SUBCOMMAND && !NAMES.has(body[4])) throw unknownFunction(body[4]);
  if (body[4] !== expectCommand || body[5] !== RcapiFunction.SUBCOMMAND) {
    throw new RcapiWireError(
      'ERR_RCAPI_BAD_REPLY',
      `unexpected rcapi reply ${body[4].toString(16)}/${body[5].toString(16)}, expected ${expectCommand.toString(16)}/ff (${rcapiFunctionName(expectCommand)})`,
    );
  }
  return body.subarray(HEADER);
}

function u16(b: Uint8Array, o: number): number {
  if (b.length < o + 2) {
    throw new RcapiWireError(
      'ERR_RCAPI_BAD_REPLY',
      `rcapi reply payload of ${b.length} bytes, need ${o + 2}`,
    );
  }
  return b[o] | (b[o + 1] << 8);
}

/** Text of a length-prefixed, NUL-padded field: up to the first NUL, at most `max` bytes. */
function cString(p: Uint8Array, max: number): string {
  if (p.length < 1) throw new RcapiWireError('ERR_RCAPI_BAD_REPLY', 'empty rcapi reply payload');
  const body = p.subarray(1, 1 + Math.min(max, p[0]));
  const nul = body.indexOf(0);
  return Buffer.from(nul >= 0 ? body.subarray(0, nul) : body.subarray(0, max - 1)).toString('latin1');
}

/** Parsers of the reply payloads (what replyPayload returned). */
export const parseReply = {
  register: (p: Uint8Array): number => u16(p, 0),
  manufacturer: (p: Uint8Array): string => cString(p, 64),
  serial: (p: Uint8Array): string => cString(p, 8),
  version: (p: Uint8Array): CapiVersion => {
    if (p.length < 17) {
      throw new RcapiWireError('ERR_RCAPI_BAD_REPLY', `rcapi version reply payload of ${p.length} bytes`);
    }
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
