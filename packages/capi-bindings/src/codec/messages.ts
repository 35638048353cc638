/**
 * CAPI 2.0 messages: one typed record per message, a table of parameter layouts
 * (capi-reference §8.2, the same order as libcapi20's convert.c), and the encoder/decoder.
 *
 * Field conventions:
 * - `controller` / `plci` / `ncci` / `address` hold the address dword (§8.1);
 * - `word`/`dword` fields are numbers, `data64` a bigint;
 * - plain struct fields are `Uint8Array` *contents* (no length prefix); empty = default;
 * - party numbers, BProtocol and AdditionalInfo are typed objects (`undefined` = empty struct);
 * - DATA_B3_REQ/IND carry their payload in `data`, written after the message on the wire.
 *
 * Over 600 lines on purpose: the layout table of every message is one table, kept whole so it
 * can be checked line by line against capi-reference §8.2 and libcapi20's convert.c.
 */
import { CapiCodecError } from './errors.js';
import { CapiReader } from './reader.js';
import {
  type AdditionalInfo,
  type BProtocol,
  type CalledPartyNumber,
  type CallingPartyNumber,
  decodeCalledPartyNumber,
  decodeCallingPartyNumber,
  encodeCalledPartyNumber,
  encodeCallingPartyNumber,
  readAdditionalInfo,
  readBProtocol,
  writeAdditionalInfo,
  writeBProtocol,
} from './structs.js';
import { CapiWriter } from './writer.js';

/** Parameter kinds. A trailing `?` means optional on encode (written as 0 when absent). */
type Kind =
  | 'dword'
  | 'word'
  | 'dword?'
  | 'word?'
  | 'qword?'
  | 'dataLength?'
  | 'struct'
  | 'called'
  | 'calling'
  | 'bprotocol'
  | 'addinfo';

interface KindType {
  dword: number;
  word: number;
  'dword?': number;
  'word?': number;
  'qword?': bigint;
  'dataLength?': number;
  struct: Uint8Array;
  called: CalledPartyNumber;
  calling: CallingPartyNumber;
  bprotocol: BProtocol;
  addinfo: AdditionalInfo;
}

type RequiredKind = 'dword' | 'word';
type ParamSpec = readonly [string, Kind];
interface MessageSpec {
  readonly command: number;
  readonly subcommand: number;
  readonly params: readonly ParamSpec[];
}

const REQ = 0x80;
const CONF = 0x81;
const IND = 0x82;
const RESP = 0x83;

const MANU = [
  ['controller', 'dword'],
  ['manuId', 'dword'],
  ['manuClass', 'dword'],
  ['manuFunction', 'dword'],
  ['manuData', 'struct'],
] as const;
const DATA_B3 = [
  ['ncci', 'dword'],
  ['data32', 'dword?'],
  ['dataLength', 'dataLength?'],
  ['dataHandle', 'word'],
  ['flags', 'word?'],
  ['data64', 'qword?'],
] as const;

