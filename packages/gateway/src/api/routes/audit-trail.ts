// GET /api/v1/audit/trail: the audit trail for an auditor's screen — filtered by time, type
// (exact, or a family as `job.*`), actor, fax, mailbox and subject, newest first, in pages
// (keyset on the event id: `before` is the `next` of the previous page). Needs audit.read
// (refusal 403 + access.denied); each page read is an audit.read event naming the filters.
// The full export with hashes for offline verification stays GET /audit/events.
import { appendAuditEvent } from '@faxgate/audit';
import { mailboxes } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';
import { rangeOf, rangeQuery } from './export-stream.js';

interface TrailQuery {
  from?: string;
  to?: string;
  type?: string;
  actor?: string;
  fax?: number;
  mailbox?: string;
  subject?: string;
  before?: number;
  limit: number;
}

const TYPE_LIST = /^[a-z_]+(\.[a-z_]+|\.\*)(,[a-z_]+(\.[a-z_]+|\.\*))*$/;

export async function auditTrailRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  app.get<{ Querystring: TrailQuery }>(
    '/audit/trail',
    {
      schema: {
        tags: ['audit'],
        summary:
          'The audit trail, filtered (time, type, actor, fax, mailbox, subject) and paged, newest first (audit.read; the read is an audit event)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...rangeQuery,
            type: {
              type: 'string',
              maxLength: 400,
              description: 'comma-separated event types; `job.*` for a family',
            },
            actor: { type: 'string', minLength: 1, maxLength: 200 },
            fax: { type: 'integer', minimum: 1 },
            mailbox: { type: 'string', minLength: 1, maxLength: 64, description: 'name or id' },
            subject: { type: 'string', minLength: 1, maxLength: 200 },
            before: { type: 'integer', minimum: 1, description: 'the `next` of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    seq: {
                      type: ['integer', 'null'],
                      description: 'position in the hash chain (null until sealed)',
                    },
                    time: { type: 'string', format: 'date-time' },
                    type: { type: 'string' },
                    actor: { type: 'string' },
                    actorId: { type: ['integer', 'null'] },
                    subject: { type: ['string', 'null'] },
                    mailboxId: { type: ['integer', 'null'] },
                    faxId: { type: ['integer', 'null'] },
                    details: { type: 'object', additionalProperties: true },
                  },
                },
              },
              next: {
                type: ['integer', 'null'],
                description: 'pass as `before` for the next page; null: no more',
              },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query;
      const { from, to } = rangeOf(q);
      await requireCan(services, p, 'audit.read', 'read the audit trail');
      if (q.type !== undefined && !TYPE_LIST.test(q.type))
        throw new ApiError(400, 'invalid_input', 'type: comma-separated event types like job.retry or job.*');
      let mailboxId: number | undefined;
      if (q.mailbox !== undefined) {
        const m = await mailboxes.find(db, /^[0-9]{1,15}$/.test(q.mailbox) ? Number(q.mailbox) : q.mailbox);
        if (!m) throw new ApiError(400, 'invalid_input', `no mailbox ${JSON.stringify(q.mailbox)}`);
        mailboxId = m.id;
      }
      const sql = db('audit_events')
        .orderBy('id', 'desc')
        .limit(q.limit + 1)
        .select(
          'id',
          'seq',
          'time',
          'type',
          'actor',
          'actor_id',
          'subject',
          'mailbox_id',
          'fax_id',
          'details',
        );
      if (from) sql.where('time', '>=', from);
      if (to) sql.where('time', '<', to);
      if (q.type !== undefined) {
        const types = q.type.split(',');
        sql.where((w) => {
          for (const t of types) {
            if (t.endsWith('.*')) w.orWhere('type', 'like', `${t.slice(0, -1)}%`);
            else w.orWhere('type', t);
          }
        });
      }
      if (q.actor !== undefined) sql.where('actor', q.actor);
      if (q.fax !== undefined) sql.where('fax_id', q.fax);
      if (mailboxId !== undefined) sql.where('mailbox_id', mailboxId);
      if (q.subject !== undefined) sql.where('subject', q.subject);
      if (q.before !== undefined) sql.where('id', '<', q.before);
      const rows = await sql;
      const page = rows.slice(0, q.limit);
      const filters = Object.fromEntries(
        Object.entries({
          from: q.from,
          to: q.to,
          type: q.type,
          actor: q.actor,
          fax: q.fax,
          mailbox: q.mailbox,
          subject: q.subject,
          before: q.before,
        }).filter(([, v]) => v !== undefined),
      );
      await db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'audit.read',
          actor: p.user.name,
          actorId: p.user.id,
          subject: 'audit_events',
          details: { filters, rows: page.length, via: 'api' },
        }),
      );
      return {
        items: page.map((r) => ({
          id: Number(r.id),
          seq: r.seq === null ? null : Number(r.seq),
          time: r.time,
          type: r.type,
          actor: r.actor,
          actorId: r.actor_id === null ? null : Number(r.actor_id),
          subject: r.subject,
          mailboxId: r.mailbox_id === null ? null : Number(r.mailbox_id),
          faxId: r.fax_id === null ? null : Number(r.fax_id),
          details: r.details,
        })),
        next: rows.length > q.limit ? Number(page[page.length - 1].id) : null,
      };
    },
  );
}
