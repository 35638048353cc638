// The rcapi "functions" (Subcommand 0xFF): REGISTER, GET_MANUFACTURER/VERSION/SERIAL/PROFILE.
// They are not CAPI messages, so the CAPI codec does not cover them. Replies stay <= 100
// bytes: libcapi20 copies them into a 100-byte stack buffer (capi-reference §3.3, P4).

export const FUNCTION_SUBCOMMAND = 0xff;

export const Fn = {
  REGISTER: 0xf2,
  GET_MANUFACTURER: 0xfa,
  GET_VERSION: 0xfc,
  GET_SERIAL_NUMBER: 0xfe,
  GET_PROFILE: 0xe0,
} as const;

export const FUNCTION_NAMES: Record<number, string> = {
  242: 'REGISTER',
  250: 'GET_MANUFACTURER',
  252: 'GET_VERSION',
  254: 'GET_SERIAL_NUMBER',
  224: 'GET_PROFILE',
};

export interface RegisterParams {
  messageBufferSize: number;
  maxLogicalConnection: number;
  maxBDataBlocks: number;
  maxBDataLen: number;
  version: number;
}

/** REGISTER request: u32 0, u16 bufsize, u16 maxLogicalConnection, u16 maxBDataBlocks, u16 maxBDataLen, u8 version. */
export function parseRegister(msg: Buffer): RegisterParams | undefined {
  if (msg.length < 20) return undefined;
  return {
    messageBufferSize: msg.readUInt16LE(12),
    maxLogicalConnection: msg.readUInt16LE(14),
    maxBDataBlocks: msg.readUInt16LE(16),
    maxBDataLen: msg.readUInt16LE(18),
    version: msg.length > 20 ? msg[20] : 2,
  };
}

/** The controller dword of a GET_* request (offset 8), 0 when missing. */
export function functionController(msg: Buffer): number {
  return msg.length >= 12 ? msg.readUInt32LE(8) : 0;
}

function reply(command: number, payload: Buffer): Buffer {
  const msg = Buffer.alloc(8 + payload.length);
  msg.writeUInt16LE(msg.length, 0);
  msg[4] = command;
  msg[5] = FUNCTION_SUBCOMMAND;
  payload.copy(msg, 8);
  return msg;
}

export function registerReply(info: number): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16LE(info, 0);
  return reply(0xf3, p);
}

export function manufacturerReply(text: string): Buffer {
  const p = Buffer.alloc(65);
  p[0] = 64;
  Buffer.from(text, 'latin1').copy(p, 1, 0, 63);
  return reply(0xfb, p);
}

export function versionReply(v: {
  capiMajor: number;
  capiMinor: number;
  manuMajor: number;
  manuMinor: number;
}): Buffer {
  const p = Buffer.alloc(17);
  p[0] = 16;
  p.writeUInt32LE(v.capiMajor, 1);
  p.writeUInt32LE(v.capiMinor, 5);
  p.writeUInt32LE(v.manuMajor, 9);
  p.writeUInt32LE(v.manuMinor, 13);
  return reply(0xfd, p);
}

export function serialReply(serial: string): Buffer {
  const p = Buffer.alloc(9);
  p[0] = 8;
  Buffer.from(serial, 'latin1').copy(p, 1, 0, 7);
  return reply(0xff, p);
}

export function profileReply(info: number, profile: Buffer): Buffer {
  const p = Buffer.alloc(66);
  p.writeUInt16LE(info, 0);
  if (info === 0) profile.copy(p, 2, 0, 64);
  return reply(0xe1, p);
}
