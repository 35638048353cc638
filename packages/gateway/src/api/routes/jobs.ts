// Job control beyond stop: modify a waiting fax, delete one, resubmit a finished one, and
// settle one held with its outcome unknown. Rights are checked here first (refusals
// audited), then again by the pipeline function, which does the work in one transaction.
import { can } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { deleteFax } from '../../pipeline/delete.js';
import { modifyFax, rescheduleOnly } from '../../pipeline/modify.js';
import { resubmitFax } from '../../pipeline/resubmit.js';
import { SETTLE_DECISIONS, type SettleDecision, settleOutcome } from '../../pipeline/settle.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors, idParams, ref } from '../schemas.js';
import { currentRouter, visibleFax } from './faxes.js';

const tags = ['faxes'];

interface ModifyBody {
  number?: string;
  sendAt?: string | null;
  priority?: number;
  resolution?: 'standard' | 'fine';
  killTime?: string;
}

export async function jobRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  async function outgoing(id: number, p: ReturnType<typeof principalOf>) {
    const fax = await visibleFax(services, p, id);
    if (fax.direction !== 'out') throw new ApiError(409, 'state_conflict', `fax ${fax.id} is a received fax`);
    return fax;
  }

  app.patch<{ Params: { id: number }; Body: ModifyBody }>(
    '/faxes/:id',
    {
      schema: {
        tags,
        summary:
          'Modify a fax that waits (out.modify): number, send time, priority, resolution, kill time; queue.manage changes priority and send time of any fax',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            number: { type: 'string', minLength: 1, maxLength: 40 },
            sendAt: {
              type: ['string', 'null'],
              format: 'date-time',
              description: 'null: as soon as possible',
            },
            priority: { type: 'integer', minimum: 0, maximum: 255 },
            resolution: { type: 'string', enum: ['standard', 'fine'] },
            killTime: { type: 'string', format: 'date-time' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              fax: ref('Fax'),
              changed: { type: 'array', items: { type: 'string' } },
              queue: { type: 'string', enum: ['updated', 'deferred', 'none'] },
            },
          },
          ...errors(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const fax = await outgoing(req.params.id, p);
      const b = req.body;
      // The operator (queue.manage) reprioritises and reschedules any fax; the rest is out.modify.
      const operator =
        rescheduleOnly({
          number: b.number,
          resolution: b.resolution,
          killTime: b.killTime === undefined ? undefined : new Date(0),
        }) && (await can(db, { id: p.user.id }, 'queue.manage'));
      if (!operator)
        await requireCan(services, p, 'out.modify', `modify fax ${fax.id}`, fax.mailboxId ?? undefined);
      const result = await modifyFax(
        { db, queue: services.queue, router: await currentRouter(services) },
        {
          actor: { id: p.user.id },
          faxId: fax.id,
          changes: {
            number: b.number,
            sendAt: b.sendAt === undefined ? undefined : b.sendAt === null ? null : new Date(b.sendAt),
            priority: b.priority,
            resolution: b.resolution,
            killTime: b.killTime === undefined ? undefined : new Date(b.killTime),
          },
        },
      );
      // The pipeline calls it `job`; the documented answer (and the CLI) calls it `queue`.
      return { fax: result.fax, changed: result.changed, queue: result.job };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/faxes/:id',
    {
      schema: {
        tags,
        summary: 'Delete a fax (out.delete / in.delete): the pages go, the record stays for the log',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { fax: ref('Fax'), pagesDeleted: { type: 'integer' }, stopped: { type: 'boolean' } },
          },
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const fax = await visibleFax(services, p, req.params.id);
      const right = fax.direction === 'out' ? 'out.delete' : 'in.delete';
      await requireCan(services, p, right, `delete fax ${fax.id}`, fax.mailboxId ?? undefined);
      return deleteFax({ db, queue: services.queue }, { actor: { id: p.user.id }, faxId: fax.id });
    },
  );

  app.post<{ Params: { id: number }; Body: { number?: string } | undefined }>(
    '/faxes/:id/resubmit',
    {
      schema: {
        tags,
        summary: 'Send a finished fax again as a new fax (out.send), optionally to another number',
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { number: { type: 'string', minLength: 1, maxLength: 40 } },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              fax: ref('Fax'),
              outcome: { type: 'string', enum: ['queued', 'internal'] },
              resubmitOf: { type: 'integer' },
              enqueued: { type: 'boolean' },
            },
          },
          ...errors(401, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const fax = await outgoing(req.params.id, p);
      await requireCan(services, p, 'out.send', `resubmit fax ${fax.id}`, fax.mailboxId ?? undefined);
      const result = await resubmitFax(
        { db, queue: services.queue, router: await currentRouter(services), settings: services.settings },
        { actor: { id: p.user.id }, faxId: fax.id, number: req.body?.number },
      );
      reply.header('location', `/api/v1/faxes/${result.fax.id}`);
      return reply.code(201).send(result);
    },
  );

  app.post<{ Params: { id: number }; Body: { decision: SettleDecision } }>(
    '/faxes/:id/settle',
    {
      schema: {
        tags,
        summary:
          'Decide a fax held with its outcome unknown (after a crash mid-call): resend, sent or failed (queue.manage or out.modify)',
        params: idParams,
        body: {
          type: 'object',
          required: ['decision'],
          additionalProperties: false,
          properties: { decision: { type: 'string', enum: [...SETTLE_DECISIONS] } },
        },
        response: {
          200: { type: 'object', properties: { fax: ref('Fax'), enqueued: { type: 'boolean' } } },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const fax = await outgoing(req.params.id, p);
      if (!(await can(db, { id: p.user.id }, 'queue.manage'))) {
        await requireCan(services, p, 'out.modify', `settle fax ${fax.id}`, fax.mailboxId ?? undefined);
      }
      return settleOutcome(
        { db, queue: services.queue, settings: services.settings },
        { actor: { id: p.user.id }, faxId: fax.id, decision: req.body.decision },
      );
    },
  );
}