/** Every CAPI 2.0 message: command, subcommand and parameters in wire order. */
export const MESSAGE_SPECS = {
  ALERT_REQ: {
    command: 0x01,
    subcommand: REQ,
    params: [
      ['plci', 'dword'],
      ['additionalInfo', 'addinfo'],
    ],
  },
  ALERT_CONF: {
    command: 0x01,
    subcommand: CONF,
    params: [
      ['plci', 'dword'],
      ['info', 'word'],
    ],
  },
  CONNECT_REQ: {
    command: 0x02,
    subcommand: REQ,
    params: [
      ['controller', 'dword'],
      ['cipValue', 'word'],
      ['calledPartyNumber', 'called'],
      ['callingPartyNumber', 'calling'],
      ['calledPartySubaddress', 'struct'],
      ['callingPartySubaddress', 'struct'],
      ['bProtocol', 'bprotocol'],
      ['bc', 'struct'],
      ['llc', 'struct'],
      ['hlc', 'struct'],
      ['additionalInfo', 'addinfo'],
    ],
  },
  CONNECT_CONF: {
    command: 0x02,
    subcommand: CONF,
    params: [
      ['plci', 'dword'],
      ['info', 'word'],
    ],
  },
  CONNECT_IND: {
    command: 0x02,
    subcommand: IND,
    params: [
      ['plci', 'dword'],
      ['cipValue', 'word'],
      ['calledPartyNumber', 'called'],
      ['callingPartyNumber', 'calling'],
      ['calledPartySubaddress', 'struct'],
      ['callingPartySubaddress', 'struct'],
      ['bc', 'struct'],
      ['llc', 'struct'],
      ['hlc', 'struct'],
      ['additionalInfo', 'addinfo'],
    ],
  },
  CONNECT_RESP: {
    command: 0x02,
    subcommand: RESP,
    params: [
      ['plci', 'dword'],
      ['reject', 'word'],
      ['bProtocol', 'bprotocol'],
      ['connectedNumber', 'calling'],
      ['connectedSubaddress', 'struct'],
      ['llc', 'struct'],
      ['additionalInfo', 'addinfo'],
    ],
  },
  CONNECT_ACTIVE_IND: {
    command: 0x03,
    subcommand: IND,
    params: [
      ['plci', 'dword'],
      ['connectedNumber', 'calling'],
      ['connectedSubaddress', 'struct'],
      ['llc', 'struct'],
    ],
  },
  CONNECT_ACTIVE_RESP: { command: 0x03, subcommand: RESP, params: [['plci', 'dword']] },
  DISCONNECT_REQ: {
    command: 0x04,
    subcommand: REQ,
    params: [
      ['plci', 'dword'],
      ['additionalInfo', 'addinfo'],
    ],
  },
  DISCONNECT_CONF: {
    command: 0x04,
    subcommand: CONF,
    params: [
      ['plci', 'dword'],
      ['info', 'word'],
    ],
  },
  DISCONNECT_IND: {
    command: 0x04,
    subcommand: IND,
    params: [
      ['plci', 'dword'],
      ['reason', 'word'],
    ],
  },
  DISCONNECT_RESP: { command: 0x04, subcommand: RESP, params: [['plci', 'dword']] },
  LISTEN_REQ: {
    command: 0x05,
    subcommand: REQ,
    params: [
      ['controller', 'dword'],
      ['infoMask', 'dword'],
      ['cipMask', 'dword'],
      ['cipMask2', 'dword?'],
      ['callingPartyNumber', 'calling'],
      ['callingPartySubaddress', 'struct'],
    ],
  },
  LISTEN_CONF: {
    command: 0x05,
    subcommand: CONF,
    params: [
      ['controller', 'dword'],
      ['info', 'word'],
    ],
  },
  INFO_REQ: {
    command: 0x08,
    subcommand: REQ,
    params: [
      ['address', 'dword'],
      ['calledPartyNumber', 'called'],
      ['additionalInfo', 'addinfo'],
    ],
  },
  INFO_CONF: {
    command: 0x08,
    subcommand: CONF,
    params: [
      ['address', 'dword'],
      ['info', 'word'],
    ],
  },
  INFO_IND: {
    command: 0x08,
    subcommand: IND,
    params: [
      ['address', 'dword'],
      ['infoNumber', 'word'],
      ['infoElement', 'struct'],
    ],
  },
  INFO_RESP: { command: 0x08, subcommand: RESP, params: [['address', 'dword']] },
  SELECT_B_PROTOCOL_REQ: {
    command: 0x41,
    subcommand: REQ,
    params: [
      ['plci', 'dword'],
      ['bProtocol', 'bprotocol'],
    ],
  },
  SELECT_B_PROTOCOL_CONF: {
    command: 0x41,
    subcommand: CONF,
    params: [
      ['plci', 'dword'],
      ['info', 'word'],
    ],
  },
  FACILITY_REQ: {
    command: 0x80,
    subcommand: REQ,
    params: [
      ['address', 'dword'],
      ['facilitySelector', 'word'],
      ['facilityRequestParameter', 'struct'],
    ],
  },
  FACILITY_CONF: {
    command: 0x80,
    subcommand: CONF,
    params: [
      ['address', 'dword'],
      ['info', 'word'],
      ['facilitySelector', 'word'],
      ['facilityConfirmationParameter', 'struct'],
    ],
  },
  FACILITY_IND: {
    command: 0x80,
    subcommand: IND,
    params: [
      ['address', 'dword'],
      ['facilitySelector', 'word'],
      ['facilityIndicationParameter', 'struct'],
    ],
  },
  FACILITY_RESP: {
    command: 0x80,
    subcommand: RESP,
    params: [
      ['address', 'dword'],
      ['facilitySelector', 'word'],
      ['facilityResponseParameters', 'struct'],
    ],
  },
  CONNECT_B3_REQ: {
    command: 0x82,
    subcommand: REQ,
    params: [
      ['plci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  CONNECT_B3_CONF: {
    command: 0x82,
    subcommand: CONF,
    params: [
      ['ncci', 'dword'],
      ['info', 'word'],
    ],
  },
  CONNECT_B3_IND: {
    command: 0x82,
    subcommand: IND,
    params: [
      ['ncci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  CONNECT_B3_RESP: {
    command: 0x82,
    subcommand: RESP,
    params: [
      ['ncci', 'dword'],
      ['reject', 'word'],
      ['ncpi', 'struct'],
    ],
  },
  CONNECT_B3_ACTIVE_IND: {
    command: 0x83,
    subcommand: IND,
    params: [
      ['ncci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  CONNECT_B3_ACTIVE_RESP: { command: 0x83, subcommand: RESP, params: [['ncci', 'dword']] },
  DISCONNECT_B3_REQ: {
    command: 0x84,
    subcommand: REQ,
    params: [
      ['ncci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  DISCONNECT_B3_CONF: {
    command: 0x84,
    subcommand: CONF,
    params: [
      ['ncci', 'dword'],
      ['info', 'word'],
    ],
  },
  DISCONNECT_B3_IND: {
    command: 0x84,
    subcommand: IND,
    params: [
      ['ncci', 'dword'],
      ['reasonB3', 'word'],
      ['ncpi', 'struct'],
    ],
  },
  DISCONNECT_B3_RESP: { command: 0x84, subcommand: RESP, params: [['ncci', 'dword']] },
  DATA_B3_REQ: { command: 0x86, subcommand: REQ, params: DATA_B3 },
  DATA_B3_CONF: {
    command: 0x86,
    subcommand: CONF,
    params: [
      ['ncci', 'dword'],
      ['dataHandle', 'word'],
      ['info', 'word'],
    ],
  },
  DATA_B3_IND: { command: 0x86, subcommand: IND, params: DATA_B3 },
  DATA_B3_RESP: {
    command: 0x86,
    subcommand: RESP,
    params: [
      ['ncci', 'dword'],
      ['dataHandle', 'word'],
    ],
  },
  RESET_B3_REQ: {
    command: 0x87,
    subcommand: REQ,
    params: [
      ['ncci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  RESET_B3_CONF: {
    command: 0x87,
    subcommand: CONF,
    params: [
      ['ncci', 'dword'],
      ['info', 'word'],
    ],
  },
  RESET_B3_IND: {
    command: 0x87,
    subcommand: IND,
    params: [
      ['ncci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  RESET_B3_RESP: { command: 0x87, subcommand: RESP, params: [['ncci', 'dword']] },
  CONNECT_B3_T90_ACTIVE_IND: {
    command: 0x88,
    subcommand: IND,
    params: [
      ['ncci', 'dword'],
      ['ncpi', 'struct'],
    ],
  },
  CONNECT_B3_T90_ACTIVE_RESP: { command: 0x88, subcommand: RESP, params: [['ncci', 'dword']] },
  MANUFACTURER_REQ: { command: 0xff, subcommand: REQ, params: MANU },
  MANUFACTURER_CONF: { command: 0xff, subcommand: CONF, params: MANU },
  MANUFACTURER_IND: { command: 0xff, subcommand: IND, params: MANU },
  MANUFACTURER_RESP: { command: 0xff, subcommand: RESP, params: MANU },
} as const satisfies Record<string, MessageSpec>;

export type MessageName = keyof typeof MESSAGE_SPECS;
export const MESSAGE_NAMES = Object.keys(MESSAGE_SPECS) as MessageName[];

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ParamsOf<P extends readonly ParamSpec[]> = {
  [E in P[number] as E[1] extends RequiredKind ? E[0] : never]: KindType[E[1]];
} & {
  [E in P[number] as E[1] extends RequiredKind ? never : E[0]]?: KindType[E[1]];
};

export interface CapiHeader {
  applId: number;
  messageNumber: number;
}

/** The record of one message, e.g. `CapiMessageOf<'CONNECT_CONF'>` = { name, applId, messageNumber, plci, info }. */
export type CapiMessageOf<N extends MessageName> = Simplify<
  { name: N } & CapiHeader &
    ParamsOf<(typeof MESSAGE_SPECS)[N]['params']> &
    (N extends 'DATA_B3_REQ' | 'DATA_B3_IND' ? { data: Uint8Array } : unknown)
>;

/** Every CAPI message, discriminated by `name`. */
export type CapiMessage = { [N in MessageName]: CapiMessageOf<N> }[MessageName];

/** A message without its header fields (what callers build; the session fills in the header). */
export type CapiMessageBody<N extends MessageName = MessageName> = N extends MessageName
  ? Omit<CapiMessageOf<N>, 'applId' | 'messageNumber'>
  : never;

// ---------------------------------------------------------------------------------------------

interface CompiledSpec {
  name: MessageName;
  command: number;
  subcommand: number;
  params: readonly ParamSpec[];
  /** `NAME.field` per parameter, built once (error messages name the field). */
  labels: readonly string[];
  headerLabel: string;
  isData: boolean;
}

const BY_CODE = new Map<number, CompiledSpec>();
const BY_NAME = new Map<string, CompiledSpec>();
for (const name of MESSAGE_NAMES) {
  const s = MESSAGE_SPECS[name] as MessageSpec;
  const c: CompiledSpec = {
    name,
    command: s.command,
    subcommand: s.subcommand,
    params: s.params,
    labels: s.params.map(([f]) => `${name}.${f}`),
    headerLabel: `${name}.header`,
    isData: name === 'DATA_B3_REQ' || name === 'DATA_B3_IND',
  };
  BY_CODE.set((s.command << 8) | s.subcommand, c);
  BY_NAME.set(name, c);
}

/** Name of a command/subcommand pair, or `undefined` if it is not a CAPI 2.0 message. */
export function messageName(command: number, subcommand: number): MessageName | undefined {
  return BY_CODE.get(((command & 0xff) << 8) | (subcommand & 0xff))?.name;
}

/** Command and subcommand of a message name. */
export function messageCode(name: MessageName): { command: number; subcommand: number } {
  const s = BY_NAME.get(name);
  if (!s) throw new CapiCodecError('unknown-command', 4, `unknown message name ${String(name)}`);
  return { command: s.command, subcommand: s.subcommand };
}

export interface CapiMessageHeader {
  totalLength: number;
  applId: number;
  command: number;
  subcommand: number;
  messageNumber: number;
  /** `undefined` for a command/subcommand pair that is not a CAPI 2.0 message. */
  name: MessageName | undefined;
}

/** Reads the 8-byte header only (works for unknown commands and rcapi functions too). */
export function decodeHeader(buf: Uint8Array): CapiMessageHeader {
  if (buf.length < 8) throw new CapiCodecError('truncated', buf.length, `message of ${buf.length} bytes < 8`);
  const r = new CapiReader(buf, 0, 8);
  const totalLength = r.u16();
  const applId = r.u16();
  const command = r.u8();
  const subcommand = r.u8();
  const messageNumber = r.u16();
  return { totalLength, applId, command, subcommand, messageNumber, name: messageName(command, subcommand) };
}

// ---------------------------------------------------------------------------------------------
// Encoding

function writeParam(w: CapiWriter, kind: Kind, v: unknown, msg: Record<string, unknown>): void {
  switch (kind) {
    case 'dword':
      w.u32(v as number);
      return;
    case 'word':
      w.u16(v as number);
      return;
    case 'dword?':
      w.u32((v as number | undefined) ?? 0);
      return;
    case 'word?':
      w.u16((v as number | undefined) ?? 0);
      return;
    case 'dataLength?': {
      const data = msg.data as Uint8Array | undefined;
      w.u16((v as number | undefined) ?? data?.length ?? 0);
      return;
    }
    case 'qword?':
      if (v !== undefined) w.u64(v as bigint);
      return;
    case 'struct':
      w.struct(v as Uint8Array | undefined);
      return;
    case 'called':
      w.struct(encodeCalledPartyNumber(v as CalledPartyNumber | undefined, w));
      return;
    case 'calling':
      w.struct(encodeCallingPartyNumber(v as CallingPartyNumber | undefined, w));
      return;
    case 'bprotocol': {
      if (v === undefined) {
        w.u8(0);
        return;
      }
      const mark = w.beginStruct();
      writeBProtocol(w, v as BProtocol);
      w.endStruct(mark);
      return;
    }
    case 'addinfo': {
      if (v === undefined) {
        w.u8(0);
        return;
      }
      const mark = w.beginStruct();
      writeAdditionalInfo(w, v as AdditionalInfo);
      w.endStruct(mark);
      return;
    }
  }
}

/**
 * Encodes a message. For DATA_B3_REQ/IND the payload in `data` follows the message (its
 * TotalLength is 22, or 30 when `data64` is set); DataLength defaults to `data.length`.
 * Throws CapiCodecError for values that do not fit.
 */
export function encodeMessage(msg: CapiMessage): Buffer {
  const spec = BY_NAME.get((msg as { name: string }).name);
  if (!spec) {
    throw new CapiCodecError(
      'unknown-command',
      4,
      `unknown message name ${String((msg as { name: unknown }).name)}`,
    );
  }
  const m = msg as unknown as Record<string, unknown>;
  const data = spec.isData ? (m.data as Uint8Array | undefined) : undefined;
  if (spec.isData && data !== undefined && !(data instanceof Uint8Array)) {
    throw new CapiCodecError('bad-value', 0, 'data must be a Uint8Array', `${spec.name}.data`);
  }
  const w = new CapiWriter(spec.isData ? 32 + (data?.length ?? 0) : 64);
  w.field = `${spec.name}.header`;
  w.u16(0)
    .u16(m.applId as number)
    .u8(spec.command)
    .u8(spec.subcommand)
    .u16(m.messageNumber as number);
  for (const [field, kind] of spec.params) {
    w.field = `${spec.name}.${field}`;
    const v = m[field];
    if ((kind === 'dword' || kind === 'word') && v === undefined) {
      throw new CapiCodecError('bad-value', w.offset, 'required parameter missing', w.field);
    }
    writeParam(w, kind, v, m);
  }
  const totalLength = w.offset;
  if (totalLength > 0xffff) {
    throw new CapiCodecError('value-out-of-range', 0, `message of ${totalLength} bytes`, spec.name);
  }
  w.patchU16(0, totalLength);
  if (data !== undefined && data.length > 0) {
    w.field = `${spec.name}.data`;
    w.bytes(data);
  }
  return w.toBuffer();
}

// ---------------------------------------------------------------------------------------------
// Decoding

function readParam(r: CapiReader, kind: Kind): unknown {
  switch (kind) {
    case 'dword':
    case 'dword?':
      return r.u32();
    case 'word':
    case 'word?':
    case 'dataLength?':
      return r.u16();
    case 'qword?':
      return r.u64();
    case 'struct':
      return r.struct();
    case 'called':
      return decodeCalledPartyNumber(r.struct());
    case 'calling':
      return decodeCallingPartyNumber(r.struct());
    case 'bprotocol':
    case 'addinfo': {
      const start = r.offset;
      const contents = r.struct();
      if (contents.length === 0) return undefined;
      // Re-read the contents in place so error offsets stay message-relative.
      const inner = new CapiReader(r.bytes, r.offset - contents.length, r.offset);
      inner.field = r.field;
      try {
        return kind === 'bprotocol' ? readBProtocol(inner) : readAdditionalInfo(inner);
      } catch (e) {
        if (e instanceof CapiCodecError && e.reason === 'truncated') {
          throw new CapiCodecError('bad-struct', start, `struct too short: ${e.message}`, r.field);
        }
        throw e;
      }
    }
  }
}

function checkTotalLength(buf: Uint8Array): number {
  if (buf.length < 8) throw new CapiCodecError('truncated', buf.length, `message of ${buf.length} bytes < 8`);
  const total = buf[0] | (buf[1] << 8);
  if (total < 12) throw new CapiCodecError('bad-length', 0, `TotalLength ${total} < 12`);
  if (total > buf.length) {
    throw new CapiCodecError('truncated', buf.length, `TotalLength ${total} but only ${buf.length} bytes`);
  }
  return total;
}

function specOf(buf: Uint8Array): CompiledSpec {
  const spec = BY_CODE.get((buf[4] << 8) | buf[5]);
  if (!spec) {
    throw new CapiCodecError(
      'unknown-command',
      4,
      `command 0x${buf[4].toString(16).padStart(2, '0')} subcommand 0x${buf[5].toString(16).padStart(2, '0')}`,
    );
  }
  return spec;
}

/**
 * Decodes one message. `buf` holds the message; for DATA_B3_REQ/IND either the payload
 * follows it in `buf` (rcapi wire form) or it is passed as `data` (native transport).
 * Struct fields are views into `buf` (copy them if `buf` is reused).
 * Throws CapiCodecError for anything malformed; never reads out of bounds.
 */
export function decodeMessage(buf: Uint8Array, data?: Uint8Array): CapiMessage {
  const total = checkTotalLength(buf);
  const spec = specOf(buf);
  const r = new CapiReader(buf, 8, total);
  const out: Record<string, unknown> = {
    name: spec.name,
    applId: buf[2] | (buf[3] << 8),
    messageNumber: buf[6] | (buf[7] << 8),
  };
  if (spec.isData) {
    if (total !== 22 && total !== 30) {
      throw new CapiCodecError('bad-length', 0, `DATA_B3 TotalLength ${total}, must be 22 or 30`, spec.name);
    }
  }
  const params = spec.params;
  for (let i = 0; i < params.length; i++) {
    const [field, kind] = params[i];
    if (kind === 'qword?' && r.remaining === 0) continue; // 22-byte DATA_B3
    r.field = spec.labels[i];
    out[field] = readParam(r, kind);
  }
  if (r.remaining !== 0) {
    throw new CapiCodecError(
      'trailing-bytes',
      r.offset,
      `${r.remaining} byte(s) after the last parameter`,
      spec.name,
    );
  }
  if (spec.isData) {
    const len = out.dataLength as number;
    if (data !== undefined) {
      if (data.length !== len) {
        throw new CapiCodecError(
          'bad-length',
          16,
          `DataLength ${len} but ${data.length} data bytes given`,
          spec.name,
        );
      }
      if (buf.length > total) {
        throw new CapiCodecError(
          'trailing-bytes',
          total,
          'data given separately and after the message',
          spec.name,
        );
      }
      out.data = data;
    } else {
      if (buf.length < total + len) {
        throw new CapiCodecError(
          'truncated',
          buf.length,
          `DataLength ${len} but ${buf.length - total} byte(s) follow the message`,
          `${spec.name}.data`,
        );
      }
      if (buf.length > total + len) {
        throw new CapiCodecError(
          'trailing-bytes',
          total + len,
          `${buf.length - total - len} byte(s) after the data`,
          spec.name,
        );
      }
      out.data = buf.subarray(total, total + len);
    }
  } else if (buf.length > total) {
    throw new CapiCodecError(
      'trailing-bytes',
      total,
      `${buf.length - total} byte(s) after TotalLength`,
      spec.name,
    );
  }
  return out as unknown as CapiMessage;
}

/** A message with every struct left as raw contents and nothing beyond framing enforced. */
export interface RawCapiMessage extends CapiMessageHeader {
  name: MessageName;
  /** Parameters in wire order; structs are raw contents (views). Missing trailing params are absent. */
  params: Record<string, number | bigint | Uint8Array>;
  /** Bytes inside TotalLength after the known parameters (future extensions, junk). */
  trailing: Uint8Array;
  /** Bytes after TotalLength (DATA_B3 payload on the rcapi wire), or the `data` argument. */
  after: Uint8Array;
}

/**
 * Lenient decode for diagnostics, simulators and replying to messages that fail the strict
 * decoder: checks the header, TotalLength and that each struct stays inside the message;
 * does not interpret struct contents, keeps unknown bytes, and tolerates a message that ends
 * after any complete parameter. Unknown commands still throw (use decodeHeader for those).
 */
export function decodeMessageRaw(buf: Uint8Array, data?: Uint8Array): RawCapiMessage {
  const total = checkTotalLength(buf);
  const spec = specOf(buf);
  const header = decodeHeader(buf);
  const r = new CapiReader(buf, 8, total);
  const params: Record<string, number | bigint | Uint8Array> = {};
  for (const [field, kind] of spec.params) {
    if (r.remaining === 0) break;
    r.field = `${spec.name}.${field}`;
    switch (kind) {
      case 'dword':
      case 'dword?':
        params[field] = r.u32();
        break;
      case 'word':
      case 'word?':
      case 'dataLength?':
        params[field] = r.u16();
        break;
      case 'qword?':
        params[field] = r.u64();
        break;
      default:
        params[field] = r.struct();
    }
  }
  return {
    ...header,
    name: spec.name,
    params,
    trailing: buf.subarray(r.offset, total),
    after: data ?? buf.subarray(total),
  };
}
