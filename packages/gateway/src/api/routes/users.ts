// Users (M 2.180): thin HTTP wrappers around the directory service layer, which checks
// user.manage and the escalation rule (services/directory/policy.ts) and audits each change.
import type { Role } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { createUser, listUsers, updateUser } from '../../services/directory/index.js';
import { actorOf } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { createLoginThrottle } from '../login-throttle.js';
import { errors, listOf, ref } from '../schemas.js';
import { throttledPasswordChange } from '../throttled-password.js';
import { name, nameParams } from './name-params.js';

const tags = ['users'];

export async function userRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  // The throttle's state is in PostgreSQL: this instance and the login route's share it.
  const throttle = createLoginThrottle(db);

  app.get(
    '/users',
    {
      schema: {
        tags,
        summary: 'All users (user.manage)',
        response: { 200: listOf('User'), ...errors(401, 403) },
      },
    },
    async (req) => listUsers(db, actorOf(principalOf(req))),
  );

  app.post<{ Body: { name: string; displayName?: string; password?: string; roles?: Role[] } }>(
    '/users',
    {
      schema: {
        tags,
        summary: 'Create a user (user.manage; only roles the caller may manage — see the rights matrix)',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name,
            displayName: { type: 'string', maxLength: 200 },
            password: { type: 'string', maxLength: 1024 }, // the store says why a short one is refused
            roles: { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 5 },
          },
        },
        response: { 201: ref('User'), ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await createUser(db, actorOf(principalOf(req)), req.body)),
  );

  app.patch<{
    Params: { name: string };
    Body: {
      displayName?: string;
      disabled?: boolean;
      password?: string;
      oldPassword?: string;
      roles?: Role[];
      email?: string | null;
      mailOptIn?: boolean;
    };
  }>(
    '/users/:name',
    {
      schema: {
        tags,
        summary:
          "Change a user: display name, password, disabled, roles, e-mail address and opt-in for fax mails (user.manage and the escalation rule; one's own display name, e-mail settings and password — with oldPassword — for everyone)",
        description:
          "A new password ends the user's sessions and API tokens — for a self-service change (which needs `oldPassword`) all but the session of this request.",
        params: nameParams('name'),
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            displayName: { type: 'string', maxLength: 200 },
            disabled: { type: 'boolean' },
            password: { type: 'string', maxLength: 1024 }, // the store says why a short one is refused
            oldPassword: { type: 'string', maxLength: 1024 },
            roles: { type: 'array', items: { type: 'string', maxLength: 32 }, minItems: 0, maxItems: 5 },
            email: { type: ['string', 'null'], maxLength: 254 },
            mailOptIn: { type: 'boolean' },
          },
        },
        response: { 200: ref('User'), ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const change = () =>
        updateUser(db, actorOf(p), req.params.name, req.body, { currentCredential: p.credential.id });
      // A check of the old password counts as a login attempt (throttled, aggregated audit).
      if (req.body.oldPassword === undefined) return change();
      return throttledPasswordChange(throttle, reply, p.user.name, req.ip, change);
    },
  );
}
