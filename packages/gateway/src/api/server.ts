// The gateway's HTTP API: GET /health for monitoring (public, ok/fail only); with
// `services`, GET /status (logged in; details by right), the REST API v1 under /api/v1
// (sessions and tokens, faxes, mailboxes, users, groups, grants, queue and lines), its
// OpenAPI 3.1 document at /openapi.json, the docs page at /docs (self-only CSP) and the web
// console at / (console/: its page and files, its view rights and live events).
// Every answer carries nosniff and, unless a route says otherwise, no-store; every route's
// input is bounded (input-bounds.ts). Bound to 127.0.0.1 unless configured otherwise.
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { redactRequestTarget } from '../config/redact.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { effectiveMode } from '../pilot/state.js';
import type { GatewayStatus } from '../status.js';
import { GATEWAY_VERSION } from '../version.js';
import { installAuthentication, SESSION_COOKIE } from './auth.js';
import { consoleRoutes } from './console/routes.js';
import { consoleStatic } from './console/static.js';
import type { ApiServices } from './context.js';
import { ApiError, installErrorHandling } from './errors.js';
import { checkHealth, type Probe } from './health.js';
import { boundRouteSchema, nonFinitePath } from './input-bounds.js';
import { metricsRoute } from './metrics-route.js';
import { auditExportRoutes } from './routes/audit-export.js';
import { auditTrailRoutes } from './routes/audit-trail.js';
import { auditorReportRoutes } from './routes/auditor-reports.js';
import { complianceRoutes } from './routes/compliance.js';
import { configRoutes } from './routes/config.js';
import { configHistoryRoutes } from './routes/config-history.js';
import { faxContentRoutes } from './routes/fax-content.js';
import { faxListingRoutes } from './routes/fax-listing.js';
import { faxRoutes } from './routes/faxes.js';
import { forwardingRoutes } from './routes/forwarding.js';
import { grantRoutes } from './routes/grants.js';
import { groupRoutes } from './routes/groups.js';
import { healthCheckRoutes } from './routes/health-checks.js';
import { jobRoutes } from './routes/jobs.js';
import { lineServiceRoutes } from './routes/line-service.js';
import { lineRoutes } from './routes/lines.js';
import { logExportRoutes } from './routes/log-export.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { operatorRoutes } from './routes/operator.js';
import { pilotRoutes } from './routes/pilot.js';
import { queueRoutes } from './routes/queue.js';
import { retentionRoutes } from './routes/retention.js';
import { reviewRoutes } from './routes/review.js';
import { rightsReviewRoutes } from './routes/rights-review.js';
import { sessionRoutes } from './routes/sessions.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { statusRoute } from './status-route.js';

export interface ApiOptions {
  probes: Record<string, Probe>;
  status: () => GatewayStatus;
  /** Called once per answered request (method, url, status code, ms) — for the access log. */
  onRequest?: (line: { method: string; url: string; statusCode: number; ms: number }) => void;
  probeTimeoutMs?: number;
  /** Names of the configured lines that are down ('controller 1'): /health lists them (no hosts). */
  linesDown?: () => string[];
  /** The REST API v1 and /status (behind login); without it only /health is served. */
  services?: ApiServices;
  /** GET /metrics for Prometheus (behind login, line.read; api/metrics-route.ts). */
  metrics?: GatewayMetrics;
}

export const API_PREFIX = '/api/v1';

/**
 * The docs page's Content-Security-Policy: scripts, styles, fonts and the spec from this
 * server only (the swagger UI page has no inline script or style), images also as data: URIs.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/** Routes of v1 reachable without credentials. */
const isPublic = (req: FastifyRequest) =>
  req.method === 'POST' && req.url.split('?')[0] === `${API_PREFIX}/sessions`;

/** The multipart form of a submission is parsed by hand; its schema is for the document only. */
function documentMultipart({ schema, url }: { schema: Record<string, unknown>; url: string }) {
  if (!schema?.['x-multipart-body']) return { schema, url };
  const { 'x-multipart-body': body, ...rest } = schema;
  return { schema: { ...rest, body, consumes: ['multipart/form-data'] }, url };
}

