// A minimal rcapi client for tests and the benchmark: speaks the same bytes as libcapi20
// (register, functions, CAPI messages through the capi-bindings codec) and lets a test wait
// for messages by predicate instead of sleeping.
import net from 'node:net';
import {
  type CapiMessage,
  type CapiMessageBody,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  FrameReader,
  infoRequest,
  isFunctionFrame,
  parseReply,
  registerRequest,
} from '@faxgate/capi-bindings';

type Waiter = {
  match: (m: CapiMessage) => boolean;
  resolve: (m: CapiMessage) => void;
  reject: (e: Error) => void;
};

export class TestClient {
  readonly socket: net.Socket;
  private readonly reader = new FrameReader();
  private readonly frames: Buffer[] = [];
  private frameWaiters: ((f: Buffer) => void)[] = [];
  readonly inbox: CapiMessage[] = [];
  private waiters: Waiter[] = [];
  private msgNum = 0;
  applId = 1;
  closed = false;
  /** When set, every CAPI message goes here instead of the inbox (benchmarks). */
  handler?: (m: CapiMessage) => void;
  private closeWaiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (c) => {
      for (const f of this.reader.push(c)) this.onFrame(f);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters) w.reject(new Error('connection closed'));
      this.waiters = [];
      for (const c of this.closeWaiters) c();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects and registers (maxLogicalConnection, maxBDataBlocks, maxBDataLen). */
  static async register(port: number, maxConn = 2, maxBlocks = 7, maxLen = 2048): Promise<TestClient> {
    const c = await TestClient.connect(port);
    const info = await c.registerRaw(maxConn, maxBlocks, maxLen);
    if (info !== 0) throw new Error(`REGISTER answered 0x${info.toString(16)}`);
    return c;
  }

  private onFrame(f: Buffer): void {
    if (isFunctionFrame(f)) {
      const w = this.frameWaiters.shift();
      if (w) w(f);
      else this.frames.push(f);
      return;
    }
    const m = decodeMessage(Buffer.from(f));
    if (this.handler) {
      this.handler(m);
      return;
    }
    const i = this.waiters.findIndex((w) => w.match(m));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(m);
    } else this.inbox.push(m);
  }

  /** Sends raw bytes (hostile tests). */
  raw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends an rcapi function frame and waits for its reply message. */
  async func(command: number, controller = 0): Promise<Buffer> {
    this.frame(infoRequest(command, controller));
    return this.nextFunctionReply();
  }

  async registerRaw(maxConn: number, maxBlocks: number, maxLen: number): Promise<number> {
    this.frame(
      registerRequest({ maxLogicalConnection: maxConn, maxBDataBlocks: maxBlocks, maxBDataLen: maxLen }),
    );
    const r = await this.nextFunctionReply();
    return parseReply.register(r.subarray(8));
  }

  private nextFunctionReply(): Promise<Buffer> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      this.frameWaiters.push(resolve);
      this.socket.once('close', () => reject(new Error('connection closed')));
    });
  }

  frame(msg: Uint8Array): void {
    this.socket.write(encodeFrame(msg));
  }

  /** Sends a CAPI message; returns its message number. */
  send(body: CapiMessageBody, messageNumber?: number): number {
    if (messageNumber === undefined) this.msgNum = (this.msgNum + 1) & 0x7fff;
    const n = messageNumber ?? this.msgNum;
    this.frame(encodeMessage({ ...body, applId: this.applId, messageNumber: n } as CapiMessage));
    return n;
  }

  /** The next message matching (from the inbox or later). */
  next<N extends CapiMessage['name']>(
    name: N,
    match: (m: Extract<CapiMessage, { name: N }>) => boolean = () => true,
  ): Promise<Extract<CapiMessage, { name: N }>> {
    const pred = (m: CapiMessage) => m.name === name && match(m as Extract<CapiMessage, { name: N }>);
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Extract<CapiMessage, { name: N }>);
    if (this.closed) return Promise.reject(new Error(`connection closed while waiting for ${name}`));
    return new Promise((resolve, reject) => {
      this.waiters.push({ match: pred, resolve: resolve as (m: CapiMessage) => void, reject });
    });
  }

  /** The next message matching a predicate (any name). */
  nextWhere(pred: (m: CapiMessage) => boolean): Promise<CapiMessage> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => this.waiters.push({ match: pred, resolve, reject }));
  }

  /** Sends a REQ and waits for its CONF (same message number). */
  async request<N extends CapiMessage['name']>(
    body: CapiMessageBody,
    conf: N,
  ): Promise<Extract<CapiMessage, { name: N }>> {
    const n = this.send(body);
    return this.next(conf, (m) => m.messageNumber === n);
  }

  waitClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => this.closeWaiters.push(r));
  }

  close(): Promise<void> {
    this.socket.end();
    this.socket.destroy();
    return this.waitClosed();
  }
}
