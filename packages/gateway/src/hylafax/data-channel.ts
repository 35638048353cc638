// The data connections of the protocol (as in FTP): passive (PASV/EPSV — we listen, the
// client connects) or active (PORT/EPRT — we connect to the client; Debian's clients do this
// by default). Guarded against FTP bounce: an active connection goes only to the control
// connection's own peer address on an unprivileged port, and a passive listener accepts only
// that peer. Uploads are bounded in bytes (after MODE Z inflation) and time.
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';

export class DataError extends Error {}

const CONNECT_MS = 15_000;

function sameHost(a: string | undefined, b: string | undefined): boolean {
  const norm = (x: string | undefined) => (x ?? '').replace(/^::ffff:/i, '');
  return norm(a) === norm(b);
}

/** "h1,h2,h3,h4,p1,p2" of PORT. */
export function parsePort(arg: string): { host: string; port: number } | null {
  const n = arg.split(',').map((x) => (/^[0-9]{1,3}$/.test(x.trim()) ? Number(x) : Number.NaN));
  if (n.length !== 6 || n.some((x) => Number.isNaN(x) || x > 255)) return null;
  return { host: n.slice(0, 4).join('.'), port: n[4] * 256 + n[5] };
}

/** "|1|h|port|" (or |2| for IPv6) of EPRT; any delimiter character. */
export function parseEprt(arg: string): { host: string; port: number } | null {
  const d = arg[0];
  if (!d || /[0-9A-Za-z]/.test(d)) return null;
  const parts = arg.split(d);
  if (parts.length !== 5 || !['1', '2'].includes(parts[1])) return null;
  const host = parts[2];
  const port = /^[0-9]{1,5}$/.test(parts[3]) ? Number(parts[3]) : Number.NaN;
  if (net.isIP(host) === 0 || !(port > 0 && port < 65536)) return null;
  return { host, port };
}

export class DataChannel {
  private active?: { host: string; port: number };
  private passive?: net.Server;
  private accepted?: Promise<net.Socket>;

  constructor(
    private readonly control: net.Socket,
    private readonly secure?: tls.SecureContext,
  ) {}

  /** PORT/EPRT: refused (null) unless it is the control peer's address and port ≥ 1024. */
  setActive(target: { host: string; port: number }): string | null {
    if (!sameHost(target.host, this.control.remoteAddress))
      return 'data connections go only to the address of the control connection';
    if (target.port < 1024) return 'a data port below 1024 is refused';
    this.close();
    this.active = target;
    return null;
  }

  /** PASV/EPSV: listens on the control connection's local address; resolves the port. */
  async setPassive(): Promise<{ host: string; port: number }> {
    this.close();
    const peer = this.control.remoteAddress;
    const server = net.createServer();
    this.passive = server;
    this.accepted = new Promise<net.Socket>((resolve, reject) => {
      const timer = setTimeout(() => {
        server.close(); // no port left listening for a client that never came
        reject(new DataError('no data connection arrived'));
      }, CONNECT_MS);
      timer.unref();
      server.on('connection', (s) => {
        if (!sameHost(s.remoteAddress, peer)) return s.destroy();
        clearTimeout(timer);
        server.close();
        resolve(s);
      });
      server.on('error', reject);
    });
    this.accepted.catch(() => {});
    const host = this.control.localAddress ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    return { host: host.replace(/^::ffff:/i, ''), port: (server.address() as net.AddressInfo).port };
  }

  get ready(): boolean {
    return this.active !== undefined || this.accepted !== undefined;
  }

  /** The data connection (once per PORT/PASV, as in FTP). */
  async open(): Promise<net.Socket> {
    let socket: net.Socket;
    if (this.active) {
      const { host, port } = this.active;
      this.active = undefined;
      socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host, port, timeout: CONNECT_MS });
        s.once('connect', () => resolve(s));
        s.once('timeout', () => {
          s.destroy();
          reject(new DataError(`could not connect to ${host}:${port}`));
        });
        s.once('error', (e) => reject(new DataError(`could not connect to ${host}:${port}: ${e.message}`)));
      });
      socket.setTimeout(0);
    } else if (this.accepted) {
      const p = this.accepted;
      this.accepted = undefined;
      socket = await p.catch((e: Error) => {
        throw new DataError(e.message);
      });
      this.passive = undefined;
    } else throw new DataError('use PORT, EPRT, PASV or EPSV first');
    if (!this.secure) return socket;
    return new tls.TLSSocket(socket, { isServer: true, secureContext: this.secure });
  }

  close(): void {
    this.passive?.close();
    this.passive = undefined;
    this.accepted = undefined;
    this.active = undefined;
  }
}

/**
 * Reads an upload to its end: at most `maxBytes` (after inflating MODE Z), no pause longer
 * than `idleMs`. Throws DataError when over a bound or the stream is broken.
 */
export function receiveUpload(
  socket: net.Socket,
  mode: 'S' | 'Z',
  maxBytes: number,
  idleMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (e?: Error) => {
      if (done) return;
      done = true;
      socket.destroy();
      if (e) reject(e instanceof DataError ? e : new DataError(e.message));
      else resolve(Buffer.concat(chunks));
    };
    const take = (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) finish(new DataError(`the document is larger than ${maxBytes >> 20} MB`));
      else chunks.push(d);
    };
    socket.setTimeout(idleMs, () => finish(new DataError('the upload stalled')));
    socket.on('error', (e) => finish(e));
    if (mode === 'Z') {
      const inflate = zlib.createInflate();
      inflate.on('data', take);
      inflate.on('error', (e) => finish(new DataError(`MODE Z data is not zlib data: ${e.message}`)));
      inflate.on('end', () => finish());
      socket.pipe(inflate);
    } else {
      socket.on('data', take);
      socket.on('end', () => finish());
    }
  });
}

/** Sends `data` and closes the data connection. */
export function sendData(socket: net.Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.on('error', (e) => reject(new DataError(e.message)));
    socket.end(data, () => resolve());
  });
}
