// GET /status behind login. Every logged-in user sees what the gateway is (version, uptime,
// lockdown mode, what is not built yet); holders of line.read also the lines; holders of
// config.read everything (API address, database and Redis URLs — redacted — and the
// configuration file). `?view=full` asks for everything and is refused (403, access.denied)
// without config.read, so a caller who needs the details learns why they are missing.
import { can } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { effectiveMode } from '../pilot/state.js';
import { type GatewayStatus, statusView } from '../status.js';
import { deny } from './authorize.js';
import { type ApiServices, principalOf } from './context.js';

export async function statusRoute(
  app: FastifyInstance,
  services: ApiServices,
  status: () => GatewayStatus,
): Promise<void> {
  app.get<{ Querystring: { view: 'auto' | 'full' } }>(
    '/status',
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { view: { type: 'string', enum: ['auto', 'full'], default: 'auto' } },
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const me = { id: p.user.id };
      const config = await can(services.db, me, 'config.read');
      if (req.query.view === 'full' && !config) {
        await deny(services, p, 'read the full gateway status', { permission: 'config.read' });
      }
      const lines = config || (await can(services.db, me, 'line.read'));
      // pilot phase (pilot/state.ts): shown to everyone who may see the status
      const { mode } = await effectiveMode(services.db, services.config);
      return { ...statusView(status(), { lines, config }), mode };
    },
  );
}
