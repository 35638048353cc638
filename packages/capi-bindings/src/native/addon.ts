/**
 * Finds and loads the compiled libcapi20 addon (build/capi20.node) and, through it,
 * libcapi20.so.3 itself (dlopen at run time: no link-time dependency on the library).
 *
 * Environment overrides (tests, unusual installs):
 * - FAXGATE_LIBCAPI20: the library to dlopen (default `libcapi20.so.3`);
 * - FAXGATE_CAPI_ADDON: the compiled addon to load (default `<package>/build/capi20.node`).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CapiVersion } from '../transport/types.js';
import { LibCapi20MissingError, NativeAddonNotBuiltError } from './errors.js';

export const DEFAULT_LIBCAPI20 = 'libcapi20.so.3';

export interface NativeAppStats {
  /** capi20_get_message calls so far: stays put while nothing arrives (no busy loop, P6). */
  getMessageCalls: number;
  pollWakeups: number;
  /** Times a frame was only partly buffered and the addon waited for the rest (P7). */
  partialWaits: number;
  down: boolean;
  /** Out of receive buffers (every DATA_B3_IND awaits its RESP): reading paused. */
  paused: boolean;
  pendingJobs: number;
}

/** The addon's functions (native/src/addon.cc). Every promise settles on the main thread. */
export interface NativeCapiAddon {
  load(soname: string): void;
  isInstalled(): Promise<number>;
  register(
    maxLogicalConnection: number,
    maxBDataBlocks: number,
    maxBDataLen: number,
  ): Promise<{ info: number; applId?: number; fd?: number; driver?: string }>;
  release(applId: number): Promise<number>;
  /** Rejects with code ERR_CAPI_REFUSED when the message would abort libcapi20 (P3, P5). */
  putMessage(applId: number, raw: Uint8Array, data?: Uint8Array): Promise<number>;
  /** One message if a whole frame is buffered, else info 0x1104 without blocking (P1). */
  getMessage(applId: number): Promise<{ info: number; closed: boolean; message?: Buffer; data?: Buffer }>;
  /**
   * Waits until the application's socket is readable: 0, or 0x1104 after timeoutMs. The same
   * as capi20_waitformessage but with poll() on a pool thread, so fds >= 1024 work (select()
   * would abort, P2) and libcapi20 is not entered off the CAPI thread (P13).
   */
  waitForMessage(applId: number, timeoutMs: number): Promise<number>;
  startReceiving(
    applId: number,
    onMessage: (raw: Buffer, data: Buffer | undefined, problem: string | undefined) => void,
    onDown: (err: Error) => void,
  ): void;
  getProfile(controller: number): Promise<{ info: number; profile: Buffer }>;
  getManufacturer(controller: number): Promise<string | null>;
  getVersion(controller: number): Promise<CapiVersion | null>;
  getSerialNumber(controller: number): Promise<string | null>;
  fileno(applId: number): number;
  stats(applId: number): NativeAppStats;
}

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultAddonPath = path.join(packageDir, 'build/capi20.node');

function buildFailureReason(addonPath: string): string {
  const status = path.join(path.dirname(addonPath), 'native-status.json');
  try {
    const s = JSON.parse(fs.readFileSync(status, 'utf8')) as { ok?: boolean; reason?: string };
    if (s.ok === false && s.reason) return s.reason;
  } catch {
    // no status: the build never ran
  }
  return `${addonPath} does not exist (build:native never ran or failed)`;
}

const loaded = new Map<string, NativeCapiAddon>();

export interface LoadOptions {
  addonPath?: string;
  library?: string;
}

/** Loads the addon and libcapi20; throws NativeAddonNotBuiltError or LibCapi20MissingError. */
export function loadNativeCapi(opts: LoadOptions = {}): NativeCapiAddon {
  const addonPath = opts.addonPath ?? process.env.FAXGATE_CAPI_ADDON ?? defaultAddonPath;
  const library = opts.library ?? process.env.FAXGATE_LIBCAPI20 ?? DEFAULT_LIBCAPI20;
  let addon = loaded.get(addonPath);
  if (!addon) {
    if (!fs.existsSync(addonPath)) throw new NativeAddonNotBuiltError(buildFailureReason(addonPath));
    try {
      addon = createRequire(import.meta.url)(addonPath) as NativeCapiAddon;
    } catch (e) {
      throw new NativeAddonNotBuiltError(`${addonPath} does not load: ${(e as Error).message}`);
    }
    loaded.set(addonPath, addon);
  }
  try {
    addon.load(library);
  } catch (e) {
    throw new LibCapi20MissingError(library, (e as Error).message);
  }
  return addon;
}
