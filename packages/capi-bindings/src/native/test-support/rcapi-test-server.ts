/**
 * A tiny rcapi server (capi-reference §3, §6.3) for the native transport's tests: the real
 * libcapi20 connects to it over a real socket. It answers the library's functions, confirms
 * LISTEN_REQ, confirms each DATA_B3_REQ and echoes its data back as a DATA_B3_IND, and lets a
 * test misbehave on purpose (close connections, send oversize or split frames).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';

export interface Registration {
  maxLogicalConnection: number;
  maxBDataBlocks: number;
  maxBDataLen: number;
}

export interface ReceivedMessage {
  conn: AppConnection;
  msg: Buffer;
  data: Buffer;
}

/** The 64-byte profile of the one simulated controller: 2 B channels, fax G3 in B1/B2/B3. */
export function testProfile(): Buffer {
  const p = Buffer.alloc(64);
  p.writeUInt16LE(1, 0);
  p.writeUInt16LE(2, 2);
  p.writeUInt32LE(0x01, 4);
  p.writeUInt32LE(0x13, 8);
  p.writeUInt32LE(0x13, 12);
  p.writeUInt32LE(0x31, 16);
  return p;
}

export const TEST_MANUFACTURER = 'faxgate rcapi test server';
export const TEST_SERIAL = '7654321';

export function capiMsg(applId: number, cmd: number, sub: number, msgNum: number, params: Buffer): Buffer {
  const m = Buffer.alloc(8 + params.length);
  m.writeUInt16LE(m.length, 0);
  m.writeUInt16LE(applId, 2);
  m[4] = cmd;
  m[5] = sub;
  m.writeUInt16LE(msgNum, 6);
  params.copy(m, 8);
  return m;
}

function frame(body: Buffer): Buffer {
  const f = Buffer.alloc(2 + body.length);
  f.writeUInt16BE(f.length, 0);
  body.copy(f, 2);
  return f;
}

export class AppConnection {
  registration: Registration | undefined;
  /** Server-side DataHandles of DATA_B3_INDs the application has not answered yet. */
  readonly unanswered = new Set<number>();
  readonly answered: number[] = [];
  #nextHandle = 0x0700;

  constructor(readonly socket: net.Socket) {}

  /** One write per frame (P7). */
  send(body: Buffer): void {
    this.socket.write(frame(body));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** DATA_B3_IND in the 22-byte form, as a real server sends it. */
  sendDataInd(applId: number, ncci: number, data: Buffer): number {
    const handle = this.#nextHandle++;
    const p = Buffer.alloc(14);
    p.writeUInt32LE(ncci, 0);
    p.writeUInt32LE(0, 4);
    p.writeUInt16LE(data.length, 8);
    p.writeUInt16LE(handle, 10);
    p.writeUInt16LE(0, 12);
    this.unanswered.add(handle);
    this.send(Buffer.concat([capiMsg(applId, 0x86, 0x82, 0x4242, p), data]));
    return handle;
  }
}

export class RcapiTestServer extends EventEmitter {
  readonly connections = new Set<AppConnection>();
  /** When false, DATA_B3_REQ is confirmed but not echoed. */
  echo = true;
  #server: net.Server;

  private constructor(server: net.Server) {
    super();
    this.#server = server;
  }

