// What an auditor needed the host's shell for, through the API (audit.read; refusal 403 +
// access.denied): GET /lockdown/report — the lockdown report read now (lockdown/report.ts,
// recorded as lockdown.report), JSON or the text of `faxgate lockdown report`; GET
// /audit/checkpoints — the signed checkpoints of the chain with the public keys as JSON lines
// (as `faxgate audit checkpoints export`), recorded as audit.export.
import {
  appendAuditEvent,
  CheckpointSourceError,
  checkpointsAsJsonLines,
  loadCheckpointKey,
  readCheckpoints,
} from '@faxgate/audit';
import { formatReport } from '@faxgate/isdn-lockdown';
import type { FastifyInstance } from 'fastify';
import { lockdownReport } from '../../lockdown/report.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';

export async function auditorReportRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get<{ Querystring: { format: 'json' | 'text' } }>(
    '/lockdown/report',
    {
      schema: {
        tags: ['audit'],
        summary:
          'The lockdown report (M 4.59): every controller read now against the recorded evidence, listening sockets, rejections of the last 24 h (audit.read; recorded as lockdown.report)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'text'], default: 'json' } },
        },
        response: {
          200: {
            description: 'the report (JSON) or its text',
            type: ['object', 'string'],
            additionalProperties: true,
          },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'read the lockdown report');
      const report = await lockdownReport(services.db, services.config, p.user.name);
      if (req.query.format === 'text')
        return reply.type('text/plain; charset=utf-8').send(formatReport(report));
      return report;
    },
  );

  app.get(
    '/audit/checkpoints',
    {
      schema: {
        tags: ['audit'],
        summary:
          'The signed checkpoints of the audit chain and the public keys, as JSON lines for offline verification (audit.read; recorded as audit.export)',
        response: { 200: { description: 'JSON lines', type: 'string' }, ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'export the audit checkpoints');
      const { checkpointDir, checkpointKeyFile } = services.config.audit;
      let set: ReturnType<typeof readCheckpoints>;
      try {
        set = readCheckpoints(checkpointDir);
      } catch (e) {
        if (e instanceof CheckpointSourceError) throw new ApiError(404, 'not_found', e.message);
        throw e;
      }
      try {
        const own = loadCheckpointKey(checkpointKeyFile);
        set.publicKeys.set(own.keyId, own.publicKey);
      } catch {
        // the public keys beside the checkpoints only
      }
      const body = checkpointsAsJsonLines(set);
      const damaged = set.checkpoints.filter((c) => !c.checkpoint).length;
      await services.db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'audit.export',
          actor: p.user.name,
          actorId: p.user.id,
          subject: 'audit-checkpoints',
          details: { checkpoints: set.checkpoints.length - damaged, left_out: damaged, via: 'api' },
        }),
      );
      return reply.type('application/x-ndjson; charset=utf-8').send(body);
    },
  );
}
