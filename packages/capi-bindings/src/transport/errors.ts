/** Transport errors with the stable codes of the transport contract (see types.ts). */

export class CapiInfoError extends Error {
  override readonly name = 'CapiInfoError';
  readonly code = 'ERR_CAPI_INFO';
  constructor(
    readonly call: string,
    readonly info: number,
    detail = '',
  ) {
    super(
      `${call} failed with CAPI Info 0x${info.toString(16).padStart(4, '0')}${detail ? `: ${detail}` : ''}`,
    );
  }
}

/** A message refused before it left us: it would kill or hang the library or the peer. */
export class CapiRefusedError extends Error {
  override readonly name = 'CapiRefusedError';
  readonly code = 'ERR_CAPI_REFUSED';
  constructor(
    message: string,
    /** Which guard refused it: 'oversize', 'data-length', 'data-handle', 'malformed', 'released'. */
    readonly guard: string,
  ) {
    super(message);
  }
}

export class CapiDownError extends Error {
  override readonly name = 'CapiDownError';
  readonly code = 'ERR_CAPI_DOWN';
}

export class CapiTimeoutError extends Error {
  override readonly name = 'CapiTimeoutError';
  readonly code = 'ERR_CAPI_TIMEOUT';
}
