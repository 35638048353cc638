// Mailboxes and their fax numbers: thin HTTP wrappers around the directory service layer
// (mailbox.manage; the list shows every mailbox to holders of mailbox.manage, else those the
// caller holds a right on).
import type { MailboxKind } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import {
  createMailbox,
  getMailboxMail,
  listMailboxes,
  setMailboxMailOptions,
  setMailRecipient,
  setNumber,
} from '../../services/directory/index.js';
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

  // E-mail side of a mailbox (mail/README.md): recipients of its received faxes and options.
  const mailSettings = {
    type: 'object',
    properties: {
      mailbox: { type: 'string' },
      recipients: { type: 'array', items: { type: 'string' } },
      attachTiff: { type: 'boolean' },
      deleteAfterForward: { type: 'boolean' },
    },
  } as const;

  app.get<{ Params: { mailbox: string } }>(
    '/mailboxes/:mailbox/mail',
    {
      schema: {
        tags,
        summary: "A mailbox's e-mail recipients and mail options (mailbox.manage)",
        params: nameParams('mailbox'),
        response: { 200: mailSettings, ...errors(401, 403, 404) },
      },
    },
    async (req) => getMailboxMail(db, actorOf(principalOf(req)), req.params.mailbox),
  );

  app.patch<{ Params: { mailbox: string }; Body: { attachTiff?: boolean; deleteAfterForward?: boolean } }>(
    '/mailboxes/:mailbox/mail',
    {
      schema: {
        tags,
        summary:
          'Mail options (mailbox.manage): attachTiff — a TIFF beside the PDF; deleteAfterForward — a received fax is deleted once the relay accepted every mail for it',
        params: nameParams('mailbox'),
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { attachTiff: { type: 'boolean' }, deleteAfterForward: { type: 'boolean' } },
        },
        response: { 200: mailSettings, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) =>
      setMailboxMailOptions(db, actorOf(principalOf(req)), { mailbox: req.params.mailbox, ...req.body }),
  );

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route<{ Params: { mailbox: string; address: string } }>({
      method,
      url: '/mailboxes/:mailbox/mail/recipients/:address',
      schema: {
        tags,
        summary:
          method === 'PUT'
            ? "Mail the mailbox's received faxes to this address (mailbox.manage)"
            : 'Stop mailing them to this address (mailbox.manage)',
        params: {
          type: 'object',
          required: ['mailbox', 'address'],
          properties: { mailbox: name, address: { type: 'string', minLength: 3, maxLength: 254 } },
        },
        response: { 200: mailSettings, ...errors(400, 401, 403, 404) },
      },
      handler: async (req) => {
        const { mailbox, address } = req.params;
        return setMailRecipient(db, actorOf(principalOf(req)), { mailbox, address, add: method === 'PUT' });
      },
    });
  }
}
