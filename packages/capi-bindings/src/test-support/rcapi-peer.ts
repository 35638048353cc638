/**
 * The rcapi test peer: a server over a real socket that speaks the wire through the rcapi
 * wire module (src/rcapi-wire) — the one test server for the rcapi transport, the guards,
 * the fax calls and the native transport (the real libcapi20 connects to it).
 *
 * It answers the functions like a card would and hands every CAPI message to the test. By
 * default it is dumb: the test decides every reply (`send`). With `card: true` it answers
 * LISTEN_REQ and DATA_B3_REQ itself and echoes each DATA_B3_REQ's data back as a DATA_B3_IND
 * (while `echo` is on). It can misbehave on purpose: oversize or split frames, raw bytes,
 * dropped connections.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Command, Subcommand } from '../codec/constants.js';
import { type CapiMessage, type CapiMessageBody, decodeMessage, encodeMessage } from '../codec/messages.js';
import { buildProfile } from '../codec/profile.js';
import {
  encodeFrame,
  FrameReader,
  isFunctionFrame,
  manufacturerReply,
  parseRegisterRequest,
  profileReply,
  RcapiFunction,
  registerReply,
  requestController,
  requestFunction,
  serialReply,
  splitFrameBody,
  versionReply,
} from '../rcapi-wire/index.js';
import type { CapiVersion, RegisterParams } from '../transport/types.js';
import { capiMsg } from './raw-messages.js';

/** The peer's profile: 2 controllers × 2 B channels, fax G3 in B1/B2/B3. */
export const PEER_PROFILE = buildProfile({
  controllers: 2,
  bChannels: 2,
  globalOptions: 1,
  b1: 0x13,
  b2: 0x13,
  b3: 0x31,
});

export interface PeerOptions {
  manufacturer?: string;
  serial?: string;
  version?: CapiVersion;
  profile?: Uint8Array;
  /** GET_PROFILE for a controller above this answers Info 0x2002 (default 2). */
  controllers?: number;
  /** Info of the REGISTER reply (default 0). */
  registerInfo?: number;
  /** Don't answer function calls at all (timeout tests). */
  silent?: boolean;
  /** Answer LISTEN_REQ and DATA_B3_REQ (with the echo) like a card. */
  card?: boolean;
}

/** A CAPI message (and the data after it) that arrived on a connection. */
export interface PeerMessage {
  conn: PeerConn;
  msg: Buffer;
  data: Buffer;
}

/** One client connection. */
export class PeerConn {
  /** Set once REGISTER arrived. */
  register?: RegisterParams;
  /** The REGISTER request as received. */
  registerFrame?: Buffer;
  /** The ApplID of the first CAPI message from the client. */
  applId = 0;
  /** Every frame body received. */
  readonly frames: Buffer[] = [];
  /** Server-side DataHandles of DATA_B3_INDs the application has not answered yet. */
  readonly unanswered = new Set<number>();
  readonly answered: number[] = [];
  private nextHandle = 0x0700;

  constructor(
    readonly id: number,
    readonly socket: net.Socket,
  ) {}

  /** Sends a message (+ data) in one frame, one write (P7). No size limit: hostile tests. */
  sendFrame(msg: Uint8Array, data?: Uint8Array): void {
    this.socket.write(encodeFrame(msg, data, 0xffff));
  }

  /** Writes bytes as they are, unframed (split or broken frames). */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** DATA_B3_IND in the 22-byte form, as a real server sends it; returns its DataHandle. */
  sendDataInd(applId: number, ncci: number, data: Buffer): number {
    const handle = this.nextHandle++;
    const p = Buffer.alloc(14);
    p.writeUInt32LE(ncci, 0);
    p.writeUInt16LE(data.length, 8);
    p.writeUInt16LE(handle, 10);
    this.unanswered.add(handle);
    this.sendFrame(capiMsg(applId, Command.DATA_B3, Subcommand.IND, 0x4242, p), data);
    return handle;
  }
}

