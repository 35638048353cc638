/** Errors of the native (libcapi20) transport. Each carries a stable `code`. */

/** The addon was not compiled (no compiler on this machine, build failed, or never built). */
export class NativeAddonNotBuiltError extends Error {
  override readonly name = 'NativeAddonNotBuiltError';
  readonly code = 'ERR_CAPI_NATIVE_NOT_BUILT';
  constructor(readonly reason: string) {
    super(
      `native addon not built: ${reason}. Build it with "npm run build:native -w @faxgate/capi-bindings" ` +
        '(needs python3, make and g++), or use the rcapi transport',
    );
  }
}

/** libcapi20.so.3 could not be loaded with dlopen. */
export class LibCapi20MissingError extends Error {
  override readonly name = 'LibCapi20MissingError';
  readonly code = 'ERR_LIBCAPI20_MISSING';
  constructor(
    readonly library: string,
    readonly reason: string,
  ) {
    super(
      `libcapi20 could not be loaded from ${library} (${reason}). Install the Debian package libcapi20-3 ` +
        '(apt-get install libcapi20-3), or use the rcapi transport',
    );
  }
}

export const CAPI_INFO = {
  ok: 0,
  registerOsResourceError: 0x1008,
  notInstalled: 0x1009,
  queueEmpty: 0x1104,
  osResourceError: 0x1108,
} as const;
