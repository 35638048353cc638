// Mailboxes and their fax numbers: thin HTTP wrappers around the directory service layer
// (mailbox.manage; the list shows every mailbox to holders of mailbox.manage, else those the
// caller holds a right on).
import type { MailboxKind } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { createMailbox, listMailboxes, setNumber } from '../../services/directory/index.js';
import { actorOf } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors, listOf, ref } from '../schemas.js';
import { name, nameParams } from './name-params.js';

const tags = ['mailboxes'];

export async function mailboxRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get(
    '/mailboxes',
    {
      schema: {
        tags,
        summary: 'Mailboxes: all with mailbox.manage, else those I hold a right on',
        response: { 200: listOf('Mailbox'), ...errors(401) },
      },
    },
    async (req) => listMailboxes(db, actorOf(principalOf(req))),
  );

  app.post<{ Body: { name: string; kind: MailboxKind; description?: string; numbers?: string[] } }>(
    '/mailboxes',
    {
      schema: {
        tags,
        summary: 'Create a mailbox with its fax numbers (mailbox.manage)',
        body: {
          type: 'object',
          required: ['name', 'kind'],
          additionalProperties: false,
          properties: {
            name,
            kind: { type: 'string', enum: ['incoming', 'outgoing'] },
            description: { type: 'string', maxLength: 500 },
            numbers: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 1000 },
          },
        },
        response: { 201: ref('Mailbox'), ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await createMailbox(db, actorOf(principalOf(req)), req.body)),
  );

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route<{ Params: { mailbox: string; number: string } }>({
      method,
      url: '/mailboxes/:mailbox/numbers/:number',
      schema: {
        tags,
        summary:
          method === 'PUT'
            ? 'Route a fax number to the mailbox (mailbox.manage)'
            : 'Remove a fax number (mailbox.manage)',
        params: nameParams('mailbox', 'number'),
        response: { 200: ref('Mailbox'), ...errors(400, 401, 403, 404, 409) },
      },
      handler: async (req) => {
        const { mailbox, number } = req.params;
        return setNumber(db, actorOf(principalOf(req)), { mailbox, number, add: method === 'PUT' });
      },
    });
  }
}
