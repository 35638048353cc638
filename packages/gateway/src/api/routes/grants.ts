// Grants (M 2.179): thin HTTP wrappers around the directory service layer (user.manage; a
// right for a single user also follows the escalation rule for that user).
import type { MailboxRight } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { type GrantRequest, grantRight, listGrants, revokeGrant } from '../../services/directory/index.js';
import { actorOf } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors, listOf, ref } from '../schemas.js';
import { name } from './name-params.js';

const tags = ['mailboxes'];

export async function grantRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get<{ Querystring: { mailbox?: string; user?: string; group?: string } }>(
    '/grants',
    {
      schema: {
        tags,
        summary: 'Grants on a mailbox, of a user (effective, through groups too) or of a group (user.manage)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          maxProperties: 1,
          minProperties: 1,
          properties: { mailbox: name, user: name, group: name },
        },
        response: { 200: listOf('Grant'), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const q = req.query;
      const filter =
        q.mailbox !== undefined
          ? { mailbox: q.mailbox }
          : q.user !== undefined
            ? { user: q.user }
            : { group: q.group as string };
      return listGrants(db, actorOf(principalOf(req)), filter);
    },
  );

  app.post<{ Body: { mailbox: string; right: MailboxRight; user?: string; group?: string } }>(
    '/grants',
    {
      schema: {
        tags,
        summary: 'Grant a right on a mailbox to a group (the rule, M 2.179) or a user (user.manage)',
        body: {
          type: 'object',
          required: ['mailbox', 'right'],
          additionalProperties: false,
          minProperties: 3,
          maxProperties: 3,
          properties: { mailbox: name, right: { type: 'string', maxLength: 32 }, user: name, group: name },
        },
        response: {
          200: { type: 'object', properties: { grant: ref('Grant'), created: { type: 'boolean' } } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const { created, ...grant } = await grantRight(db, actorOf(principalOf(req)), req.body as GrantRequest);
      return { grant, created };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/grants/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a grant (user.manage)',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
        response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await revokeGrant(db, actorOf(principalOf(req)), req.params.id);
      return reply.code(204).send();
    },
  );
}
