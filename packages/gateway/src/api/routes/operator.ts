// Operator job control: hold, release and requeue a fax (queue.manage on any fax; a user
// with the mailbox's own right on its faxes). Refusals are checked here first (403 and
// access.denied), then again by the pipeline, which does the work in one transaction.
// Stop and reprioritise are POST /faxes/:id/stop and PATCH /faxes/:id (faxes.ts, jobs.ts).
import type { FastifyInstance } from 'fastify';
import { holdFax, mayOperate, type OperatorAction, releaseFax, requeueFax } from '../../pipeline/operate.js';
import { deny } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors, idParams, ref } from '../schemas.js';
import { visibleFax } from './faxes.js';

const tags = ['faxes'];

const SUMMARY: Record<OperatorAction, string> = {
  hold: 'Hold a waiting fax: it is not dialled until released (queue.manage, or out.modify on its mailbox)',
  release: 'Release a held fax: it waits for a line again (queue.manage, or out.modify on its mailbox)',
  requeue:
    'Requeue a failed fax: back to the queue with fresh dial counts, confirmed pages stay sent (queue.manage, or out.send on its mailbox)',
};

export async function operatorRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  const ctx = () => ({ db, queue: services.queue, settings: services.settings });
  const run = { hold: holdFax, release: releaseFax, requeue: requeueFax } as const;

  for (const action of ['hold', 'release', 'requeue'] as const) {
    app.post<{ Params: { id: number }; Body: { reason?: string } | undefined }>(
      `/faxes/:id/${action}`,
      {
        schema: {
          tags,
          summary: SUMMARY[action],
          params: idParams,
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: action === 'hold' ? { reason: { type: 'string', minLength: 1, maxLength: 200 } } : {},
          },
          response: {
            200: {
              type: 'object',
              properties: {
                fax: ref('Fax'),
                enqueued: { type: 'boolean', description: 'false: the reconciler queues it' },
              },
            },
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const fax = await visibleFax(services, p, req.params.id);
        if (fax.direction !== 'out')
          throw new ApiError(409, 'state_conflict', `fax ${fax.id} is a received fax`);
        if (!(await mayOperate(db, p.user.id, fax, action))) {
          await deny(services, p, `${action} fax ${fax.id}`, {
            permission: 'queue.manage',
            faxId: fax.id,
            ...(fax.mailboxId === null ? {} : { mailboxId: fax.mailboxId }),
          });
        }
        return run[action](ctx(), {
          actor: { id: p.user.id },
          faxId: fax.id,
          ...(action === 'hold' && req.body?.reason ? { reason: req.body.reason } : {}),
        });
      },
    );
  }
}
