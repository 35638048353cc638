// The lines as the operator sees them: transport, controllers with their state and B
// channels, and the controller evidence (line.read).
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors } from '../schemas.js';

const tags = ['operations'];

export interface LineStatus {
  transport: string;
  controllers: number[];
  lockdownMode: string;
  /** B channels of this process: sends (inUse) and incoming calls (receiving); reserve per controller. */
  channels?: { total: number; usable: number; inUse: number; receiving: number; reserve: number };
  /**
   * Per controller: state (up, down), since when, last error, reconnect attempts, and each B
   * channel (idle, sending fax N, receiving fax N).
   */
  lines?: unknown[];
  /** Controller evidence (M 4.59), when lines are configured. */
  evidence?: unknown;
}

export async function lineRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get(
    '/lines',
    {
      schema: {
        tags,
        summary:
          'Lines: transport, controllers with their state (up/down, since, last error, reconnect attempts) and each B channel (idle, sending fax N, receiving fax N), controller evidence (line.read)',
        response: { 200: { type: 'object', additionalProperties: true }, ...errors(401, 403) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'line.read', 'read the line status');
      const c = services.config;
      const status: LineStatus = {
        transport: c.lines.transport,
        controllers: c.lines.controllers,
        lockdownMode: c.lockdown.mode,
        ...(services.lines ? services.lines() : {}),
      };
      return status;
    },
  );
}
