// POST /faxes/:id/forward — `in.forward` on the fax's mailbox: to another incoming mailbox,
// a user's personal mailbox, an e-mail address, or a fax number (which also needs `out.send`
// on the outgoing mailbox it goes from). A fax the caller cannot see is 404, as everywhere;
// a refusal is 403 with an access.denied event; then forwarding/forward.ts does the work.
import type { FastifyInstance } from 'fastify';
import { forwardFax } from '../../forwarding/forward.js';
import { type ForwardTarget, MAX_NOTE } from '../../forwarding/target.js';
import { deny, requireCan } from '../authorize.js';
import { type ApiServices, type Principal, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { sendingMailbox } from '../fax-access.js';
import { errors, idParams, ref } from '../schemas.js';
import { currentRouter, visibleFax } from './faxes.js';

const tags = ['faxes'];

interface ForwardBody {
  to: ForwardTarget;
  note?: string;
  fromMailbox?: string;
}

const target = (key: string, description: string, maxLength: number) => ({
  type: 'object',
  required: [key],
  additionalProperties: false,
  properties: { [key]: { type: 'string', minLength: 1, maxLength, description } },
});

const forwardBody = {
  type: 'object',
  required: ['to'],
  additionalProperties: false,
  properties: {
    to: {
      description: 'where the fax goes: exactly one of mailbox, user, email, number',
      oneOf: [
        target('mailbox', 'an incoming mailbox (name): the fax is copied into it', 100),
        target('user', "a user (name): the fax is copied into the user's personal incoming mailbox", 100),
        target('email', 'an address: the fax is mailed as a PDF through the mail outbox', 254),
        target('number', 'a fax number: sent as a new outgoing fax (needs out.send)', 40),
      ],
    },
    note: {
      type: 'string',
      maxLength: MAX_NOTE,
      description: 'why, for the audit trail (and the e-mail text)',
    },
    fromMailbox: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'number target: the outgoing mailbox (id or name); default: the only one I may send from',
    },
  },
} as const;

export async function forwardingRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  /** The outgoing mailbox a forward to a number goes from; having none is refused on record. */
  async function fromMailboxOf(p: Principal, faxId: number, name: string | undefined): Promise<number> {
    const id = await sendingMailbox(db, p, name).catch(async (e) => {
      if (e instanceof ApiError && e.status === 403)
        await deny(services, p, `forward fax ${faxId} to a fax number`, { permission: 'out.send' });
      throw e;
    });
    await requireCan(services, p, 'out.send', `forward fax ${faxId} to a fax number from mailbox ${id}`, id);
    return id;
  }

  app.post<{ Params: { id: number }; Body: ForwardBody }>(
    '/faxes/:id/forward',
    {
      schema: {
        tags,
        summary:
          'Forward a received fax (in.forward): to an incoming mailbox, a user, an e-mail address or a fax number (+ out.send)',
        description:
          'A mailbox or user target gets a copy of the fax (its own row and pages in that mailbox, naming the original); an e-mail target gets the fax as a PDF through the mail outbox; a number target becomes an outgoing fax through the normal submission path (destination policy, internal delivery of our own numbers, queue). The original becomes `delivered` and the forward is audited (fax.forward).',
        params: idParams,
        body: forwardBody,
        response: {
          201: {
            type: 'object',
            properties: {
              fax: ref('Fax'),
              target: { type: 'string', description: 'e.g. mailbox:sales-in, user:bob, number:+4930123456' },
              outcome: { type: 'string', enum: ['delivered', 'queued', 'internal', 'mailed'] },
              deliveredFaxId: {
                type: ['integer', 'null'],
                description: 'the copy in the target mailbox (also for one of our own numbers)',
              },
              sentFaxId: { type: ['integer', 'null'], description: 'number target: the outgoing fax' },
              mailId: { type: ['integer', 'null'], description: 'e-mail target: the mail in the outbox' },
              enqueued: {
                type: 'boolean',
                description:
                  'number target: false when Redis did not take the job now (the reconciler queues it)',
              },
            },
          },
          ...errors(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const fax = await visibleFax(services, p, req.params.id);
      if (fax.direction !== 'in')
        throw new ApiError(
          409,
          'state_conflict',
          `fax ${fax.id} is a sent fax: resubmit it to send it elsewhere`,
        );
      // A fax in no mailbox (never routed) is the post office's to deliver, not to forward.
      if (fax.mailboxId === null)
        await deny(services, p, `forward fax ${fax.id} (in no mailbox)`, { permission: 'in.forward' });
      await requireCan(services, p, 'in.forward', `forward fax ${fax.id}`, fax.mailboxId as number);
      const body = req.body;
      if (body.fromMailbox !== undefined && !('number' in body.to))
        throw new ApiError(400, 'invalid_input', 'fromMailbox: only for a forward to a fax number');
      const fromMailboxId =
        'number' in body.to ? await fromMailboxOf(p, fax.id, body.fromMailbox) : undefined;
      const r = await forwardFax(
        { db, queue: services.queue, router: await currentRouter(services), settings: services.settings },
        { actor: { id: p.user.id }, faxId: fax.id, to: body.to, note: body.note, fromMailboxId },
      );
      return reply.code(201).send({
        fax: r.fax,
        target: r.target,
        outcome: r.outcome,
        deliveredFaxId: r.deliveredFax?.id ?? null,
        sentFaxId: r.sentFax?.id ?? null,
        mailId: r.mailId ?? null,
        enqueued: r.enqueued ?? false,
      });
    },
  );
}
