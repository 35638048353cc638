// The gateway's HTTP API. For now: GET /health (database and Redis reachability) and
// GET /status (what runs, with which configuration). Bound to 127.0.0.1 unless configured.
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayStatus } from '../status.js';
import { checkHealth, type Probe } from './health.js';

export interface ApiOptions {
  probes: Record<string, Probe>;
  status: () => GatewayStatus;
  /** Called once per answered request (method, url, status code, ms) — for the access log. */
  onRequest?: (line: { method: string; url: string; statusCode: number; ms: number }) => void;
  probeTimeoutMs?: number;
}

export function buildApi(opts: ApiOptions): FastifyInstance {
  // Fastify's own (pino) logger stays off: the gateway logs through winston (@faxgate/audit).
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

  if (opts.onRequest) {
    const log = opts.onRequest;
    app.addHook('onResponse', async (req, reply) => {
      log({
        method: req.method,
        url: req.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      });
    });
  }

  app.get('/health', async (_req, reply) => {
    const report = await checkHealth(opts.probes, opts.probeTimeoutMs);
    return reply.code(report.status === 'ok' ? 200 : 503).send(report);
  });

  app.get('/status', async () => opts.status());

  return app;
}

/** Starts listening; returns the address clients use (http://host:port). */
export async function listenApi(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') return `http://${host}:${port}`;
  const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${h}:${addr.port}`;
}
