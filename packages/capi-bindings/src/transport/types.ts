/**
 * The transport interface: what the call layer needs from a CAPI 2.0 implementation.
 * Two implementations: `RcapiTransport` (pure TypeScript client of the rcapi TCP protocol,
 * src/transport/rcapi) and `NativeTransport` (libcapi20 through the native addon, src/native).
 *
 * Contract for both:
 * - Nothing blocks the event loop; every function call has a timeout.
 * - Messages are raw CAPI messages (little-endian, 8-byte header). Decode them with
 *   `decodeMessage(raw, data)` from the codec.
 * - Errors carry a stable `code`:
 *     'ERR_CAPI_INFO'     a call answered with a non-zero CAPI Info (`info` property);
 *     'ERR_CAPI_REFUSED'  a message was refused before it left us (it would kill or hang the
 *                         library or the peer: oversize, bad DATA_B3_RESP handle, malformed);
 *     'ERR_CAPI_DOWN'     the application's connection is dead;
 *     'ERR_CAPI_TIMEOUT'  a call did not complete in time.
 */
import type { EventEmitter } from 'node:events';

export interface RegisterParams {
  /** Maximum number of logical (B3) connections, 1..30. */
  maxLogicalConnection: number;
  /** Maximum number of DATA_B3 blocks outstanding per connection, 1..7. */
  maxBDataBlocks: number;
  /** Maximum DATA_B3 payload per block, 128..2048. */
  maxBDataLen: number;
}

export interface CapiVersion {
  capiMajor: number;
  capiMinor: number;
  manufacturerMajor: number;
  manufacturerMinor: number;
}

export interface CapiTransport {
  readonly kind: 'rcapi' | 'native';
  /** True when a CAPI (local or remote) answers. Never throws for "not installed". */
  isInstalled(): Promise<boolean>;
  register(p: RegisterParams): Promise<CapiApplication>;
  /** 64 bytes (controller 0: only the first 2 — number of controllers — are meaningful). */
  getProfile(controller: number): Promise<Uint8Array>;
  getManufacturer(controller: number): Promise<string>;
  getVersion(controller: number): Promise<CapiVersion>;
  getSerialNumber(controller: number): Promise<string>;
  /** Releases every application registered through this transport and closes connections. */
  close(): Promise<void>;
}

/**
 * One registered application.
 *
 * Events:
 * - 'message' (raw: Buffer, data?: Buffer): one CAPI message; `raw` is exactly TotalLength
 *   bytes; `data` is the payload of a DATA_B3_IND (undefined for other messages). The
 *   DataHandle in `raw` is the one to answer with in DATA_B3_RESP.
 * - 'down' (err: Error): the connection is dead; no more messages; emitted at most once.
 */
export interface CapiApplication extends EventEmitter {
  readonly applId: number;
  /**
   * Sends one raw CAPI message. For DATA_B3_REQ the payload either follows the message in
   * `raw` (as `encodeMessage` produces it) or is given as `data` — not both.
   */
  putMessage(raw: Buffer, data?: Uint8Array): Promise<void>;
  /** Idempotent. */
  release(): Promise<void>;
}

/** The stable error codes of both transports. */
export type CapiTransportErrorCode =
  | 'ERR_CAPI_INFO'
  | 'ERR_CAPI_REFUSED'
  | 'ERR_CAPI_DOWN'
  | 'ERR_CAPI_TIMEOUT';

export function capiErrorCode(e: unknown): CapiTransportErrorCode | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return c === 'ERR_CAPI_INFO' ||
    c === 'ERR_CAPI_REFUSED' ||
    c === 'ERR_CAPI_DOWN' ||
    c === 'ERR_CAPI_TIMEOUT'
    ? c
    : undefined;
}
