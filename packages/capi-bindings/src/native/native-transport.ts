/**
 * CapiTransport over the real libcapi20 (Debian libcapi20-3) through the native addon.
 *
 * The addon runs every library call on one dedicated thread and reads messages only when a
 * whole frame is buffered, so nothing here blocks the event loop. This class adds what is
 * policy rather than mechanism: parameter limits, Info → typed errors, timeouts for calls the
 * library never times out itself (P9), and recovery of a stale info socket (P8).
 */
import { EventEmitter } from 'node:events';
import { CapiDownError, CapiInfoError, CapiRefusedError, CapiTimeoutError } from '../transport/errors.js';
import type { CapiApplication, CapiTransport, CapiVersion, RegisterParams } from '../transport/types.js';
import { type LoadOptions, loadNativeCapi, type NativeCapiAddon } from './addon.js';
import { CAPI_INFO } from './errors.js';

export interface NativeTransportOptions extends LoadOptions {
  /** Bound for register, release and the info calls (default 30 s). The library has none (P9). */
  callTimeoutMs?: number;
}

/** CAPI 2.0 limits, plus ours: DATA_B3 blocks above 2048 bytes do not fit libcapi20's send buffer. */
const LIMITS = {
  maxLogicalConnection: [1, 30],
  maxBDataBlocks: [1, 7],
  maxBDataLen: [128, 2048],
} as const;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(
      () =>
        reject(
          new CapiTimeoutError(
            `${what} did not return within ${ms} ms: the CAPI server does not answer (libcapi20 has no timeout)`,
          ),
        ),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

function translate(e: unknown): unknown {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'ERR_CAPI_REFUSED')
    return new CapiRefusedError((e as Error).message, (e as { guard?: string }).guard ?? 'malformed');
  if (code === 'ERR_CAPI_DOWN') return new CapiDownError((e as Error).message);
  return e;
}

/**
 * One registered CAPI application. Events: 'message' (raw: Buffer, data?: Buffer) — data is
 * the DATA_B3_IND payload, already copied out of the library; 'down' (err) — the connection
 * died, no more messages will come; 'warning' (text) — a message arrived in an odd form.
 */
export class NativeApplication extends EventEmitter implements CapiApplication {
  #released = false;
  #releasing: Promise<void> | undefined;
  #downError: Error | undefined;

  constructor(
    private readonly addon: NativeCapiAddon,
    readonly applId: number,
    private readonly timeoutMs: number,
    private readonly onReleased: (app: NativeApplication) => void,
  ) {
    super();
    addon.startReceiving(
      applId,
      (raw, data, problem) => {
        if (problem) this.emit('warning', problem);
        this.emit('message', raw, data);
      },
      (err) => {
        this.#downError = new CapiDownError(err.message);
        this.emit('down', this.#downError);
      },
    );
  }

  /** The socket's file descriptor (capi20_fileno); for diagnostics. */
  get fd(): number {
    return this.addon.fileno(this.applId);
  }

  get isDown(): boolean {
    return this.#downError !== undefined;
  }

  /** Counters of the receive path (see NativeAppStats). */
  stats() {
    return this.addon.stats(this.applId);
  }

  /**
   * For DATA_B3_REQ the payload may follow the message in `raw` (past TotalLength) or come as
   * `data`, not both. The addon refuses what would abort libcapi20 (CapiRefusedError).
   */
  async putMessage(raw: Buffer, data?: Uint8Array): Promise<void> {
    if (this.#released)
      throw new CapiRefusedError(`CAPI application ${this.applId} was released`, 'released');
    if (this.#downError) throw this.#downError;
    let msg = raw;
    let payload = data;
    const total = raw.length >= 2 ? raw.readUInt16LE(0) : raw.length;
    if (raw.length > total && total >= 8 && raw[4] === 0x86 && raw[5] === 0x80) {
      if (data !== undefined && data.length > 0)
        throw new CapiRefusedError(
          'DATA_B3_REQ payload given both after the message and as data',
          'malformed',
        );
      msg = raw.subarray(0, total);
      payload = raw.subarray(total);
    }
    let info: number;
    try {
      info = await this.addon.putMessage(this.applId, msg, payload);
    } catch (e) {
      throw translate(e);
    }
    if (info !== CAPI_INFO.ok) throw new CapiInfoError('capi20_put_message', info);
  }

  release(): Promise<void> {
    this.#releasing ??= (async () => {
      this.#released = true;
      try {
        const info = await withTimeout(this.addon.release(this.applId), this.timeoutMs, 'capi20_release');
        if (info !== CAPI_INFO.ok) throw new CapiInfoError('capi20_release', info);
      } finally {
        this.onReleased(this);
      }
    })();
    return this.#releasing;
  }
}

export class NativeTransport implements CapiTransport {
  readonly kind = 'native' as const;
  readonly #addon: NativeCapiAddon;
  readonly #timeoutMs: number;
  readonly #apps = new Set<NativeApplication>();

