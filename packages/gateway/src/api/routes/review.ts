// Log review (issue 17 item 6): POST/GET /audit/reviews to record and list reviewed periods,
// GET /audit/review-report for one period as JSON, CSV or HTML. audit.read only (refusal:
// 403 + access.denied). Reading the report is itself recorded (audit.read); remote numbers
// are pseudonyms for the roles in privacy.pseudonymiseNumbersFor.
import { appendAuditEvent } from '@faxgate/audit';
import type { FastifyInstance } from 'fastify';
import { reviewReportCsv, reviewReportHtml } from '../../review/format.js';
import { buildReviewReport } from '../../review/report.js';
import { checkPeriod, listReviews, NOTE_MAX, recordReview, reviewDue } from '../../review/reviews.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { pseudonymiserOf } from '../pseudonyms.js';
import { errors } from '../schemas.js';

const FORMATS = ['json', 'csv', 'html'] as const;
type Format = (typeof FORMATS)[number];

const reviewSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    note: { type: 'string' },
    reviewer: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const period = {
  from: { type: 'string', format: 'date-time', description: 'first instant of the period' },
  to: { type: 'string', format: 'date-time', description: 'first instant after the period' },
} as const;

export async function reviewRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.post<{ Body: { from: string; to: string; note: string } }>(
    '/audit/reviews',
    {
      schema: {
        tags: ['audit'],
        summary: 'Mark a period as reviewed, with a note (audit.read; append-only, an audit.review event)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to', 'note'],
          properties: { ...period, note: { type: 'string', minLength: 1, maxLength: NOTE_MAX } },
        },
        response: { 201: reviewSchema, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'record a log review');
      const review = await recordReview(services.db, {
        from: new Date(req.body.from),
        to: new Date(req.body.to),
        note: req.body.note,
        reviewer: { id: p.user.id, name: p.user.name },
        via: 'api',
      });
      return reply.code(201).send(review);
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/audit/reviews',
    {
      schema: {
        tags: ['audit'],
        summary:
          'Recorded log reviews, newest period first, and whether the next one is overdue (audit.read)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              intervalDays: { type: 'integer' },
              overdue: { type: 'boolean' },
              dueAt: { type: ['string', 'null'], format: 'date-time' },
              reviews: { type: 'array', items: reviewSchema },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'list log reviews');
      const intervalDays = services.config.review.intervalDays;
      const due = await reviewDue(services.db, intervalDays);
      return {
        intervalDays,
        overdue: due.overdue,
        dueAt: due.dueAt,
        reviews: await listReviews(services.db, req.query.limit),
      };
    },
  );

  app.get<{ Querystring: { from: string; to: string; format: Format } }>(
    '/audit/review-report',
    {
      schema: {
        tags: ['audit'],
        summary:
          'The review report of a period: faxes per mailbox, failures by cause, lockdown rejections, denied accesses, configuration changes (audit.read; the read is an audit event)',
        description:
          'html is one self-contained page (no scripts, values escaped); csv has a section column and neutralised formula cells. Remote numbers are keyed-hash pseudonyms for callers whose roles are all in privacy.pseudonymiseNumbersFor.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: { ...period, format: { type: 'string', enum: [...FORMATS], default: 'json' } },
        },
        response: {
          200: { description: 'the report (JSON, CSV or HTML)' },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'read the log review report');
      const from = new Date(req.query.from);
      const to = new Date(req.query.to);
      checkPeriod(from, to);
      // never clear numbers on a missing key: the report is refused (503) until it exists
      const pseudonymise = pseudonymiserOf(services, p);
      const report = await buildReviewReport(services.db, { from, to }, pseudonymise);
      const { format } = req.query;
      await services.db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'audit.read',
          actor: p.user.name,
          actorId: p.user.id,
          subject: 'review-report',
          details: {
            from: from.toISOString(),
            to: to.toISOString(),
            format,
            pseudonymised: report.pseudonymised,
          },
        }),
      );
      reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(reviewReportCsv(report));
      if (format === 'html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .send(reviewReportHtml(report));
      }
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );
}