export function buildApi(opts: ApiOptions): FastifyInstance {
  // Fastify's own (pino) logger stays off: the gateway logs through winston (@faxgate/audit).
  // Unknown properties are refused, not silently dropped (removeAdditional off).
  const app = Fastify({
    logger: false,
    // close() ends idle keep-alive connections at once (a client's pooled connection must not
    // hold a stop for its keep-alive timeout); requests in flight are finished first.
    forceCloseConnections: 'idle',
    bodyLimit: 1024 * 1024,
    // A client that trickles its request (slow upload, half-sent headers) is cut off, not
    // kept forever: 5 minutes is enough for the largest submission on a slow line.
    requestTimeout: 300_000,
    // X-Forwarded-For is believed only from the configured proxies (api.trustedProxies); the
    // login throttle keys on req.ip, so a client cannot pick its own address.
    trustProxy: opts.services?.config.api.trustedProxies.length
      ? opts.services.config.api.trustedProxies
      : false,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  });
  const services = opts.services;
  installErrorHandling(app, (e, url) =>
    services?.logError(`${url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );
  // Pilot phase (pilot/state.ts): every answer says so until the node is released.
  if (services && services.config.mode === 'pilot') {
    app.addHook('onSend', async (_req, reply) => {
      const m = await effectiveMode(services.db, services.config).catch(() => null);
      if (m?.mode !== 'production') reply.header('x-faxgate-mode', 'pilot');
    });
  }

  if (opts.onRequest) {
    const log = opts.onRequest;
    app.addHook('onResponse', async (req, reply) => {
      log({
        method: req.method,
        url: redactRequestTarget(req.url),
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      });
    });
  }

  // Bounds on every route's input (numbers, control characters, lengths), added before any route.
  app.addHook('onRoute', (route) => boundRouteSchema(route.schema as Record<string, unknown> | undefined));
  // …and what a schema cannot say: 1e400 is Infinity after parsing, and ajv lets it through.
  app.addHook('preHandler', async (req) => {
    for (const [part, value] of [
      ['params', req.params],
      ['querystring', req.query],
      ['body', req.body],
    ] as const) {
      const at = nonFinitePath(value);
      if (at) throw new ApiError(400, 'invalid_input', `${part}${at} must be a finite number`);
    }
  });

  // No answer is sniffed into another type, cached by a browser or proxy (unless its route
  // chose a cache policy, as the docs' static files do), or framed; JSON answers also get a
  // CSP that forbids everything, so a JSON answer opened in a browser runs nothing.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('application/json') && !reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });

  app.get('/health', { schema: { hide: true } }, async (_req, reply) => {
    const report = await checkHealth(opts.probes, opts.probeTimeoutMs);
    const down = report.checks.lines === 'fail' ? (opts.linesDown?.() ?? []) : [];
    return reply
      .code(report.status === 'ok' ? 200 : 503)
      .send(down.length > 0 ? { ...report, down } : report);
  });

  if (services) {
    const maxBytes = services.config.api.uploadMaxMegabytes * 1024 * 1024;
    app.register(cookie);
    app.register(multipart, { limits: { fileSize: maxBytes, files: services.config.api.uploadMaxFiles } });
    app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'faxgate REST API',
          version: GATEWAY_VERSION,
          description:
            'Send and receive fax through the gateway. Log in with POST /api/v1/sessions (people) or present an API token (machines) as `Authorization: Bearer <token>`. Errors are `{"error": {"code", "message", "details"?}}`.',
        },
        servers: [{ url: '/' }],
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'a session token (fgs_…) or an API token (fgt_…)',
            },
            session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          },
        },
        security: [{ bearer: [] }, { session: [] }],
      },
      transform: documentMultipart as never,
      // Components named by their $id (Fax, User, Error …), not def-0, def-1.
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    for (const s of SHARED_SCHEMAS) app.addSchema(s);
    if (services.config.api.docs) app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
    app.register(async (scope) => {
      installAuthentication(scope, services, () => false);
      await statusRoute(scope, services, opts.status);
      if (opts.metrics) await metricsRoute(scope, services, opts.metrics);
    });
    app.register(
      async (v1) => {
        installAuthentication(v1, services, isPublic);
        // One plugin per resource (routes/<resource>.ts).
        await sessionRoutes(v1, services);
        await tokenRoutes(v1, services);
        await faxRoutes(v1, services);
        await faxContentRoutes(v1, services);
        await jobRoutes(v1, services);
        await forwardingRoutes(v1, services);
        await operatorRoutes(v1, services);
        await userRoutes(v1, services);
        await groupRoutes(v1, services);
        await mailboxRoutes(v1, services);
        await grantRoutes(v1, services);
        await queueRoutes(v1, services);
        await lineRoutes(v1, services);
        await healthCheckRoutes(v1, services);
        await lineServiceRoutes(v1, services);
        await faxListingRoutes(v1, services);
        await auditExportRoutes(v1, services);
        await auditTrailRoutes(v1, services);
        await auditorReportRoutes(v1, services);
        await logExportRoutes(v1, services);
        await rightsReviewRoutes(v1, services);
        await reviewRoutes(v1, services);
        await complianceRoutes(v1, services);
        await configRoutes(v1, services);
        await retentionRoutes(v1, services);
        await configHistoryRoutes(v1, services);
        await pilotRoutes(v1, services);
        await consoleRoutes(v1, services);
      },
      { prefix: API_PREFIX },
    );
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    // The web console's page and files (public: the page itself holds no data; it logs in).
    app.register(async (scope) => consoleStatic(scope));
  }

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
