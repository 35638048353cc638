// Logging in and out (people) and the self-service password change; API tokens (machines)
// are in tokens.ts. A login answers with the session secret once (and sets it as the
// console's cookie). Logins are throttled in PostgreSQL before the password is checked
// (login-throttle.ts); failures are audited aggregated per name and minute; logins, logouts
// and password changes are audited — the password change through the directory service
// layer, which applies the escalation rule (services/directory/policy.ts).
import { appendAuditEvent } from '@faxgate/audit';
import { CAPABILITIES, can, credentials, effectiveRights, mailboxes, users } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { changeOwnPassword } from '../../services/directory/index.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth.js';
import { actorOf } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { createLoginThrottle, type ThrottleLimits } from '../login-throttle.js';
import { errors, listOf, ref } from '../schemas.js';
import { throttledPasswordChange, tooManyAttempts } from '../throttled-password.js';

/** Control characters (NUL above all) never occur in a user name: 400, not a database error. */
const CONTROL = /[\u0000-\u001f\u007f]/;

const tags = ['sessions'];

export async function sessionRoutes(
  app: FastifyInstance,
  services: ApiServices,
  throttleLimits?: ThrottleLimits,
): Promise<void> {
  const { db, config } = services;
  const throttle = createLoginThrottle(db, throttleLimits);
  // Pending aggregated auth.failed events are written at least once a minute and at close.
  const flushing = setInterval(() => {
    throttle.flush().catch((e) => services.logError(`login throttle flush: ${(e as Error).message}`));
  }, 60_000);
  flushing.unref();
  app.addHook('onClose', async () => {
    clearInterval(flushing);
    await throttle.flush().catch(() => {});
  });
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
      if (CONTROL.test(username))
        throw new ApiError(400, 'invalid_input', 'the user name holds control characters');
      // Counted before the password is checked: concurrent guesses are all counted at once.
      const verdict = await throttle.begin(username, req.ip);
      if (!verdict.allowed) {
        await throttle.failed(username, req.ip, 'throttled', verdict.by);
        throw tooManyAttempts(reply, verdict);
      }
      const result = await users.verifyPassword(db, username, password);
      if (!result.ok) {
        await throttle.failed(username, req.ip, result.reason);
        // One answer for every reason: the caller learns nothing about which names exist.
        throw new ApiError(
          401,
          'invalid_credentials',
          'user name or password is wrong, or the account is disabled',
        );
      }
      await throttle.succeeded(username, req.ip);
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

  app.get(
    '/sessions/current',
    {
      schema: {
        tags,
        summary: 'The credential of this request (session or API token) and its user',
        response: {
          200: {
            type: 'object',
            properties: { user: ref('User'), credential: ref('Credential') },
          },
          ...errors(401),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return { user: p.user, credential: p.credential };
    },
  );

  app.post<{ Body: { oldPassword: string; newPassword: string } }>(
    '/sessions/current/password',
    {
      schema: {
        tags,
        summary: 'Change my own password (needs the old one)',
        description:
          'Ends every other session and every API token of the account; the session or token of this request stays. A wrong old password counts as a failed login (throttled, audited).',
        body: {
          type: 'object',
          required: ['oldPassword', 'newPassword'],
          additionalProperties: false,
          properties: {
            oldPassword: { type: 'string', maxLength: 1024 },
            newPassword: { type: 'string', maxLength: 1024 }, // the store says why a short one is refused
          },
        },
        response: { 200: ref('User'), ...errors(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      return throttledPasswordChange(throttle, reply, p.user.name, req.ip, () =>
        changeOwnPassword(
          db,
          actorOf(p),
          { oldPassword: req.body.oldPassword, newPassword: req.body.newPassword },
          { currentCredential: p.credential.id },
        ),
      );
    },
  );
}