  /** Throws NativeAddonNotBuiltError or LibCapi20MissingError (naming libcapi20-3). */
  constructor(opts: NativeTransportOptions = {}) {
    this.#addon = loadNativeCapi(opts);
    this.#timeoutMs = opts.callTimeoutMs ?? 30_000;
  }

  #call<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.#timeoutMs, what);
  }

  async isInstalled(): Promise<boolean> {
    return (await this.#call(this.#addon.isInstalled(), 'capi20_isinstalled')) === CAPI_INFO.ok;
  }

  async register(p: RegisterParams): Promise<NativeApplication> {
    for (const [key, [lo, hi]] of Object.entries(LIMITS)) {
      const v = p[key as keyof RegisterParams];
      if (!Number.isInteger(v) || v < lo || v > hi)
        throw new RangeError(`${key} must be an integer in ${lo}..${hi}, not ${v}`);
    }
    const r = await this.#call(
      this.#addon.register(p.maxLogicalConnection, p.maxBDataBlocks, p.maxBDataLen),
      'capi20_register',
    );
    if (r.info !== CAPI_INFO.ok || r.applId === undefined) throw new CapiInfoError('capi20_register', r.info);
    const app = new NativeApplication(this.#addon, r.applId, this.#timeoutMs, (a) => this.#apps.delete(a));
    this.#apps.add(app);
    return app;
  }

  /**
   * After the CAPI server restarted, libcapi20 keeps its dead info socket: get_profile gives
   * 0x1108 and the info calls NULL until a release closes it (P8). A register + release cycle
   * does that; the next info call reconnects.
   */
  async #refreshInfoSocket(): Promise<void> {
    const r = await this.#call(this.#addon.register(1, 1, 128), 'capi20_register');
    if (r.info !== CAPI_INFO.ok || r.applId === undefined) return; // server really down: caller reports
    await this.#call(this.#addon.release(r.applId), 'capi20_release');
  }

  /** 64 bytes. For controller 0 only the first 2 (number of controllers) are filled in. */
  async getProfile(controller: number): Promise<Uint8Array> {
    let r = await this.#call(this.#addon.getProfile(controller), 'capi20_get_profile');
    if (r.info === CAPI_INFO.osResourceError) {
      await this.#refreshInfoSocket();
      r = await this.#call(this.#addon.getProfile(controller), 'capi20_get_profile');
    }
    if (r.info !== CAPI_INFO.ok) throw new CapiInfoError('capi20_get_profile', r.info);
    return new Uint8Array(r.profile);
  }

  async #infoCall<T>(what: string, call: () => Promise<T | null>): Promise<T> {
    let v = await this.#call(call(), what);
    if (v === null) {
      await this.#refreshInfoSocket();
      v = await this.#call(call(), what);
    }
    if (v === null)
      throw new CapiInfoError(what, CAPI_INFO.osResourceError, 'no answer from the CAPI server');
    return v;
  }

  getManufacturer(controller: number): Promise<string> {
    return this.#infoCall('capi20_get_manufacturer', () => this.#addon.getManufacturer(controller));
  }

  getVersion(controller: number): Promise<CapiVersion> {
    return this.#infoCall('capi20_get_version', () => this.#addon.getVersion(controller));
  }

  getSerialNumber(controller: number): Promise<string> {
    return this.#infoCall('capi20_get_serial_number', () => this.#addon.getSerialNumber(controller));
  }

  /** Releases every application still registered through this transport. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#apps].map((a) => a.release()));
  }
}
