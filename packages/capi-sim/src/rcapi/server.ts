// The rcapi TCP server: accepts libcapi20 (or any rcapi client) on loopback, splits frames,
// answers the functions and hands CAPI messages of registered connections to the card. The
// bytes (framing, function codes, requests and replies) are capi-bindings' rcapi wire module.
// Each connection is either an "info" connection (functions only) or, after REGISTER, one
// application. A broken stream closes that connection and nothing else.
import net from 'node:net';
import {
  encodeFrame,
  FrameReader,
  isFunctionFrame,
  parseRegisterRequest,
  RcapiFunction,
  type RcapiRegisterRequest,
  RcapiWireError,
  registerReply,
  requestController,
  requestFunction,
} from '@faxgate/capi-bindings';

/** Bytes we queue for a client that does not read before we drop it. */
const MAX_UNREAD = 4 * 1024 * 1024;

/** What the card needs of a client connection, whichever remote protocol it speaks. */
export interface AppConnection {
  readonly id: number;
  /** Set by the card once REGISTER succeeded. */
  app: unknown;
  /** Sends one CAPI message (+ data) as one frame. */
  send(msg: Buffer, data?: Uint8Array): void;
}

export interface ConnectionHooks {
  /** A CAPI message (+ data) arrived on a registered connection. */
  message(conn: AppConnection, msg: Buffer): void;
  /** REGISTER: returns the Info to answer (0 = registered). */
  register(conn: AppConnection, params: RcapiRegisterRequest | undefined): number;
  /** A function other than REGISTER; returns the whole reply message. */
  func(conn: AppConnection, command: number, controller: number): Buffer | undefined;
  /** Every message in or out, for the trace. */
  traced(dir: 'in' | 'out', conn: AppConnection, msg: Buffer, note?: string): void;
  /** A connection ended (socket closed or dropped by us). */
  closed(conn: AppConnection): void;
  protocolError(conn: AppConnection, reason: string): void;
}

export class RcapiConnection implements AppConnection {
  registered = false;
  closed = false;
  /** Set by the card once REGISTER succeeded. */
  app: unknown;
  private readonly reader = new FrameReader();

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly hooks: ConnectionHooks,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => {
      // ECONNRESET and friends: the close handler cleans up.
    });
    socket.on('close', () => {
      if (this.closed) return;
      try {
        this.reader.end();
      } catch (e) {
        this.hooks.protocolError(this, (e as Error).message);
      }
      this.onClose();
    });
  }

  /** Sends one message (+ data) as a single frame in one write. */
  send(msg: Buffer, data?: Uint8Array): void {
    if (this.closed) return;
    this.hooks.traced('out', this, data ? Buffer.concat([msg, data]) : msg);
    this.socket.write(encodeFrame(msg, data));
    // A client that stops reading must not make us buffer without bound.
    if (this.socket.writableLength > MAX_UNREAD)
      this.drop(`client reads nothing (${this.socket.writableLength} bytes queued)`);
  }

  /** Ends the connection without counting it as a protocol error (shutdown). */
  close(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onClose();
  }

  /** Drops the connection (hostile or broken client). */
  drop(reason: string): void {
    if (this.closed) return;
    this.hooks.protocolError(this, reason);
    this.socket.destroy();
    this.onClose();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.drop(e instanceof RcapiWireError ? e.message : String(e));
      return;
    }
    for (const f of frames) {
      if (this.closed) return;
      try {
        this.onFrame(f);
      } catch (e) {
        // A bad function frame, a bug or an unforeseen input must cost this connection,
        // never the simulator.
        this.drop(e instanceof RcapiWireError ? e.message : `internal error: ${(e as Error).message}`);
      }
    }
  }

  private onFrame(msg: Buffer): void {
    if (isFunctionFrame(msg)) {
      this.hooks.traced('in', this, msg);
      const cmd = requestFunction(msg);
      if (cmd === RcapiFunction.REGISTER_REQ) {
        if (this.registered) {
          this.drop('second REGISTER on one connection');
          return;
        }
        const info = this.hooks.register(this, parseRegisterRequest(msg));
        this.send(registerReply(info));
        if (info === 0) {
          this.registered = true;
          return;
        }
      }
      const reply = this.hooks.func(this, cmd, requestController(msg));
      if (!reply) {
        this.drop(`unknown rcapi function 0x${cmd.toString(16)}`);
        return;
      }
      this.send(reply);
      return;
    }
    if (!this.registered) {
      this.hooks.traced('in', this, msg, 'CAPI message before REGISTER');
      this.drop('CAPI message before REGISTER');
      return;
    }
    this.hooks.traced('in', this, msg);
    this.hooks.message(this, msg);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.closed(this);
  }
}

/** A connection a server can shut down. */
export interface ServerConnection extends AppConnection {
  close(): void;
}

export type ConnectionFactory = (id: number, socket: net.Socket, hooks: ConnectionHooks) => ServerConnection;

let connectionIds = 0;

/** A TCP front door of the exchange; rcapi by default, fritzbox with its factory. */
export class RcapiServer {
  private readonly server: net.Server;
  private readonly conns = new Set<ServerConnection>();

  constructor(
    readonly hooks: ConnectionHooks & { opened(conn: AppConnection): void },
    factory: ConnectionFactory = (id, socket, h) => new RcapiConnection(id, socket, h),
  ) {
    this.server = net.createServer((socket) => {
      // Ids are unique across front doors so the trace can tell connections apart.
      const conn = factory(++connectionIds, socket, {
        ...hooks,
        closed: (c) => {
          this.conns.delete(c as ServerConnection);
          hooks.closed(c);
        },
      });
      this.conns.add(conn);
      hooks.opened(conn);
    });
    // Keeps a burst of registering clients from being refused by a short backlog.
    this.server.maxConnections = 4096;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: 1024 }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    for (const c of this.conns) c.close();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
