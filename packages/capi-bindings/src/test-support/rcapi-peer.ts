/**
 * A scripted rcapi server over a real socket (test support): answers the functions like a
 * card would, hands CAPI messages to the test, and can send anything — including hostile
 * frames — back. It is deliberately dumb: the test decides every reply.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { type CapiMessage, type CapiMessageBody, decodeMessage, encodeMessage } from '../codec/messages.js';
import { buildProfile } from '../codec/profile.js';

export interface PeerConn {
  readonly id: number;
  readonly socket: net.Socket;
  /** Set once REGISTER arrived. */
  register?: { maxLogicalConnection: number; maxBDataBlocks: number; maxBDataLen: number; raw: Buffer };
  applId: number;
  /** Every frame received (without the length prefix). */
  frames: Buffer[];
}

export interface PeerOptions {
  manufacturer?: string;
  serial?: string;
  profile?: Uint8Array;
  registerInfo?: number;
  /** Don't answer function calls at all (timeout tests). */
  silent?: boolean;
}

export class ScriptedRcapiPeer extends EventEmitter<{
  message: [PeerConn, CapiMessage];
  frame: [PeerConn, Buffer];
  register: [PeerConn];
  close: [PeerConn];
}> {
  readonly server: net.Server;
  readonly conns = new Set<PeerConn>();
  port = 0;
  private nextId = 1;
  private msgNum = 0x4000;

  constructor(readonly opts: PeerOptions = {}) {
    super();
    this.server = net.createServer((s) => this.accept(s));
  }

  static async start(opts: PeerOptions = {}): Promise<ScriptedRcapiPeer> {
    const p = new ScriptedRcapiPeer(opts);
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    p.port = (p.server.address() as net.AddressInfo).port;
    return p;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const conn: PeerConn = { id: this.nextId++, socket, applId: 0, frames: [] };
    this.conns.add(conn);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (n < 2 || buf.length < n) break;
        const f = buf.subarray(2, n);
        buf = buf.subarray(n);
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
    if (f[5] === 0xff) {
      if (this.opts.silent) return;
      const reply = (cmd: number, payload: Buffer) => {
        const m = Buffer.alloc(8 + payload.length);
        m.writeUInt16LE(m.length, 0);
        m[4] = cmd;
        m[5] = 0xff;
        payload.copy(m, 8);
        this.sendRaw(conn, m);
      };
      switch (f[4]) {
        case 0xf2: {
          conn.register = {
            maxLogicalConnection: f.readUInt16LE(14),
            maxBDataBlocks: f.readUInt16LE(16),
            maxBDataLen: f.readUInt16LE(18),
            raw: Buffer.from(f),
          };
          reply(0xf3, Buffer.from([this.opts.registerInfo ?? 0, (this.opts.registerInfo ?? 0) >> 8]));
          if (!this.opts.registerInfo) this.emit('register', conn);
          return;
        }
        case 0xfa: {
          const p = Buffer.alloc(65);
          p[0] = 64;
          p.write(this.opts.manufacturer ?? 'Scripted peer', 1, 'latin1');
          reply(0xfb, p);
          return;
        }
        case 0xfc: {
          const p = Buffer.alloc(17);
          p[0] = 16;
          p.writeUInt32LE(2, 1);
          p.writeUInt32LE(0, 5);
          p.writeUInt32LE(1, 9);
          p.writeUInt32LE(2, 13);
          reply(0xfd, p);
          return;
        }
        case 0xfe: {
          const p = Buffer.alloc(9);
          p[0] = 8;
          p.write(this.opts.serial ?? '7654321', 1, 'latin1');
          reply(0xff, p);
          return;
        }
        case 0xe0: {
          const ctrl = f.readUInt32LE(8);
          const prof =
            this.opts.profile ??
            buildProfile({ controllers: 2, bChannels: 2, globalOptions: 1, b1: 0x13, b2: 0x13, b3: 0x31 });
          if (ctrl > 2) {
            reply(0xe1, Buffer.from([0x02, 0x20]));
            return;
          }
          reply(0xe1, Buffer.concat([Buffer.alloc(2), Buffer.from(prof)]));
          return;
        }
      }
      return;
    }
    if (!conn.applId) conn.applId = f.readUInt16LE(2);
    let m: CapiMessage;
    try {
      m = decodeMessage(f);
    } catch {
      return;
    }
    this.emit('message', conn, m);
  }

  /** Sends a raw message (already CAPI-encoded, maybe + data) in one frame. */
  sendRaw(conn: PeerConn, msg: Uint8Array): void {
    const f = Buffer.alloc(2 + msg.length);
    f.writeUInt16BE(f.length & 0xffff, 0);
    f.set(msg, 2);
    conn.socket.write(f);
  }

  /** Encodes and sends a message to the application on `conn`. */
  send(conn: PeerConn, body: CapiMessageBody, messageNumber?: number): void {
    const msg = { applId: conn.applId, messageNumber: messageNumber ?? this.msgNum++ & 0xffff, ...body };
    this.sendRaw(conn, encodeMessage(msg as CapiMessage));
  }

  /** Next message of a given name (optionally matching), on any connection. */
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

  /** Kills every connection. */
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
