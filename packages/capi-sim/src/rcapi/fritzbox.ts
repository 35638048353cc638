// The fritzbox remote-CAPI protocol as libcapi20 3.27's fritzbox module speaks it
// (capi-reference §4): frames 0x80 + u16le length in both directions for CAPI messages,
// functions as Command 0x20/0x80 with a u16 code at body[11], function replies framed
// 0x80 + u8 length, and ApplIDs handed out by the server (unique, 1..1023).
import type net from 'node:net';
import type { RcapiRegisterRequest } from '@faxgate/capi-bindings';
import type { ConnectionHooks, ServerConnection } from './server.js';

const MAX_BODY = 4096;
const FUNCTION = { REGISTER: 0, RELEASE: 1, GET_PROFILE: 2 } as const;

/** ApplIDs in use across every fritzbox connection. */
const usedApplIds = new Set<number>();

function allocApplId(): number | undefined {
  for (let id = 1; id <= 1023; id++) {
    if (!usedApplIds.has(id)) {
      usedApplIds.add(id);
      return id;
    }
  }
  return undefined;
}

export class FritzboxConnection implements ServerConnection {
  app: unknown;
  closed = false;
  registered = false;
  private applId = 0;
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly hooks: ConnectionHooks,
    private readonly profile: (controller: number) => Buffer,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (c) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  /** A CAPI message: 0x80, u16le length, message (+ data), in one write. */
  send(msg: Buffer, data?: Uint8Array): void {
    if (this.closed) return;
    const body = data ? Buffer.concat([msg, data]) : msg;
    this.hooks.traced('out', this, body);
    const f = Buffer.allocUnsafe(3 + body.length);
    f[0] = 0x80;
    f.writeUInt16LE(body.length, 1);
    body.copy(f, 3);
    this.socket.write(f);
  }

  close(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onClose();
  }

  private drop(reason: string): void {
    if (this.closed) return;
    this.hooks.protocolError(this, reason);
    this.close();
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (!this.closed && this.pending.length >= 3) {
      if (this.pending[0] !== 0x80) {
        this.drop(`frame starts with 0x${this.pending[0].toString(16)}, not 0x80`);
        return;
      }
      const n = this.pending.readUInt16LE(1);
      if (n < 8 || n > MAX_BODY) {
        this.drop(`frame body of ${n} bytes`);
        return;
      }
      if (this.pending.length < 3 + n) return;
      const body = Buffer.from(this.pending.subarray(3, 3 + n));
      this.pending = this.pending.subarray(3 + n);
      try {
        this.onFrame(body);
      } catch (e) {
        this.drop(`internal error: ${(e as Error).message}`);
      }
    }
  }

  private onFrame(body: Buffer): void {
    if (body[4] === 0x20 && body[5] === 0x80) {
      this.hooks.traced('in', this, body);
      if (body.length < 13) {
        this.drop('short function frame');
        return;
      }
      const code = body.readUInt16LE(11);
      if (code === FUNCTION.REGISTER) {
        this.register(body);
        return;
      }
      if (code === FUNCTION.RELEASE) return; // the library does not wait for an answer
      if (code === FUNCTION.GET_PROFILE) {
        const ctrl = body.length >= 16 ? body.readUInt16LE(14) : 0;
        this.reply(FUNCTION.GET_PROFILE, 82, (b) => {
          b[10] = 0x45;
          b[13] = 0x42;
          this.profile(ctrl).copy(b, 18, 0, 64);
        });
        return;
      }
      this.drop(`unknown fritzbox function ${code}`);
      return;
    }
    if (!this.registered) {
      this.hooks.traced('in', this, body, 'CAPI message before REGISTER');
      this.drop('CAPI message before REGISTER');
      return;
    }
    this.hooks.traced('in', this, body);
    this.hooks.message(this, body);
  }

  private register(body: Buffer): void {
    if (this.registered) {
      this.drop('second REGISTER on one connection');
      return;
    }
    const params: RcapiRegisterRequest | undefined =
      body.length >= 20
        ? {
            messageBufferSize: 2048,
            maxLogicalConnection: body.readUInt16LE(14),
            maxBDataBlocks: body.readUInt16LE(16),
            maxBDataLen: body.readUInt16LE(18),
            version: 2,
          }
        : undefined;
    const applId = allocApplId();
    let info = applId === undefined ? 0x1001 : this.hooks.register(this, params);
    if (info !== 0 && applId !== undefined) usedApplIds.delete(applId);
    if (info === 0 && applId !== undefined) {
      this.applId = applId;
      this.registered = true;
    } else info ||= 0x1008;
    this.reply(FUNCTION.REGISTER, 18, (b) => {
      b.writeUInt16LE(this.applId, 2);
      b[13] = 2;
      b.writeUInt16LE(info, 16);
    });
  }

  /** A function reply: 0x80, u8 length, body (Command 0x20/0x81). */
  private reply(code: number, size: number, fill: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    b.writeUInt16LE(size, 0);
    b[4] = 0x20;
    b[5] = 0x81;
    b.writeUInt16LE(1, 6);
    b.writeUInt16LE(2, 8);
    b[10] = size - 11;
    b.writeUInt16LE(code, 11);
    fill(b);
    this.hooks.traced('out', this, b);
    const f = Buffer.allocUnsafe(2 + size);
    f[0] = 0x80;
    f[1] = size;
    b.copy(f, 2);
    this.socket.write(f);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.applId) usedApplIds.delete(this.applId);
    this.hooks.closed(this);
  }
}
