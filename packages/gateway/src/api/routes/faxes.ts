// Faxes: submit (multipart), list, get, stop, and the job control of the pipeline. Each
// route checks the caller's right through can() first (refusals audited), then calls the
// same pipeline function the CLI calls.
import { createRouter, type MailboxInput, type Router } from '@faxgate/router';
import { can, type Fax, faxes, mailboxes } from '@faxgate/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { coverOptions } from '../../documents/cover.js';
import { admitSubmission, damageCheck, intakeApiError } from '../../intake/admit.js';
import type { PageDamage } from '../../intake/damage.js';
import { SubmissionGate } from '../../intake/submission-gate.js';
import { pilotRouter } from '../../pilot/router.js';
import { stopFax } from '../../pipeline/stop.js';
import { earlierSubmission, type SubmitResult, submitFax } from '../../pipeline/submit.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, type Principal, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { canSeeMetadata, listVisible, sendingMailbox } from '../fax-access.js';
import { errors, idParams, listOf, ref, stateFilter } from '../schemas.js';
import { readSubmission, SUBMISSION_DOC } from './submission.js';

const tags = ['faxes'];

/** The router as configured, over the mailboxes as they are now (numbers may change at runtime). */
export async function currentRouter(
  services: Pick<ApiServices, 'db' | 'config'>,
): Promise<Router<MailboxInput>> {
  const boxes = (await mailboxes.list(services.db)).map((m) => ({
    id: m.id,
    name: m.name,
    kind: m.kind,
    numbers: m.numbers,
  }));
  // pilot mode: only the test numbers (pilot/router.ts)
  return pilotRouter(services.db, services.config, createRouter(services.config.routing, boxes));
}

/** The fax, when the caller may see its metadata; otherwise 404 (no probing of other mailboxes). */
export async function visibleFax(services: ApiServices, p: Principal, id: number): Promise<Fax> {
  const fax = await faxes.find(services.db, id);
  if (!fax || !(await canSeeMetadata(services.db, p, fax))) {
    throw new ApiError(404, 'not_found', `fax ${id} does not exist or is not visible to ${p.user.name}`);
  }
  return fax;
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    direction: { type: 'string', enum: ['in', 'out'] },
    state: stateFilter,
    mailbox: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    before: {
      type: 'integer',
      minimum: 1,
      description: 'paging: only faxes with a smaller id (the `next` of the previous page)',
    },
  },
} as const;

function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const h = req.headers['idempotency-key'];
  if (h === undefined) return undefined;
  if (typeof h !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(h)) {
    throw new ApiError(
      400,
      'invalid_input',
      'Idempotency-Key: 1..200 printable ASCII characters without spaces',
    );
  }
  return h;
}

function answer(r: SubmitResult) {
  return {
    fax: r.fax,
    outcome: r.outcome,
    deliveredFaxId: r.deliveredFax?.id ?? null,
    enqueued: r.enqueued,
    replayed: r.replayed === true,
  };
}

