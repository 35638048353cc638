// GET /api/v1/console/admin/pilot: the pilot state of this node for the Administration
// view's pilot page — the mode in force, the mode configured, and the release that ended the
// pilot (who, when, on which selftest). /status tells only the mode, and outside the API.
// Needs the administration view and config.read (403 + access.denied otherwise).
import type { FastifyInstance } from 'fastify';
import { effectiveMode } from '../../pilot/state.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors } from '../schemas.js';
import { requireView } from './views.js';

const time = { type: 'string', format: 'date-time' } as const;

export async function adminPilotRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get(
    '/console/admin/pilot',
    {
      schema: {
        tags: ['console'],
        summary:
          "This node's pilot state: the mode in force, the mode configured and the release that ended the pilot (administration view and config.read)",
        response: {
          200: {
            type: 'object',
            properties: {
              node: { type: 'string' },
              mode: { type: 'string', enum: ['pilot', 'production'] },
              configured: { type: 'string', enum: ['pilot', 'production'] },
              release: {
                type: ['object', 'null'],
                properties: {
                  id: { type: 'integer' },
                  releasedBy: { type: 'string' },
                  releasedAt: time,
                  selftestId: { type: 'integer' },
                  configVersion: { type: ['integer', 'null'] },
                  lastChangedBy: { type: 'string' },
                  note: { type: 'string' },
                },
              },
            },
          },
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireView(services, p, 'administration');
      await requireCan(services, p, 'config.read', 'read the pilot state');
      const m = await effectiveMode(services.db, services.config);
      return { node: services.config.node.name, ...m };
    },
  );
}
