// Logging in and out (people) and API tokens (machines). A login answers with the session
// secret once (and sets it as the console's cookie); a token's secret is shown once, when
// it is created. Every login, failure, logout, token creation and revocation is audited.
import { appendAuditEvent } from '@faxgate/audit';
import { CAPABILITIES, can, credentials, effectiveRights, mailboxes, users } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth.js';
import { deny } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { createLoginThrottle } from '../login-throttle.js';
import { errors, idParams, listOf, ref } from '../schemas.js';

const tags = ['sessions'];

export async function sessionRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db, config } = services;
  const throttle = createLoginThrottle();
  const audit = (
    type: Parameters<typeof appendAuditEvent>[1]['type'],
    actor: string,
    details: Record<string, unknown>,
  ) =>
    db.transaction((trx) =>
      appendAuditEvent(trx, { type, actor, subject: actor, details: { ...details, via: 'api' } }),
    );

  app.post<{ Body: { username: string; password: string } }>(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Log in with user name and password',
        description: `Answers the session token and sets it as the cookie \`${SESSION_COOKIE}\`. With the cookie alone, requests that change something must send the header \`${CSRF_HEADER}: 1\`.`,
        security: [],
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', maxLength: 64 },
            password: { type: 'string', maxLength: 1024 },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              expiresAt: { type: 'string', format: 'date-time' },
              user: ref('User'),
            },
          },
          ...errors(400, 401, 429),
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const wait = throttle.blockedFor(username, req.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ApiError(429, 'too_many_attempts', `too many failed logins; try again in ${wait} s`);
      }
      const result = await users.verifyPassword(db, username, password);
      if (!result.ok) {
        throttle.failed(username, req.ip);
        await audit('auth.failed', username.slice(0, 64) || '(empty)', {
          reason: result.reason,
          remote: req.ip,
        });
        // One answer for every reason: the caller learns nothing about which names exist.
        throw new ApiError(
          401,
          'invalid_credentials',
          'user name or password is wrong, or the account is disabled',
        );
      }
      throttle.succeeded(username, req.ip);
      const expiresAt = new Date(Date.now() + config.api.sessionHours * 3_600_000);
      const { credential, secret } = await credentials.issue(db, {
        kind: 'session',
        user: result.user.id,
        name: String(req.headers['user-agent'] ?? '').slice(0, 128),
        expiresAt,
        remoteAddr: req.ip,
      });
      await audit('auth.login', result.user.name, { session: credential.id, remote: req.ip });
      reply.setCookie(SESSION_COOKIE, secret, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: req.protocol === 'https',
        expires: expiresAt,
      });
      return reply.code(201).send({ token: secret, expiresAt, user: result.user });
    },
  );

  app.delete(
    '/sessions/current',
    {
      schema: {
        tags,
        summary: 'Log out: ends the session used for this request',
        response: { 204: { type: 'null' }, ...errors(401) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      if (p.credential.kind === 'session') {
        await credentials.revoke(db, p.credential.id);
        await audit('auth.logout', p.user.name, { session: p.credential.id });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/me',
    {
      schema: {
        tags,
        summary: 'Who I am: roles, capabilities and my rights per mailbox',
        response: {
          200: {
            type: 'object',
            properties: {
              user: ref('User'),
              capabilities: listOf('Capability'),
              mailboxes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    mailbox: ref('Mailbox'),
                    rights: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          },
          ...errors(401),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const me = { id: p.user.id };
      const capabilities = [];
      for (const c of CAPABILITIES) if (await can(db, me, c)) capabilities.push(c);
      const boxes = [];
      for (const m of await mailboxes.list(db)) {
        const rights = await effectiveRights(db, me, m.id);
        if (rights.length > 0) boxes.push({ mailbox: m, rights });
      }
      return { user: p.user, capabilities, mailboxes: boxes };
    },
  );

  app.get<{ Querystring: { user?: string } }>(
    '/tokens',
    {
      schema: {
        tags,
        summary: "List API tokens: my own, or a user's (user.manage)",
        querystring: {
          type: 'object',
          properties: { user: { type: 'string' } },
          additionalProperties: false,
        },
        response: { 200: listOf('Credential'), ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const user = req.query.user ?? p.user.name;
      if (user !== p.user.name && !(await can(db, { id: p.user.id }, 'user.manage'))) {
        await deny(services, p, `list the tokens of ${user}`, { permission: 'user.manage' });
      }
      return credentials.list(db, { user, kind: 'token' });
    },
  );

  app.post<{ Body: { name: string; expiresAt?: string; user?: string } }>(
    '/tokens',
    {
      schema: {
        tags,
        summary:
          'Create an API token (for myself, or for another user with user.manage); the secret is shown once',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 128 },
            expiresAt: { type: 'string', format: 'date-time' },
            user: { type: 'string', maxLength: 64 },
          },
        },
        response: {
          201: { type: 'object', properties: { token: { type: 'string' }, credential: ref('Credential') } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const user = req.body.user ?? p.user.name;
      if (user !== p.user.name && !(await can(db, { id: p.user.id }, 'user.manage'))) {
        await deny(services, p, `create a token for ${user}`, { permission: 'user.manage' });
      }
      const expiresAt = req.body.expiresAt === undefined ? undefined : new Date(req.body.expiresAt);
      const result = await db.transaction(async (trx) => {
        const issued = await credentials.issue(trx, { kind: 'token', user, name: req.body.name, expiresAt });
        await appendAuditEvent(trx, {
          type: 'auth.token_create',
          actor: p.user.name,
          subject: user,
          details: {
            token: issued.credential.id,
            name: req.body.name,
            expiresAt: expiresAt ?? null,
            via: 'api',
          },
        });
        return issued;
      });
      return reply.code(201).send({ token: result.secret, credential: result.credential });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API token (my own, or any with user.manage)',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const c = await credentials.get(db, req.params.id).catch(() => null);
      if (c?.kind !== 'token') throw new ApiError(404, 'not_found', `token ${req.params.id} does not exist`);
      if (c.userId !== p.user.id && !(await can(db, { id: p.user.id }, 'user.manage'))) {
        await deny(services, p, `revoke token ${c.id}`, { permission: 'user.manage' });
      }
      await db.transaction(async (trx) => {
        if (!(await credentials.revoke(trx, c.id)))
          throw new ApiError(409, 'conflict', `token ${c.id} is revoked already`);
        await appendAuditEvent(trx, {
          type: 'auth.token_revoke',
          actor: p.user.name,
          subject: String(c.userId),
          details: { token: c.id, via: 'api' },
        });
      });
      return reply.code(204).send();
    },
  );
}
