// Retention and legal holds (retention.manage: admin, postoffice). A run asked for here runs
// in the daemon, under the scheduled job's lock, with the daemon's configuration and as the
// service user that owns archive.dir; `now` may lie ahead of the clock only in a dry run
// (a forecast), never to delete early. Holds are set and cleared per fax and per mailbox.
import type { FastifyInstance } from 'fastify';
import {
  clearHold,
  type HoldTarget,
  listHolds,
  RetentionBusyError,
  runRetentionLocked,
  setHold,
} from '../../retention/index.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors, idParams } from '../schemas.js';
import { name } from './name-params.js';

const tags = ['retention'];

const holdSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    faxId: { type: ['integer', 'null'] },
    mailboxId: { type: ['integer', 'null'] },
    mailbox: { type: ['string', 'null'] },
    reason: { type: 'string' },
    setBy: { type: 'string' },
    setAt: { type: 'string', format: 'date-time' },
    clearedBy: { type: ['string', 'null'] },
    clearedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const reasonBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

export async function retentionRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.post<{ Body: { dryRun?: boolean; now?: string } }>(
    '/retention/runs',
    {
      schema: {
        tags,
        summary:
          'Run retention now (retention.manage): delete the payload of due faxes, archived first when archive.dir is set; dryRun lists what is due and changes nothing',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dryRun: { type: 'boolean', default: false },
            now: {
              type: 'string',
              format: 'date-time',
              description: 'the run\'s "now"; later than the clock only with dryRun',
            },
          },
        },
        response: {
          200: { type: 'object', additionalProperties: true },
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'retention.manage', 'run retention');
      const dryRun = req.body?.dryRun ?? false;
      let now: Date | undefined;
      if (req.body?.now !== undefined) {
        now = new Date(req.body.now);
        const clock: Date = (await db.raw('SELECT now() AS t')).rows[0].t;
        if (!dryRun && now.getTime() > clock.getTime()) {
          throw new ApiError(400, 'invalid_input', 'now: a time after the clock is allowed only with dryRun');
        }
      }
      const c = services.config;
      try {
        return await runRetentionLocked(db, {
          retention: c.retention,
          archive: c.archive,
          actor: p.user.name,
          actorId: p.user.id,
          dryRun,
          now,
        });
      } catch (e) {
        if (e instanceof RetentionBusyError) throw new ApiError(409, 'conflict', e.message);
        throw e;
      }
    },
  );

  app.get<{ Querystring: { all?: boolean } }>(
    '/legal-holds',
    {
      schema: {
        tags,
        summary: 'Legal holds: the active ones, or with all=true the cleared ones too (retention.manage)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { all: { type: 'boolean', default: false } },
        },
        response: { 200: { type: 'array', items: holdSchema }, ...errors(401, 403) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'retention.manage', 'read the legal holds');
      return listHolds(db, { all: req.query.all });
    },
  );

  const target = (kind: 'faxes' | 'mailboxes', params: Record<string, unknown>): HoldTarget =>
    kind === 'faxes' ? { faxId: params.id as number } : { mailbox: params.mailbox as string };

  for (const kind of ['faxes', 'mailboxes'] as const) {
    const url = kind === 'faxes' ? '/legal-holds/faxes/:id' : '/legal-holds/mailboxes/:mailbox';
    const params =
      kind === 'faxes' ? idParams : { type: 'object', required: ['mailbox'], properties: { mailbox: name } };
    const what = kind === 'faxes' ? 'a fax' : 'every fax of a mailbox';

    app.put<{ Params: Record<string, unknown>; Body: { reason: string } }>(
      url,
      {
        schema: {
          tags,
          summary: `Put ${what} on legal hold: retention never deletes it while held (retention.manage)`,
          params,
          body: reasonBody,
          response: { 201: holdSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        const t = target(kind, req.params);
        await requireCan(services, p, 'retention.manage', `put ${describe(t)} on legal hold`);
        return reply
          .code(201)
          .send(await setHold(db, { name: p.user.name, id: p.user.id }, t, req.body.reason));
      },
    );

    app.delete<{ Params: Record<string, unknown> }>(
      url,
      {
        schema: {
          tags,
          summary: `Clear the legal hold of ${what} (retention.manage)`,
          params,
          response: { 200: holdSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const t = target(kind, req.params);
        await requireCan(services, p, 'retention.manage', `clear the legal hold of ${describe(t)}`);
        return clearHold(db, { name: p.user.name, id: p.user.id }, t);
      },
    );
  }
}

const describe = (t: HoldTarget) => ('faxId' in t ? `fax ${t.faxId}` : `mailbox ${t.mailbox}`);