  static async start(port = 0): Promise<RcapiTestServer> {
    const server = net.createServer();
    const s = new RcapiTestServer(server);
    server.on('connection', (sock) => s.#accept(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return s;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Application connections (those that sent REGISTER). */
  get apps(): AppConnection[] {
    return [...this.connections].filter((c) => c.registration !== undefined);
  }

  /** Resolves with the next message of kind cmd/sub an application sends. */
  nextMessage(cmd: number, sub: number): Promise<ReceivedMessage> {
    return new Promise((resolve) => {
      const on = (m: ReceivedMessage) => {
        if (m.msg[4] === cmd && m.msg[5] === sub) {
          this.off('message', on);
          resolve(m);
        }
      };
      this.on('message', on);
    });
  }

  nextRegistration(): Promise<AppConnection> {
    return new Promise((resolve) => this.once('register', resolve));
  }

  /** Closes every connection (the library sees EOF) and keeps listening. */
  dropConnections(): void {
    for (const c of this.connections) c.socket.destroy();
    this.connections.clear();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(sock: net.Socket): void {
    sock.setNoDelay(true);
    const conn = new AppConnection(sock);
    this.connections.add(conn);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (n < 2 + 8) {
          sock.destroy();
          return;
        }
        if (buf.length < n) break;
        this.#handle(conn, buf.subarray(2, n));
        buf = buf.subarray(n);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => this.connections.delete(conn));
  }

  #handle(conn: AppConnection, m: Buffer): void {
    const cmd = m[4];
    const sub = m[5];
    const reply = (c: number, params: Buffer) => conn.send(capiMsg(0, c, 0xff, 0, params));
    if (sub === 0xff) {
      switch (cmd) {
        case 0xf2: // REGISTER
          conn.registration = {
            maxLogicalConnection: m.readUInt16LE(14),
            maxBDataBlocks: m.readUInt16LE(16),
            maxBDataLen: m.readUInt16LE(18),
          };
          reply(0xf3, Buffer.from([0, 0]));
          this.emit('register', conn);
          return;
        case 0xfa: {
          const text = Buffer.alloc(65);
          text[0] = 64;
          text.write(TEST_MANUFACTURER, 1, 'latin1');
          reply(0xfb, text);
          return;
        }
        case 0xfc: {
          const v = Buffer.alloc(17);
          v[0] = 16;
          v.writeUInt32LE(2, 1);
          v.writeUInt32LE(0, 5);
          v.writeUInt32LE(3, 9);
          v.writeUInt32LE(27, 13);
          reply(0xfd, v);
          return;
        }
        case 0xfe: {
          const s = Buffer.alloc(9);
          s[0] = 8;
          s.write(TEST_SERIAL, 1, 'latin1');
          reply(0xff, s);
          return;
        }
        case 0xe0: {
          const ctrl = m.readUInt32LE(8);
          const info = Buffer.alloc(2);
          if (ctrl > 1) info.writeUInt16LE(0x2002, 0);
          reply(0xe1, Buffer.concat([info, testProfile()]));
          return;
        }
        default:
          conn.socket.destroy();
          return;
      }
    }
    const total = m.readUInt16LE(0);
    const msg = m.subarray(0, total);
    const data = m.subarray(total);
    this.emit('message', { conn, msg, data } satisfies ReceivedMessage);
    const applId = msg.readUInt16LE(2);
    const num = msg.readUInt16LE(6);
    if (cmd === 0x05 && sub === 0x80) {
      // LISTEN_REQ -> LISTEN_CONF (Controller, Info 0)
      const p = Buffer.alloc(6);
      p.writeUInt32LE(msg.readUInt32LE(8), 0);
      conn.send(capiMsg(applId, 0x05, 0x81, num, p));
    } else if (cmd === 0x86 && sub === 0x80) {
      // DATA_B3_REQ -> DATA_B3_CONF (NCCI, DataHandle, Info 0), then the echo
      const ncci = msg.readUInt32LE(8);
      const p = Buffer.alloc(8);
      p.writeUInt32LE(ncci, 0);
      p.writeUInt16LE(msg.readUInt16LE(18), 4);
      conn.send(capiMsg(applId, 0x86, 0x81, num, p));
      if (this.echo) conn.sendDataInd(applId, ncci, Buffer.concat([Buffer.from('ECHO:'), data]));
    } else if (cmd === 0x86 && sub === 0x83) {
      const handle = msg.readUInt16LE(12);
      conn.unanswered.delete(handle);
      conn.answered.push(handle);
    }
  }
}
