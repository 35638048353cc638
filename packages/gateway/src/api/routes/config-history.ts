// Configuration history (issue 17 item 5): GET /config/versions, /config/versions/{version},
// /config/diff?from=&to=, /config/export. config.read (admin, auditor); a refusal is 403 +
// access.denied; each read is itself recorded (config.read, the export as config.export).
// Secrets are redacted (config/history.ts).
import { type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import type { FastifyInstance } from 'fastify';
import { diffVersions, exportHistory, history, show } from '../../config/history.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, type Principal, principalOf } from '../context.js';
import { errors } from '../schemas.js';

const time = { type: 'string', format: 'date-time' } as const;
const summaryProps = {
  version: { type: 'integer' },
  node: { type: 'string' },
  author: { type: 'string', description: 'the faxgate user, OS account or system that made the change' },
  authorKind: {
    type: 'string',
    enum: ['user', 'os', 'system'],
    description:
      'user: a logged-in faxgate user; os: a file edited on the host and read by the daemon (the OS account is known, not the person); system: SIGHUP',
  },
  createdAt: time,
  sha256: { type: 'string' },
  comment: { type: 'string', description: 'where the version came from' },
  reason: { type: 'string', description: 'why, as the person gave it' },
} as const;
const summarySchema = { type: 'object', properties: summaryProps } as const;
const detailSchema = {
  type: 'object',
  properties: { ...summaryProps, content: { type: 'string' }, diff: { type: 'string' } },
} as const;
const nodeQuery = { node: { type: 'string', maxLength: 255 } } as const;
const version = { type: 'integer', minimum: 1 } as const;

async function recordRead(
  services: ApiServices,
  p: Principal,
  type: AuditEventType,
  subject: string,
  details: Record<string, unknown>,
): Promise<void> {
  await services.db.transaction((trx) =>
    appendAuditEvent(trx, { type, actor: p.user.name, subject, details: { ...details, via: 'api' } }),
  );
}

export async function configHistoryRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get<{ Querystring: { node?: string; limit: number; before?: number } }>(
    '/config/versions',
    {
      schema: {
        tags: ['configuration'],
        summary: 'Configuration versions, newest first (config.read; the read is an audit event)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...nodeQuery,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            before: { ...version, description: 'only versions below this one (paging)' },
          },
        },
        response: {
          200: { type: 'object', properties: { versions: { type: 'array', items: summarySchema } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.read', 'read the configuration history');
      const versions = await history(services.db, req.query);
      await recordRead(services, p, 'config.read', 'config_versions', {
        what: 'history',
        ...(req.query.node === undefined ? {} : { node: req.query.node }),
        rows: versions.length,
      });
      return { versions };
    },
  );

  app.get<{ Params: { version: number } }>(
    '/config/versions/:version',
    {
      schema: {
        tags: ['configuration'],
        summary: 'One configuration version with its content, secrets redacted (config.read)',
        params: { type: 'object', required: ['version'], properties: { version } },
        response: { 200: detailSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.read', 'read a configuration version');
      const v = await show(services.db, req.params.version);
      await recordRead(services, p, 'config.read', `config:v${v.version}`, { what: 'show' });
      return v;
    },
  );

  app.get<{ Querystring: { from: number; to: number } }>(
    '/config/diff',
    {
      schema: {
        tags: ['configuration'],
        summary: 'What changed between two configuration versions: key paths and a text diff (config.read)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: { from: version, to: version },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: summarySchema,
              to: summarySchema,
              changes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { path: { type: 'string' }, from: {}, to: {} },
                },
              },
              text: { type: 'string' },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.read', 'compare configuration versions');
      const d = await diffVersions(services.db, req.query.from, req.query.to);
      await recordRead(services, p, 'config.read', `config:v${req.query.from}..v${req.query.to}`, {
        what: 'diff',
        changes: d.changes.length,
      });
      return d;
    },
  );

  app.get<{ Querystring: { node?: string } }>(
    '/config/export',
    {
      schema: {
        tags: ['configuration'],
        summary:
          'Every configuration version with content, oldest first, secrets redacted (config.read; recorded as config.export)',
        querystring: { type: 'object', additionalProperties: false, properties: nodeQuery },
        response: {
          200: {
            type: 'object',
            properties: {
              exportedAt: time,
              exportedBy: { type: 'string' },
              node: { type: ['string', 'null'] },
              versions: { type: 'array', items: detailSchema },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.read', 'export the configuration history');
      const versions = await exportHistory(services.db, req.query);
      await recordRead(services, p, 'config.export', 'config_versions', {
        ...(req.query.node === undefined ? {} : { node: req.query.node }),
        rows: versions.length,
      });
      return { exportedAt: new Date(), exportedBy: p.user.name, node: req.query.node ?? null, versions };
    },
  );
}
