// Configuration while the gateway runs: POST /config/reload reads the file again (validated
// first; a bad file or a key that needs a restart changes nothing and says why) and records
// the new version with the caller as its author. config.manage only; a refusal is audited.
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, actorName, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';

export async function configRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.post<{ Body: { reason?: string } | undefined }>(
    '/config/reload',
    {
      schema: {
        tags: ['configuration'],
        summary:
          'Reload the configuration file (config.manage): live keys applied and recorded with the caller as author and the reason given; a bad file (400) or a key needing a restart (409) changes nothing',
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            reason: { type: 'string', maxLength: 2000, description: 'why (recorded with the version)' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              outcome: { type: 'string', enum: ['applied', 'unchanged'] },
              changes: { type: 'array', items: { type: 'string' } },
              version: { type: 'integer' },
              sha256: { type: 'string' },
            },
          },
          ...errors(400, 401, 403, 409, 503),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.manage', 'reload the configuration');
      if (!services.reloadConfig) {
        throw new ApiError(503, 'unavailable', 'this process cannot reload its configuration');
      }
      const r = await services.reloadConfig(actorName(p), req.body?.reason);
      if (r.outcome === 'invalid') {
        throw new ApiError(400, 'invalid_input', `configuration not reloaded: ${r.message}`, {
          problems: r.problems,
        });
      }
      if (r.outcome === 'restart-required') {
        throw new ApiError(
          409,
          'conflict',
          `nothing applied: these keys need a restart: ${r.restartKeys.join(', ')}`,
          { restartKeys: r.restartKeys, changes: r.changes },
        );
      }
      return r;
    },
  );
}
