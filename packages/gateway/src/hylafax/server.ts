// The listener for HylaFAX clients: plain TCP or TLS from the first byte, a bounded number of
// connections, and per connection an idle timeout, a command rate and a line-length limit.
// Commands of one connection run one after the other (as the protocol expects); a failing
// command is answered and never ends the daemon.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { ApiServices } from '../api/context.js';
import { createLoginThrottle, type ThrottleLimits } from '../api/login-throttle.js';
import type { HylafaxConfig } from './config.js';
import { LineSplitter, reply } from './protocol.js';
import { type HylafaxContext, HylafaxSession } from './session.js';

export interface HylafaxListener {
  /** host:port actually bound. */
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface HylafaxOptions {
  api: ApiServices;
  config: HylafaxConfig;
  serverName: string;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  throttleLimits?: ThrottleLimits;
}

export async function startHylafaxListener(opts: HylafaxOptions): Promise<HylafaxListener> {
  const { config } = opts;
  const throttle = createLoginThrottle(opts.api.db, opts.throttleLimits);
  const flushing = setInterval(() => {
    throttle.flush().catch((e) => opts.log.warn(`hylafax login throttle flush: ${(e as Error).message}`));
  }, 60_000);
  flushing.unref();
  const keyPair = config.tls && {
    cert: fs.readFileSync(config.tls.certFile),
    key: fs.readFileSync(config.tls.keyFile),
  };
  const secure = keyPair ? tls.createSecureContext(keyPair) : undefined;
  const ctx: HylafaxContext = {
    api: opts.api,
    config,
    throttle,
    secure,
    serverName: opts.serverName,
    log: (m) => opts.log.error(`hylafax: ${m}`),
  };
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    if (sockets.size >= config.maxConnections) {
      socket.end(reply(421, 'Too many connections; try again later.'));
      return;
    }
    sockets.add(socket);
    serve(ctx, socket).finally(() => sockets.delete(socket));
  };
  const server = keyPair
    ? tls.createServer({ ...keyPair, handshakeTimeout: 15_000 }, onConnection)
    : net.createServer(onConnection);
  server.on('error', (e) => opts.log.error(`hylafax listener: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.address, () => resolve());
  });
  const bound = server.address() as net.AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    address: `${host}:${bound.port}`,
    port: bound.port,
    async close() {
      clearInterval(flushing);
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.end(reply(421, 'Server shutting down.'));
      setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2000).unref();
      await closed;
      await throttle.flush().catch(() => {});
    },
  };
}

/** One connection: reads lines, runs commands in order, enforces the bounds. */
function serve(ctx: HylafaxContext, socket: net.Socket): Promise<void> {
  const remote = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/i, '');
  const session = new HylafaxSession(ctx, socket, remote);
  const splitter = new LineSplitter();
  const limit = ctx.config.commandsPerMinute;
  let windowStart = Date.now();
  let count = 0;
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  socket.setEncoding('latin1');
  socket.setTimeout(ctx.config.idleSeconds * 1000, () => {
    socket.end(reply(421, 'Idle timeout; closing the connection.'));
    socket.destroy();
  });
  socket.on('error', () => {});
  socket.write(session.greeting());
  return new Promise<void>((resolve) => {
    socket.on('data', (chunk: string) => {
      const lines = splitter.push(chunk);
      if (lines === 'too-long') {
        socket.end(reply(500, 'Command line too long; closing the connection.'));
        socket.destroy();
        return;
      }
      for (const line of lines) {
        const now = Date.now();
        if (now - windowStart >= 60_000) {
          windowStart = now;
          count = 0;
        }
        // Over the rate, or a client that pipelines without waiting: closed, not queued.
        if (++count > limit || ++pending > 50) {
          socket.end(reply(421, 'Too many commands; closing the connection.'));
          socket.destroy();
          return;
        }
        queue = queue.then(() =>
          socket.destroyed
            ? undefined
            : session.handle(line).then(
                () => {
                  pending--;
                },
                () => {
                  pending--;
                },
              ),
        );
      }
    });
    socket.on('close', () => {
      queue.finally(() => session.close()).finally(resolve);
    });
  });
}
