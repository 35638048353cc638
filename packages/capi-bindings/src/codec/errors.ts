/**
 * The one error type of the codec. Every malformed input ends here: truncation, bad
 * lengths, structs that run past the message, unknown commands, values out of range.
 * The codec never reads out of bounds and never throws anything else.
 */
export type CapiCodecErrorReason =
  /** The input ends before the message (or a field, or the data) does. */
  | 'truncated'
  /** TotalLength (or DataLength) is impossible: below 12, above the input, wrong form. */
  | 'bad-length'
  /** A struct's length runs past the message or past the struct it sits in. */
  | 'struct-overflow'
  /** The struct's contents do not have the shape this parameter needs. */
  | 'bad-struct'
  /** Bytes left over after the last parameter (or after the data). */
  | 'trailing-bytes'
  /** Command/subcommand pair is not a CAPI 2.0 message. */
  | 'unknown-command'
  /** A value to encode does not fit its field (word > 0xFFFF, struct > 0xFFFF bytes …). */
  | 'value-out-of-range'
  /** A value to encode has the wrong type (missing required field …). */
  | 'bad-value';

export class CapiCodecError extends Error {
  override readonly name = 'CapiCodecError';
  /** Byte offset in the message (decode) or in the message being built (encode). */
  readonly offset: number;
  readonly reason: CapiCodecErrorReason;
  /** The parameter being read or written, when known (e.g. `CONNECT_REQ.bProtocol.b3Config`). */
  readonly field: string | undefined;

  constructor(reason: CapiCodecErrorReason, offset: number, detail: string, field?: string) {
    super(`${reason} at offset ${offset}${field ? ` (${field})` : ''}: ${detail}`);
    this.reason = reason;
    this.offset = offset;
    this.field = field;
  }
}

export function isCapiCodecError(e: unknown): e is CapiCodecError {
  return e instanceof CapiCodecError;
}
