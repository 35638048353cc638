// GET /compliance/report: each BSI requirement with its live evidence and verdict (issue 17
// item 8), as JSON or one HTML page. audit.read only (refusal: 403 + access.denied); the
// read is recorded (audit.read, subject compliance-report).
import { appendAuditEvent } from '@faxgate/audit';
import type { FastifyInstance } from 'fastify';
import { complianceHtml } from '../../compliance/html.js';
import { complianceReport } from '../../compliance/report.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors } from '../schemas.js';

export async function complianceRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get<{ Querystring: { format: 'json' | 'html' } }>(
    '/compliance/report',
    {
      schema: {
        tags: ['audit'],
        summary:
          'The compliance report: each BSI requirement with live evidence and a verdict (audit.read; the read is an audit event)',
        description:
          'verdicts: met; not-met (detail says what is wrong, "no evidence" when the source is missing); organisational (detail says what the operator must do and record). notMet counts the not-met ones.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'html'], default: 'json' } },
        },
        response: {
          200: { description: 'the report (JSON or HTML)' },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'read the compliance report');
      const report = await complianceReport(services.db, services.config);
      await services.db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'audit.read',
          actor: p.user.name,
          actorId: p.user.id,
          subject: 'compliance-report',
          details: { format: req.query.format, notMet: report.notMet },
        }),
      );
      reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
      if (req.query.format === 'html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .send(complianceHtml(report));
      }
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );
}
