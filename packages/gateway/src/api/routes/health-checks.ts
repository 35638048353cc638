// The health checks and the disk guard as operations and auditors see them (line.read):
// the latest result of each check with its duration, a check's history, this node's disk
// state; running the checks now is line.manage (it makes test connections to each line).
import type { FastifyInstance } from 'fastify';
import { checkHistory, latestResults } from '../../checks/runner.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';

const tags = ['operations'];

const result = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    ok: { type: 'boolean' },
    durationMs: { type: 'integer' },
    detail: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

const checksAnswer = {
  type: 'object',
  properties: {
    ok: { type: 'boolean', description: 'false when a check failed' },
    checks: { type: 'array', items: result },
  },
} as const;

export async function healthCheckRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get(
    '/health/checks',
    {
      schema: {
        tags,
        summary:
          'Health checks: the latest result of each (lines, PostgreSQL, Redis, webhooks) with its duration (line.read)',
        response: { 200: checksAnswer, ...errors(401, 403) },
      },
    },
    async (req) => {
      await requireCan(services, principalOf(req), 'line.read', 'read the health checks');
      const checks = await latestResults(services.db);
      return { ok: checks.every((c) => c.ok), checks };
    },
  );

  app.get<{ Querystring: { name?: string; limit: number } }>(
    '/health/checks/history',
    {
      schema: {
        tags,
        summary: 'History of the health checks, newest first (line.read); kept checks.historyDays days',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._:-]{0,99}$' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: { type: 'object', properties: { checks: { type: 'array', items: result } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      await requireCan(services, principalOf(req), 'line.read', 'read the health check history');
      return { checks: await checkHistory(services.db, { name: req.query.name, limit: req.query.limit }) };
    },
  );

  app.post(
    '/health/checks/run',
    {
      schema: {
        tags,
        summary: 'Runs the health checks now and records them like a scheduled run (line.manage)',
        response: { 200: checksAnswer, ...errors(401, 403, 503) },
      },
    },
    async (req) => {
      await requireCan(services, principalOf(req), 'line.manage', 'run the health checks');
      if (!services.runHealthChecks)
        throw new ApiError(503, 'unavailable', 'this process runs no health checks');
      const checks = await services.runHealthChecks();
      return { ok: checks.every((c) => c.ok), checks };
    },
  );

  app.get(
    '/health/disk',
    {
      schema: {
        tags,
        summary:
          "This node's disk guard: free space of spool, tmp and archive, the database size, the level (ok, warning, critical = submissions and incoming calls refused) (line.read)",
        response: { 200: { type: 'object', additionalProperties: true }, ...errors(401, 403, 503) },
      },
    },
    async (req) => {
      await requireCan(services, principalOf(req), 'line.read', 'read the disk state');
      if (!services.disk) throw new ApiError(503, 'unavailable', 'this process runs no disk guard');
      const s = services.disk.state();
      return { ...s, refusing: services.disk.refusal() ?? null };
    },
  );
}
