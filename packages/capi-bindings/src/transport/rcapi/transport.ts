/**
 * CapiTransport over the rcapi TCP protocol, speaking it exactly as libcapi20 does (§2, §3):
 * one info connection for profile/manufacturer/version/serial, one connection per registered
 * application, ApplIDs allocated here. Unlike the library it never blocks, times out every
 * call, and re-opens a stale info connection after a server restart (P8).
 */

import {
  infoRequest,
  parseReply,
  RcapiFunction,
  registerRequest,
  replyPayload,
} from '../../rcapi-wire/functions.js';
import { CapiDownError, CapiInfoError, CapiTimeoutError } from '../errors.js';
import type { CapiTransport, CapiVersion, RegisterParams } from '../types.js';
import { RcapiApplication } from './application.js';
import { RcapiConnection } from './connection.js';

export interface RcapiTransportOptions {
  host?: string;
  /** Default 2662 (the library's default). */
  port?: number;
  /** Bound for each function call and each connect (default 10 s). */
  callTimeoutMs?: number;
  /**
   * Largest frame body (message + data, length word not counted) accepted from the server;
   * default RCAPI_MAX_FRAME_BODY, 4096, the library's limit (P4).
   */
  maxFrame?: number;
}

const LIMITS = {
  maxLogicalConnection: [1, 30],
  maxBDataBlocks: [1, 7],
  maxBDataLen: [128, 2048],
} as const;

export class RcapiTransport implements CapiTransport {
  readonly kind = 'rcapi' as const;
  private readonly host: string;
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly maxFrame: number | undefined;
  private info: RcapiConnection | undefined;
  private infoConnecting: Promise<RcapiConnection> | undefined;
  /** Serialises info calls: one request in flight on the info connection. */
  private infoQueue: Promise<unknown> = Promise.resolve();
  private readonly apps = new Map<number, RcapiApplication>();
  /** ApplIDs handed out to registrations still in progress. */
  private readonly reserved = new Set<number>();
  private closed = false;

  constructor(opts: RcapiTransportOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port || 2662;
    this.timeoutMs = opts.callTimeoutMs ?? 10_000;
    this.maxFrame = opts.maxFrame;
  }

  private connect(): Promise<RcapiConnection> {
    return RcapiConnection.connect({
      host: this.host,
      port: this.port,
      timeoutMs: this.timeoutMs,
      maxFrame: this.maxFrame,
    });
  }

  /** The info connection; a dead one (server restart, P8) is replaced. */
  private infoConnection(): Promise<RcapiConnection> {
    if (this.closed) return Promise.reject(new CapiDownError('transport closed'));
    if (this.info && !this.info.isDown) return Promise.resolve(this.info);
    this.infoConnecting ??= this.connect().then(
      (c) => {
        this.info = c;
        this.infoConnecting = undefined;
        return c;
      },
      (e) => {
        this.infoConnecting = undefined;
        throw e;
      },
    );
    return this.infoConnecting;
  }

  private infoCall(req: Buffer, replyCommand: number, what: string): Promise<Uint8Array> {
    const attempt = async (): Promise<{ payload?: Uint8Array; staleDown?: Error }> => {
      const reused = this.info !== undefined && !this.info.isDown;
      const c = await this.infoConnection();
      const reply = c.nextFrame(this.timeoutMs, what);
      try {
        await c.send(req);
        return { payload: replyPayload(await reply, replyCommand) };
      } catch (e) {
        reply.catch(() => {});
        // A timed-out or garbled exchange leaves the stream out of step: start afresh next time.
        c.close();
        if (e instanceof CapiDownError && reused) return { staleDown: e };
        if (e instanceof CapiTimeoutError || e instanceof CapiDownError) throw e;
        throw new CapiInfoError(what, 0x1108, (e as Error).message);
      }
    };
    const run = async () => {
      const first = await attempt();
      if (first.payload) return first.payload;
      // The cached connection died under us (server restart, P8): the functions are
      // idempotent, so ask once more on a fresh connection.
      const second = await attempt();
      if (second.payload) return second.payload;
      throw second.staleDown;
    };
    const p = this.infoQueue.then(run, run);
    this.infoQueue = p.catch(() => {});
    return p;
  }

  async isInstalled(): Promise<boolean> {
    try {
      await this.infoConnection();
      return true;
    } catch {
      return false;
    }
  }

  async getManufacturer(controller: number): Promise<string> {
    const p = await this.infoCall(
      infoRequest(RcapiFunction.GET_MANUFACTURER_REQ, controller),
      RcapiFunction.GET_MANUFACTURER_CONF,
      'get_manufacturer',
    );
    return parseReply.manufacturer(p);
  }

  async getVersion(controller: number): Promise<CapiVersion> {
    const p = await this.infoCall(
      infoRequest(RcapiFunction.GET_VERSION_REQ, controller),
      RcapiFunction.GET_VERSION_CONF,
      'get_version',
    );
    return parseReply.version(p);
  }

  async getSerialNumber(controller: number): Promise<string> {
    const p = await this.infoCall(
      infoRequest(RcapiFunction.GET_SERIAL_NUMBER_REQ, controller),
      RcapiFunction.GET_SERIAL_NUMBER_CONF,
      'get_serial_number',
    );
    return parseReply.serial(p);
  }

  async getProfile(controller: number): Promise<Uint8Array> {
    const p = await this.infoCall(
      infoRequest(RcapiFunction.GET_PROFILE_REQ, controller),
      RcapiFunction.GET_PROFILE_CONF,
      'get_profile',
    );
    const { info, profile } = parseReply.profile(p);
    if (info !== 0) throw new CapiInfoError('get_profile', info);
    return profile;
  }

  private allocApplId(): number {
    for (let id = 1; id < 1024; id++) {
      if (!this.apps.has(id) && !this.reserved.has(id)) {
        this.reserved.add(id);
        return id;
      }
    }
    throw new CapiInfoError('register', 0x1001, 'all 1023 ApplIDs in use');
  }

  async register(p: RegisterParams): Promise<RcapiApplication> {
    for (const [key, [lo, hi]] of Object.entries(LIMITS)) {
      const v = p[key as keyof RegisterParams];
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw new RangeError(`${key} must be an integer in ${lo}..${hi}, not ${v}`);
      }
    }
    if (this.closed) throw new CapiDownError('transport closed');
    const applId = this.allocApplId();
    try {
      return await this.registerAs(applId, p);
    } finally {
      this.reserved.delete(applId);
    }
  }

  private async registerAs(applId: number, p: RegisterParams): Promise<RcapiApplication> {
    const conn = await this.connect();
    const reply = conn.nextFrame(this.timeoutMs, 'register');
    let info: number;
    try {
      await conn.send(registerRequest(p));
      info = parseReply.register(replyPayload(await reply, RcapiFunction.REGISTER_CONF));
    } catch (e) {
      reply.catch(() => {});
      conn.close();
      if (e instanceof CapiTimeoutError || e instanceof CapiDownError) throw e;
      throw new CapiInfoError('register', 0x1008, (e as Error).message);
    }
    if (info !== 0) {
      conn.close();
      throw new CapiInfoError('register', info);
    }
    if (this.closed) {
      conn.close();
      throw new CapiDownError('transport closed during register');
    }
    const app = new RcapiApplication(applId, conn, (a) => {
      if (this.apps.get(a.applId) === a) this.apps.delete(a.applId);
    });
    this.apps.set(applId, app);
    return app;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.apps.values()].map((a) => a.release()));
    this.info?.close();
    this.info = undefined;
  }
}
