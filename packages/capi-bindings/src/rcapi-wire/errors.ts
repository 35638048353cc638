/**
 * The one error the rcapi wire module throws (capi-reference §3). Client and server see the
 * same `code` and the same text for the same bad bytes; whoever catches it drops the
 * connection, because a stream that lost step cannot be trusted again.
 */
export type RcapiWireErrorCode =
  /** A frame body above the limit (message + data, the length word not counted). */
  | 'ERR_RCAPI_FRAME_TOO_LONG'
  /** A frame body shorter than the 8-byte CAPI message header. */
  | 'ERR_RCAPI_FRAME_TOO_SHORT'
  /** The stream ended inside a frame. */
  | 'ERR_RCAPI_FRAME_TRUNCATED'
  /** A function frame (Subcommand 0xFF) with a Command no rcapi function has. */
  | 'ERR_RCAPI_UNKNOWN_FUNCTION'
  /** A function reply other than the one asked for, or one too short for its fields. */
  | 'ERR_RCAPI_BAD_REPLY';

export class RcapiWireError extends Error {
  override readonly name = 'RcapiWireError';
  constructor(
    readonly code: RcapiWireErrorCode,
    message: string,
  ) {
    super(message);
  }
}
