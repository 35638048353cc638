// GET /metrics: the Prometheus exposition (metrics/gateway-metrics.ts) on the API port, behind
// the API's authentication like /status: a bearer token (an API token for the scraper) whose
// user holds `line.read` — the right that already reads the lines and B channels (GET
// /api/v1/lines); the metrics carry no fax content, numbers or names. Anonymous: 401;
// authenticated without the right: 403 and `access.denied`. An allowed scrape is not audited
// (every 15 s would bury the trail); a refused one is.
import { can } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { deny } from './authorize.js';
import { type ApiServices, principalOf } from './context.js';

export const METRICS_PERMISSION = 'line.read';

export async function metricsRoute(
  app: FastifyInstance,
  services: ApiServices,
  metrics: GatewayMetrics,
): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const p = principalOf(req);
    if (!(await can(services.db, { id: p.user.id }, METRICS_PERMISSION))) {
      await deny(services, p, 'read the metrics', { permission: METRICS_PERMISSION });
    }
    const body = await metrics.scrape();
    return reply.header('content-type', metrics.contentType).send(body);
  });
}
