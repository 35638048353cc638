/**
 * One TCP connection to an rcapi server, cut into frames. Emits 'frame' (Buffer) and, once,
 * 'down' (Error) when the socket closes, errors, or the server breaks the framing.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { encodeFrame, FrameReader } from '../../rcapi-wire/frame.js';
import { CapiDownError, CapiRefusedError, CapiTimeoutError } from '../errors.js';

export interface ConnectOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** Largest frame body accepted from the server (default RCAPI_MAX_FRAME_BODY). */
  maxFrame?: number;
}

export class RcapiConnection extends EventEmitter {
  private readonly reader: FrameReader;
  private downError: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    maxFrame: number | undefined,
  ) {
    super();
    this.reader = new FrameReader(maxFrame);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.downError) return;
      let frames: Buffer[];
      try {
        frames = this.reader.push(chunk);
      } catch (e) {
        this.fail(new CapiDownError(`rcapi server broke the protocol: ${(e as Error).message}`));
        return;
      }
      for (const f of frames) {
        if (this.downError) return;
        this.emit('frame', f);
      }
    });
    socket.on('error', (e) => this.fail(new CapiDownError(`rcapi connection error: ${e.message}`)));
    socket.on('close', () => {
      try {
        this.reader.end();
      } catch (e) {
        this.fail(new CapiDownError(`rcapi server broke the protocol: ${(e as Error).message}`));
        return;
      }
      this.fail(new CapiDownError('rcapi server closed the connection'));
    });
  }

  static connect(o: ConnectOptions): Promise<RcapiConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: o.host, port: o.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new CapiTimeoutError(`connect to rcapi ${o.host}:${o.port} timed out after ${o.timeoutMs} ms`),
        );
      }, o.timeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new CapiDownError(`cannot connect to rcapi ${o.host}:${o.port}: ${e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RcapiConnection(socket, o.maxFrame));
      });
    });
  }

  get isDown(): boolean {
    return this.downError !== undefined;
  }

  get error(): Error | undefined {
    return this.downError;
  }

  /** Writes one frame; resolves when handed to the kernel. */
  send(msg: Uint8Array, data?: Uint8Array): Promise<void> {
    if (this.downError) return Promise.reject(this.downError);
    let f: Buffer;
    try {
      f = encodeFrame(msg, data);
    } catch (e) {
      // Over the protocol's frame limit: refused before it leaves us, the connection stays up.
      return Promise.reject(new CapiRefusedError((e as Error).message, 'oversize'));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(f, (err) =>
        err ? reject(new CapiDownError(`rcapi write failed: ${err.message}`)) : resolve(),
      );
    });
  }

  /** The next frame, or a timeout / down error. Only for request/reply use (info connection, register). */
  nextFrame(timeoutMs: number, what: string): Promise<Buffer> {
    if (this.downError) return Promise.reject(this.downError);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.off('frame', onFrame);
        this.off('down', onDown);
      };
      const onFrame = (f: Buffer) => {
        cleanup();
        resolve(f);
      };
      const onDown = (e: Error) => {
        cleanup();
        reject(e);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new CapiTimeoutError(`${what}: no answer from the rcapi server within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('frame', onFrame);
      this.on('down', onDown);
    });
  }

  private fail(e: Error): void {
    if (this.downError) return;
    this.downError = e;
    this.socket.destroy();
    this.emit('down', e);
  }

  close(): void {
    this.fail(new CapiDownError('connection closed by us'));
  }
}