export class RcapiPeer extends EventEmitter<{
  message: [PeerConn, CapiMessage];
  raw: [PeerMessage];
  frame: [PeerConn, Buffer];
  register: [PeerConn];
  close: [PeerConn];
}> {
  readonly server: net.Server;
  readonly conns = new Set<PeerConn>();
  /** With `card`: when false, DATA_B3_REQ is confirmed but not echoed. */
  echo = true;
  private nextId = 1;
  private msgNum = 0x4000;

  constructor(readonly opts: PeerOptions = {}) {
    super();
    this.server = net.createServer((s) => this.accept(s));
  }

  /** Starts listening on 127.0.0.1 (an ephemeral port unless given). */
  static async start(opts: PeerOptions = {}, port = 0): Promise<RcapiPeer> {
    const p = new RcapiPeer(opts);
    await p.listen(port);
    return p;
  }

  listen(port = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Connections that sent REGISTER. */
  get apps(): PeerConn[] {
    return [...this.conns].filter((c) => c.register !== undefined);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const conn = new PeerConn(this.nextId++, socket);
    this.conns.add(conn);
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy(); // a broken stream: drop the client, as a server must
        return;
      }
      for (const f of frames) {
        if (socket.destroyed) return;
        conn.frames.push(f);
        this.emit('frame', conn, f);
        this.handle(conn, f);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.conns.delete(conn);
      this.emit('close', conn);
    });
  }

  private handle(conn: PeerConn, f: Buffer): void {
    if (isFunctionFrame(f)) {
      if (this.opts.silent) return;
      let command: number;
      try {
        command = requestFunction(f);
      } catch {
        conn.socket.destroy();
        return;
      }
      this.answerFunction(conn, command, f);
      return;
    }
    if (!conn.applId) conn.applId = f.readUInt16LE(2);
    const { message, data } = splitFrameBody(f);
    this.emit('raw', { conn, msg: message, data });
    if (this.opts.card) this.answerAsCard(conn, message, data);
    let m: CapiMessage;
    try {
      m = decodeMessage(f);
    } catch {
      return;
    }
    this.emit('message', conn, m);
  }

  private answerFunction(conn: PeerConn, command: number, f: Buffer): void {
    const o = this.opts;
    switch (command) {
      case RcapiFunction.REGISTER_REQ: {
        const r = parseRegisterRequest(f);
        if (r) {
          conn.register = {
            maxLogicalConnection: r.maxLogicalConnection,
            maxBDataBlocks: r.maxBDataBlocks,
            maxBDataLen: r.maxBDataLen,
          };
        }
        conn.registerFrame = Buffer.from(f);
        conn.sendFrame(registerReply(o.registerInfo ?? 0));
        if (!o.registerInfo) this.emit('register', conn);
        return;
      }
      case RcapiFunction.GET_MANUFACTURER_REQ:
        conn.sendFrame(manufacturerReply(o.manufacturer ?? 'faxgate rcapi test peer'));
        return;
      case RcapiFunction.GET_VERSION_REQ:
        conn.sendFrame(
          versionReply(
            o.version ?? { capiMajor: 2, capiMinor: 0, manufacturerMajor: 1, manufacturerMinor: 2 },
          ),
        );
        return;
      case RcapiFunction.GET_SERIAL_NUMBER_REQ:
        conn.sendFrame(serialReply(o.serial ?? '7654321'));
        return;
      case RcapiFunction.GET_PROFILE_REQ: {
        const known = requestController(f) <= (o.controllers ?? 2);
        conn.sendFrame(known ? profileReply(0, o.profile ?? PEER_PROFILE) : profileReply(0x2002));
        return;
      }
    }
  }

  /** `card`: LISTEN_CONF, DATA_B3_CONF (+ the echo); DATA_B3_RESP books the handle answered. */
  private answerAsCard(conn: PeerConn, msg: Buffer, data: Buffer): void {
    const cmd = msg[4];
    const sub = msg[5];
    const applId = msg.readUInt16LE(2);
    const num = msg.readUInt16LE(6);
    if (cmd === Command.LISTEN && sub === Subcommand.REQ) {
      const p = Buffer.alloc(6); // Controller, Info 0
      p.writeUInt32LE(msg.readUInt32LE(8), 0);
      conn.sendFrame(capiMsg(applId, Command.LISTEN, Subcommand.CONF, num, p));
    } else if (cmd === Command.DATA_B3 && sub === Subcommand.REQ) {
      const ncci = msg.readUInt32LE(8);
      const p = Buffer.alloc(8); // NCCI, DataHandle, Info 0
      p.writeUInt32LE(ncci, 0);
      p.writeUInt16LE(msg.readUInt16LE(18), 4);
      conn.sendFrame(capiMsg(applId, Command.DATA_B3, Subcommand.CONF, num, p));
      if (this.echo) conn.sendDataInd(applId, ncci, Buffer.concat([Buffer.from('ECHO:'), data]));
    } else if (cmd === Command.DATA_B3 && sub === Subcommand.RESP) {
      const handle = msg.readUInt16LE(12);
      conn.unanswered.delete(handle);
      conn.answered.push(handle);
    }
  }

  /** Encodes and sends a message to the application on `conn`. */
  send(conn: PeerConn, body: CapiMessageBody, messageNumber?: number): void {
    const msg = { applId: conn.applId, messageNumber: messageNumber ?? this.msgNum++ & 0xffff, ...body };
    conn.sendFrame(encodeMessage(msg as CapiMessage));
  }

  /** Next decoded message of a given name (optionally matching), on any connection. */
  next<N extends CapiMessage['name']>(
    name: N,
    match?: (m: Extract<CapiMessage, { name: N }>) => boolean,
  ): Promise<[PeerConn, Extract<CapiMessage, { name: N }>]> {
    return new Promise((resolve) => {
      const on = (c: PeerConn, m: CapiMessage) => {
        if (m.name !== name) return;
        const mm = m as Extract<CapiMessage, { name: N }>;
        if (match && !match(mm)) return;
        this.off('message', on);
        resolve([c, mm]);
      };
      this.on('message', on);
    });
  }

  /** The next message with this Command/Subcommand as bytes (also what the codec refuses). */
  nextMessage(cmd: number, sub: number): Promise<PeerMessage> {
    return new Promise((resolve) => {
      const on = (m: PeerMessage) => {
        if (m.msg[4] !== cmd || m.msg[5] !== sub) return;
        this.off('raw', on);
        resolve(m);
      };
      this.on('raw', on);
    });
  }

  nextRegistration(): Promise<PeerConn> {
    return new Promise((resolve) => this.once('register', resolve));
  }

  /** Kills every connection (the client sees EOF) and keeps listening. */
  dropAll(): void {
    for (const c of this.conns) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Resolves when `emitter` emits `event` (first argument), rejects after `ms`. */
export function once<T = unknown>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const on = (v: T) => {
      clearTimeout(t);
      resolve(v);
    };
    emitter.once(event, on);
  });
}
