// API tokens (machines): list, create, revoke — my own, or another user's with user.manage
// and the escalation rule (services/directory/policy.ts), which also audits each change. A
// token's secret is shown once, when it is created.
import type { FastifyInstance } from 'fastify';
import { createToken, listTokens, revokeToken } from '../../services/directory/index.js';
import { actorOf } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors, idParams, listOf, ref } from '../schemas.js';

// Tokens are listed under the sessions tag in the API docs, as before the split.
const tags = ['sessions'];

export async function tokenRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get<{ Querystring: { user?: string } }>(
    '/tokens',
    {
      schema: {
        tags,
        summary: "List API tokens: my own, or a user's (user.manage and the escalation rule)",
        querystring: {
          type: 'object',
          properties: { user: { type: 'string', minLength: 1, maxLength: 64 } },
          additionalProperties: false,
        },
        response: { 200: listOf('Credential'), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => listTokens(db, actorOf(principalOf(req)), req.query.user),
  );

  app.post<{ Body: { name: string; expiresAt?: string; user?: string } }>(
    '/tokens',
    {
      schema: {
        tags,
        summary:
          'Create an API token (for myself, or for another user with user.manage and the escalation rule); the secret is shown once',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 128 },
            expiresAt: { type: 'string', format: 'date-time' },
            user: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: {
          201: { type: 'object', properties: { token: { type: 'string' }, credential: ref('Credential') } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const expiresAt = req.body.expiresAt === undefined ? undefined : new Date(req.body.expiresAt);
      const result = await createToken(db, actorOf(principalOf(req)), {
        user: req.body.user,
        name: req.body.name,
        expiresAt,
      });
      return reply.code(201).send({ token: result.secret, credential: result.credential });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/tokens/:id',
    {
      schema: {
        tags,
        summary: "Revoke an API token (my own, or another user's with user.manage and the escalation rule)",
        params: idParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      if (!(await revokeToken(db, actorOf(principalOf(req)), req.params.id))) {
        throw new ApiError(409, 'conflict', `token ${req.params.id} is revoked already`);
      }
      return reply.code(204).send();
    },
  );
}
