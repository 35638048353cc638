// Groups and memberships: thin HTTP wrappers around the directory service layer (user.manage;
// adding or removing a member follows the escalation rule for that member).
import type { FastifyInstance } from 'fastify';
import { createGroup, listGroups, setMember } from '../../services/directory/index.js';
import { actorOf } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors, listOf, ref } from '../schemas.js';
import { name, nameParams } from './name-params.js';

const tags = ['users'];

export async function groupRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get(
    '/groups',
    {
      schema: {
        tags,
        summary: 'All groups with their members (user.manage)',
        response: { 200: listOf('Group'), ...errors(401, 403) },
      },
    },
    async (req) => listGroups(db, actorOf(principalOf(req))),
  );

  app.post<{ Body: { name: string; description?: string } }>(
    '/groups',
    {
      schema: {
        tags,
        summary: 'Create a group (user.manage)',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name, description: { type: 'string', maxLength: 500 } },
        },
        response: { 201: ref('Group'), ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await createGroup(db, actorOf(principalOf(req)), req.body)),
  );

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route<{ Params: { group: string; user: string } }>({
      method,
      url: '/groups/:group/members/:user',
      schema: {
        tags,
        summary:
          method === 'PUT'
            ? 'Add a member (user.manage and the escalation rule for the member)'
            : 'Remove a member (user.manage and the escalation rule for the member)',
        params: nameParams('group', 'user'),
        response: {
          200: { type: 'object', properties: { changed: { type: 'boolean' } } },
          ...errors(400, 401, 403, 404),
        },
      },
      handler: async (req) => {
        const { group, user } = req.params;
        const changed = await setMember(db, actorOf(principalOf(req)), {
          group,
          user,
          add: method === 'PUT',
        });
        return { changed };
      },
    });
  }
}
