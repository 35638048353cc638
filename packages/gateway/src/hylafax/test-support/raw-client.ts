// A minimal protocol client for tests that need what the HylaFAX clients do not do (RETR,
// hostile input): sends a line, reads one reply (multi-line aware), opens passive data
// connections.
import net from 'node:net';
import tls from 'node:tls';

export class RawClient {
  private buf = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(
    readonly socket: net.Socket,
    private readonly secure = false,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** The same over TLS (control and data connections), trusting any certificate. */
  static connectTls(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () =>
        resolve(new RawClient(s, true)),
      );
      s.once('error', reject);
    });
  }

  /** The next complete reply ("NNN text", after any "NNN-" lines); null once closed. */
  async reply(timeoutMs = 10_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3} [^\n]*\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return m[0].trimEnd();
      }
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error(`no reply; have ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async cmd(line: string): Promise<string | null> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async login(user: string, password: string): Promise<void> {
    await this.reply(); // greeting
    await this.cmd(`USER ${user}`);
    const r = await this.cmd(`PASS ${password}`);
    if (!r?.startsWith('230')) throw new Error(`login failed: ${r}`);
  }

  /** PASV, the command, the bytes of the data connection, the final reply. */
  async transfer(command: string): Promise<{ first: string | null; data: Buffer; last: string | null }> {
    const pasv = await this.cmd('PASV');
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv ?? '');
    if (!m) throw new Error(`PASV: ${pasv}`);
    const port = Number(m[5]) * 256 + Number(m[6]);
    const data = this.secure
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((r) => {
      data.on('data', (d: Buffer) => chunks.push(d));
      data.on('close', () => r());
      data.on('error', () => r());
    });
    this.socket.write(`${command}\r\n`);
    const first = await this.reply();
    if (!first?.startsWith('150')) {
      data.destroy();
      return { first, data: Buffer.alloc(0), last: null };
    }
    await ended;
    return { first, data: Buffer.concat(chunks), last: await this.reply() };
  }

  close(): void {
    this.socket.destroy();
  }
}