export async function faxRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  // At most intake.maxConcurrentSubmissions submissions are read and decoded at once.
  const gate = new SubmissionGate(services.config.intake.maxConcurrentSubmissions);

  app.get<{
    Querystring: {
      direction?: 'in' | 'out';
      state?: string;
      mailbox?: number;
      limit: number;
      before?: number;
    };
  }>(
    '/faxes',
    {
      schema: {
        tags,
        summary: 'List the faxes I may see, newest first',
        querystring: listQuery,
        response: {
          200: { type: 'object', properties: { items: listOf('Fax'), next: { type: ['integer', 'null'] } } },
          ...errors(400, 401),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query;
      const items = await listVisible(db, p, {
        direction: q.direction,
        states: q.state?.split(','),
        mailbox: q.mailbox,
        limit: q.limit,
        before: q.before,
      });
      return { items, next: items.length === q.limit ? items[items.length - 1].id : null };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/faxes/:id',
    {
      schema: {
        tags,
        summary: 'One fax (metadata)',
        params: idParams,
        response: { 200: ref('Fax'), ...errors(401, 404) },
      },
    },
    async (req) => visibleFax(services, principalOf(req), req.params.id),
  );

  app.post(
    '/faxes',
    {
      schema: {
        tags,
        summary: 'Submit a fax: files (PDF, images, text, TIFF-F, SFF, PBM) to a number',
        description:
          'multipart/form-data. With the header Idempotency-Key a retried request returns the fax of the first one (200, replayed) instead of sending twice. A number of an internal mailbox is delivered internally and never dialled; a number the destination policy refuses is answered 422 and nothing is stored.',
        'x-multipart-body': SUBMISSION_DOC,
        response: {
          201: {
            type: 'object',
            properties: {
              fax: ref('Fax'),
              outcome: { type: 'string', enum: ['queued', 'internal'] },
              deliveredFaxId: { type: ['integer', 'null'] },
              enqueued: {
                type: 'boolean',
                description: 'false: Redis did not take the job now; the reconciler queues it',
              },
              replayed: {
                type: 'boolean',
                description:
                  'true (answer 200): the Idempotency-Key was used before; this is the first submission',
              },
            },
          },
          ...errors(400, 401, 403, 404, 413, 415, 422, 503, 507),
        },
      },
    },
    async (req: FastifyRequest, reply) => {
      const p = principalOf(req);
      const idempotencyKey = idempotencyKeyOf(req);
      // Disk space critical (disk/guard.ts, M 5.75): refused before anything is read or stored;
      // taken again by itself once space is back.
      const full = services.disk?.refusal();
      if (full) {
        // The upload is not parsed: Node discards the rest of the body (nothing is written).
        return reply.code(507).send({ error: { code: 'insufficient_storage', message: full } });
      }
      // Before the upload is read: over the cap, 503 and the connection closed.
      const leave = admitSubmission(gate, reply);
      if (!leave) return reply;
      try {
        // Each fax file is scanned as it arrives: over budget ends the upload there (400).
        const sub = await readSubmission(req, services.config, services.documents.budgetCheck()).catch(
          (e) => {
            throw intakeApiError(e, reply);
          },
        );
        const mailboxId = await sendingMailbox(db, p, sub.mailbox);
        await requireCan(services, p, 'out.send', `send from mailbox ${mailboxId}`, mailboxId);
        // A retried request (same key) gets the first answer back, without rendering again.
        const earlier =
          idempotencyKey === undefined ? null : await earlierSubmission(db, p.user.id, idempotencyKey);
        if (earlier) return reply.code(200).send(answer(earlier));
        const router = await currentRouter(services);
        const cover =
          sub.cover &&
          coverOptions(
            services.config,
            { ...p.user, faxNumber: (await mailboxes.get(db, mailboxId)).numbers[0] },
            { number: sub.number, subject: sub.subject },
            sub.cover,
          );
        const damaged: PageDamage[] = [];
        const pages = await services.documents.load(sub.files, sub.resolution, cover, damaged).catch((e) => {
          throw intakeApiError(e, reply);
        });
        const origin = damageCheck(services.config.intake.damage, damaged, sub.acceptDamaged);
        const result = await submitFax(
          { db, queue: services.queue, router, settings: services.settings },
          {
            actor: { id: p.user.id },
            mailboxId,
            number: sub.number,
            pages,
            priority: sub.priority,
            sendAt: sub.sendAt,
            killTime: sub.killTime,
            resolution: sub.resolution,
            subject: sub.subject,
            jobTag: sub.jobTag,
            idempotencyKey,
            origin,
          },
        );
        reply.header('location', `/api/v1/faxes/${result.fax.id}`);
        return reply.code(result.replayed ? 200 : 201).send(answer(result));
      } finally {
        leave();
      }
    },
  );

  app.post<{ Params: { id: number } }>(
    '/faxes/:id/stop',
    {
      schema: {
        tags,
        summary:
          'Stop a fax (out.stop, or queue.manage for any fax): a waiting one leaves the queue, a running call is disconnected cleanly',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              fax: ref('Fax'),
              was: { type: 'string', enum: ['waiting', 'running', 'finished'] },
            },
          },
          ...errors(401, 403, 404),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const fax = await visibleFax(services, p, req.params.id);
      if (fax.direction !== 'out')
        throw new ApiError(409, 'state_conflict', `fax ${fax.id} is a received fax`);
      // The operator (queue.manage) stops any fax; a user needs out.stop on its mailbox.
      if (!(await can(db, { id: p.user.id }, 'queue.manage')))
        await requireCan(services, p, 'out.stop', `stop fax ${fax.id}`, fax.mailboxId ?? undefined);
      return stopFax(services.stopContext ?? { db, queue: services.queue }, {
        actor: { id: p.user.id },
        faxId: fax.id,
      });
    },
  );
}
