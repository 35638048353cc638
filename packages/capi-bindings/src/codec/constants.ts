/** CAPI 2.0 constants (capi-reference §8). Plain objects, so they work as values and as types. */

export const Command = {
  ALERT: 0x01,
  CONNECT: 0x02,
  CONNECT_ACTIVE: 0x03,
  DISCONNECT: 0x04,
  LISTEN: 0x05,
  INFO: 0x08,
  SELECT_B_PROTOCOL: 0x41,
  FACILITY: 0x80,
  CONNECT_B3: 0x82,
  CONNECT_B3_ACTIVE: 0x83,
  DISCONNECT_B3: 0x84,
  DATA_B3: 0x86,
  RESET_B3: 0x87,
  CONNECT_B3_T90_ACTIVE: 0x88,
  MANUFACTURER: 0xff,
} as const;
export type CommandName = keyof typeof Command;

export const Subcommand = { REQ: 0x80, CONF: 0x81, IND: 0x82, RESP: 0x83 } as const;
export type SubcommandName = keyof typeof Subcommand;

/** CIP values (§8.4). */
export const Cip = {
  ANY: 0,
  SPEECH: 1,
  UNRESTRICTED_DIGITAL: 2,
  RESTRICTED_DIGITAL: 3,
  AUDIO_3_1_KHZ: 4,
  AUDIO_7_KHZ: 5,
  VIDEO: 6,
  PACKET_MODE: 7,
  RATE_ADAPTATION_56K: 8,
  UNRESTRICTED_DIGITAL_TONES: 9,
  TELEPHONY: 16,
  FAX_G2_G3: 17,
  FAX_G4_CLASS1: 18,
  TELETEX_FAX_G4: 19,
  TELETEX_PROCESSABLE: 20,
  TELETEX_BASIC: 21,
  VIDEOTEX: 22,
  TELEX: 23,
  X400: 24,
  OSI: 25,
  TELEPHONY_7_KHZ: 26,
  VIDEO_TELEPHONY_1: 27,
  VIDEO_TELEPHONY_2: 28,
} as const;

/** CIP mask for LISTEN_REQ from CIP values (bit n = CIP n). */
export function cipMask(...values: number[]): number {
  let m = 0;
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v > 31) throw new RangeError(`CIP value ${v} out of 0..31`);
    m = (m | (1 << v)) >>> 0;
  }
  return m;
}

/** The services a fax gateway listens for: speech, 3.1 kHz audio, telephony, G3 fax. */
export const FAX_CIP_MASK = cipMask(Cip.SPEECH, Cip.AUDIO_3_1_KHZ, Cip.TELEPHONY, Cip.FAX_G2_G3);

export const B1Protocol = {
  HDLC_64K: 0,
  TRANSPARENT_64K: 1,
  V110_ASYNC: 2,
  V110_SYNC: 3,
  T30_FAX_G3: 4,
  HDLC_INVERTED_64K: 5,
  TRANSPARENT_56K: 6,
  MODEM_NEGOTIATION: 7,
  MODEM_ASYNC: 8,
  MODEM_SYNC: 9,
} as const;

export const B2Protocol = {
  X75_SLP: 0,
  TRANSPARENT: 1,
  SDLC: 2,
  LAPD: 3,
  T30_FAX_G3: 4,
  PPP: 5,
  TRANSPARENT_IGNORE_FRAMING: 6,
  MODEM_EC: 7,
  X75_V42BIS: 8,
  V120_ASYNC: 9,
  V120_ASYNC_V42BIS: 10,
  V120_TRANSPARENT: 11,
  LAPD_SAPI: 12,
} as const;

export const B3Protocol = {
  TRANSPARENT: 0,
  T90NL: 1,
  ISO8208: 2,
  X25_DCE: 3,
  T30_FAX_G3: 4,
  T30_FAX_G3_EXT: 5,
  MODEM: 7,
} as const;

/** B3 config / NCPI "Format" for fax (§8.6). */
export const FaxFormat = {
  SFF: 0,
  PLAIN_MH: 1,
  PCX: 2,
  DCX: 3,
  TIFF: 4,
  ASCII: 5,
  EXTENDED_ANSI: 6,
  BINARY: 7,
} as const;

