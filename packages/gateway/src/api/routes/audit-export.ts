// GET /api/v1/audit/events: the audit trail with its hashes as JSON lines or CSV, streamed
// — what `faxgate audit export` prints. Needs audit.read (refusal: 403 + access.denied);
// the read itself is recorded as `audit.export` with the range and the row count.
import { exportAuditEvents } from '@faxgate/audit';
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors } from '../schemas.js';
import { rangeOf, rangeQuery, streamExport } from './export-stream.js';

const CONTENT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

export async function auditExportRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get<{ Querystring: { from?: string; to?: string; format: 'jsonl' | 'csv' } }>(
    '/audit/events',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export audit events with their hashes (audit.read; the export is an audit event)',
        description:
          'Events with from <= time < to in sequence order, each with prevHash and hash, so the export can be verified offline. Streamed.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...rangeQuery,
            format: { type: 'string', enum: ['jsonl', 'csv'], default: 'jsonl' },
          },
        },
        response: {
          200: { description: 'JSON lines or CSV', type: 'string' },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { from, to } = rangeOf(req.query);
      await requireCan(services, p, 'audit.read', 'export the audit trail');
      const format = req.query.format;
      return streamExport(reply, CONTENT_TYPES[format], services.logError, (out) =>
        exportAuditEvents(services.db, { format, from, to }, out, {
          actor: { id: p.user.id },
          actorName: p.user.name,
        }),
      );
    },
  );
}
