// GET /api/v1/rights/review: who holds which right on which mailbox, through which group or
// role (rights/review.ts), as JSON or CSV. Needs audit.read (admin, auditor; refusal 403 +
// access.denied); the read is recorded as an audit.read event with the number of rows.
import { appendAuditEvent } from '@faxgate/audit';
import type { FastifyInstance } from 'fastify';
import { rightsCsv, rightsReview } from '../../rights/review.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors } from '../schemas.js';

export async function rightsReviewRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get<{ Querystring: { format: 'json' | 'csv' } }>(
    '/rights/review',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Rights review: every right on every mailbox and every capability, with the user, and the group or role it comes through (audit.read; the read is an audit event)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'csv'], default: 'json' } },
        },
        response: {
          200: {
            description: 'JSON ({ items }) or CSV',
            type: ['object', 'string'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    mailbox: { type: 'string', description: "'*' for a capability" },
                    mailboxKind: { type: ['string', 'null'] },
                    right: { type: 'string' },
                    user: { type: 'string' },
                    via: { type: 'string', enum: ['user', 'group', 'role'] },
                    group: { type: ['string', 'null'] },
                    role: { type: ['string', 'null'] },
                    effective: { type: 'boolean' },
                    note: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'review the rights');
      const items = await rightsReview(services.db);
      await services.db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'audit.read',
          actor: p.user.name,
          actorId: p.user.id,
          subject: 'rights-review',
          details: { format: req.query.format, rows: items.length, via: 'api' },
        }),
      );
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(rightsCsv(items));
      return { items };
    },
  );
}