/** B3 = 5 config options and NCPI options bits (§8.6, §8.7). */
export const FaxOptions = {
  HIGH_RESOLUTION: 0x0001,
  POLLING: 0x0002,
  MORE_DOCUMENTS: 0x0004,
  JPEG: 0x0400,
  JBIG: 0x0800,
  NO_JBIG_PROGRESSIVE: 0x1000,
  NO_MR: 0x2000,
  NO_MMR: 0x4000,
  NO_ECM: 0x8000,
} as const;

/** LISTEN_REQ InfoMask bits (§8.2). */
export const InfoMask = {
  CAUSE: 1 << 0,
  DATE_TIME: 1 << 1,
  DISPLAY: 1 << 2,
  USER_USER: 1 << 3,
  CALL_PROGRESS: 1 << 4,
  FACILITY: 1 << 5,
  CHARGING: 1 << 6,
  CALLED_PARTY_NUMBER: 1 << 7,
  CHANNEL_ID: 1 << 8,
  EARLY_B3_CONNECT: 1 << 9,
  REDIRECT: 1 << 10,
  SENDING_COMPLETE: 1 << 12,
} as const;

/** CONNECT_RESP Reject values (§8.9). */
export const Reject = {
  ACCEPT: 0,
  IGNORE: 1,
  NORMAL_CLEARING: 2,
  USER_BUSY: 3,
  CHANNEL_NOT_AVAILABLE: 4,
  FACILITY_REJECTED: 5,
  CHANNEL_UNACCEPTABLE: 6,
  INCOMPATIBLE_DESTINATION: 7,
  DESTINATION_OUT_OF_ORDER: 8,
} as const;

export const FacilitySelector = {
  HANDSET: 0,
  DTMF: 1,
  V42BIS: 2,
  SUPPLEMENTARY_SERVICES: 3,
  POWER_MANAGEMENT: 4,
} as const;

/** Info values (§8.10). */
export const Info = {
  OK: 0x0000,
  NCPI_IGNORED: 0x0001,
  FLAGS_IGNORED: 0x0002,
  ALERT_ALREADY_SENT: 0x0003,
  TOO_MANY_APPLICATIONS: 0x1001,
  LOGICAL_BLOCK_SIZE_TOO_SMALL: 0x1002,
  BUFFER_EXCEEDS_64K: 0x1003,
  MESSAGE_BUFFER_TOO_SMALL: 0x1004,
  MAX_LOGICAL_CONNECTIONS_NOT_SUPPORTED: 0x1005,
  REGISTER_BUSY: 0x1007,
  REGISTER_OS_RESOURCE_ERROR: 0x1008,
  REGISTER_NOT_INSTALLED: 0x1009,
  ILLEGAL_APPL_ID: 0x1101,
  ILLEGAL_COMMAND: 0x1102,
  SEND_QUEUE_FULL: 0x1103,
  RECEIVE_QUEUE_EMPTY: 0x1104,
  RECEIVE_OVERFLOW: 0x1105,
  UNKNOWN_NOTIFICATION: 0x1106,
  MESSAGE_BUSY: 0x1107,
  MESSAGE_OS_RESOURCE_ERROR: 0x1108,
  MESSAGE_NOT_INSTALLED: 0x1109,
  ILLEGAL_STATE: 0x2001,
  ILLEGAL_IDENTIFIER: 0x2002,
  OUT_OF_PLCI: 0x2003,
  OUT_OF_NCCI: 0x2004,
  OUT_OF_LISTEN: 0x2005,
  OUT_OF_FAX_RESOURCES: 0x2006,
  ILLEGAL_PARAMETER_CODING: 0x2007,
  B1_NOT_SUPPORTED: 0x3001,
  B2_NOT_SUPPORTED: 0x3002,
  B3_NOT_SUPPORTED: 0x3003,
  B1_PARAMETER_NOT_SUPPORTED: 0x3004,
  B2_PARAMETER_NOT_SUPPORTED: 0x3005,
  B3_PARAMETER_NOT_SUPPORTED: 0x3006,
  B_PROTOCOL_COMBINATION_NOT_SUPPORTED: 0x3007,
  NCPI_NOT_SUPPORTED: 0x3008,
  CIP_UNKNOWN: 0x3009,
  FLAGS_NOT_SUPPORTED: 0x300a,
  FACILITY_NOT_SUPPORTED: 0x300b,
  DATA_LENGTH_NOT_SUPPORTED: 0x300c,
  RESET_NOT_SUPPORTED: 0x300d,
} as const;

/** Reason / Reason_B3 values (§8.10). 0x34xx = network cause xx (Q.850 cause | 0x80). */
export const Reason = {
  NORMAL: 0x0000,
  LAYER1_ERROR: 0x3301,
  LAYER2_ERROR: 0x3302,
  LAYER3_ERROR: 0x3303,
  ANOTHER_APPLICATION: 0x3304,
  FAX_NOT_G3: 0x3311,
  FAX_TRAINING_ERROR: 0x3312,
  FAX_DISCONNECT_BEFORE_TRANSFER: 0x3313,
  FAX_REMOTE_ABORT: 0x3314,
  FAX_REMOTE_PROCEDURE_ERROR: 0x3315,
  FAX_LOCAL_TX_UNDERRUN: 0x3316,
  FAX_LOCAL_RX_OVERFLOW: 0x3317,
  FAX_LOCAL_ABORT: 0x3318,
  FAX_ILLEGAL_PARAMETER_CODING: 0x3319,
  UNALLOCATED_NUMBER: 0x3481,
  NORMAL_CLEARING: 0x3490,
  USER_BUSY: 0x3491,
  NO_USER_RESPONDING: 0x3492,
  NO_ANSWER: 0x3493,
  CALL_REJECTED: 0x3495,
  DESTINATION_OUT_OF_ORDER: 0x349b,
  INVALID_NUMBER_FORMAT: 0x349c,
  /** Q.850 cause 29; what CONNECT_RESP Reject 5 (facility rejected) gives the caller. */
  FACILITY_REJECTED: 0x349d,
  NORMAL_UNSPECIFIED: 0x349f,
  NO_CIRCUIT_AVAILABLE: 0x34a2,
  TEMPORARY_FAILURE: 0x34a9,
  CONGESTION: 0x34aa,
  INCOMPATIBLE_DESTINATION: 0x34d8,
  INTERWORKING: 0x34ff,
  MODEM_NORMAL_END: 0x3500,
  MODEM_CARRIER_LOST: 0x3501,
  MODEM_NO_MODEM_OR_FAX: 0x350f,
  MODEM_HANDSHAKE_ERROR: 0x3510,
} as const;

/** Network cause value → Reason (0x3400 | 0x80 | cause). */
export function networkCauseReason(q850Cause: number): number {
  return 0x3480 | (q850Cause & 0x7f);
}

/** Address dwords (§8.1). */
export function plciOf(address: number): number {
  return address & 0xffff;
}
export function controllerOf(address: number): number {
  return address & 0x7f;
}
export function makePlci(controller: number, plci: number): number {
  return ((plci & 0xff) << 8) | (controller & 0x7f);
}
export function makeNcci(plciAddress: number, ncci: number): number {
  return (((ncci & 0xffff) << 16) | (plciAddress & 0xffff)) >>> 0;
}

/** Limits the library and the protocol impose (§3, §5, §7). */
export const Limits = {
  /** Largest frame the library accepts from a server (P4). */
  MAX_SERVER_FRAME: 4096,
  /** Largest message + data the library sends (P5). */
  SEND_BUFSIZ: 2176,
  /** Largest rcapi function reply (P4). */
  MAX_FUNCTION_REPLY: 100,
  /** Blocks a fax sender keeps outstanding (§8.3). */
  MAX_OUTSTANDING_B3_BLOCKS: 7,
  /** DATA_B3 payload a fax sender uses. */
  DEFAULT_B_DATA_LEN: 2048,
  /** DATA_B3 message lengths. */
  DATA_B3_LEN_32: 22,
  DATA_B3_LEN_64: 30,
} as const;
