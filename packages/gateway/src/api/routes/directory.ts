// Users, groups, mailboxes and grants (M 2.179/2.180): the administration of who may do
// what. user.manage and mailbox.manage (admin, post office) gate the changes; only an admin
// hands out roles above `user` or touches an admin account. Every change is one transaction
// with its audit event.
import { type AuditEventType, appendAuditEvent } from '@faxgate/audit';
import {
  can,
  credentials,
  type Db,
  grants,
  groups,
  type MailboxKind,
  type MailboxRight,
  mailboxes,
  type Role,
  users,
} from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { deny, requireCan } from '../authorize.js';
import { type ApiServices, type Principal, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors, listOf, ref } from '../schemas.js';

const name = { type: 'string', minLength: 1, maxLength: 64 } as const;
const nameParams = (...keys: string[]) =>
  ({
    type: 'object',
    required: keys,
    properties: Object.fromEntries(
      keys.map((k) => [k, k === 'number' ? { type: 'string', maxLength: 40 } : name]),
    ),
  }) as const;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function change<T>(
  db: Db,
  p: Principal,
  type: AuditEventType,
  subject: string,
  fn: (trx: Tx) => Promise<{ result: T; details?: Record<string, unknown> } | null>,
): Promise<T | null> {
  return db.transaction(async (trx) => {
    const out = await fn(trx);
    if (!out) return null;
    await appendAuditEvent(trx, {
      type,
      actor: p.user.name,
      subject,
      details: { ...out.details, via: 'api' },
    });
    return out.result;
  });
}

/** A name or a numeric id, as the store takes it. */
const refOf = (s: string) => (/^[0-9]+$/.test(s) ? Number(s) : s);

export async function directoryRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  /** Only an admin raises roles above `user` or changes an admin account. */
  async function requireAdminFor(
    p: Principal,
    what: string,
    roles: readonly string[],
    target?: string,
  ): Promise<void> {
    if (p.user.roles.includes('admin')) return;
    const raises = roles.some((r) => r !== 'user');
    const t = target === undefined ? null : await users.find(db, refOf(target));
    if (raises || t?.roles.includes('admin')) await deny(services, p, what, { needed: 'role admin' });
  }

  // --- users ---------------------------------------------------------------------------
  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'All users (user.manage)',
        response: { 200: listOf('User'), ...errors(401, 403) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'user.manage', 'list users');
      return users.list(db);
    },
  );

  app.post<{ Body: { name: string; displayName?: string; password?: string; roles?: Role[] } }>(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (user.manage; roles above user: admin only)',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name,
            displayName: { type: 'string', maxLength: 200 },
            password: { type: 'string', minLength: 8, maxLength: 1024 },
            roles: { type: 'array', items: { type: 'string' }, maxItems: 5 },
          },
        },
        response: { 201: ref('User'), ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const b = req.body;
      await requireCan(services, p, 'user.manage', `create user ${b.name}`);
      await requireAdminFor(
        p,
        `create user ${b.name} with roles ${(b.roles ?? ['user']).join(',')}`,
        b.roles ?? ['user'],
      );
      const u = await change(db, p, 'admin.user_add', `user:${b.name}`, async (trx) => {
        const created = await users.add(trx, b);
        return {
          result: created,
          details: { roles: created.roles, displayName: created.displayName, password: created.hasPassword },
        };
      });
      return reply.code(201).send(u);
    },
  );

  app.patch<{
    Params: { name: string };
    Body: { displayName?: string; disabled?: boolean; password?: string; roles?: Role[] };
  }>(
    '/users/:name',
    {
      schema: {
        tags: ['users'],
        summary:
          'Change a user: display name, password, disabled, roles (user.manage; admin accounts and roles above user: admin only)',
        params: nameParams('name'),
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            displayName: { type: 'string', maxLength: 200 },
            disabled: { type: 'boolean' },
            password: { type: 'string', minLength: 8, maxLength: 1024 },
            roles: { type: 'array', items: { type: 'string' }, minItems: 0, maxItems: 5 },
          },
        },
        response: { 200: ref('User'), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const target = await users.get(db, refOf(req.params.name));
      const b = req.body;
      const self = target.id === p.user.id;
      // Anyone may change their own password and display name; the rest needs user.manage.
      if (!self || b.disabled !== undefined || b.roles !== undefined) {
        await requireCan(services, p, 'user.manage', `change user ${target.name}`);
        await requireAdminFor(p, `change user ${target.name}`, b.roles ?? [], target.name);
      }
      const subject = `user:${target.name}`;
      if (b.displayName !== undefined) {
        await change(db, p, 'admin.user_modify', subject, async (trx) => ({
          result: await users.setDisplayName(trx, target.id, b.displayName as string),
          details: { displayName: b.displayName },
        }));
      }
      if (b.password !== undefined) {
        await change(db, p, 'admin.password_set', subject, async (trx) => {
          await users.setPassword(trx, target.id, b.password as string);
          // A new password ends every other session of the account.
          const ended = await credentials.revokeAllOf(trx, target.id, 'session');
          return { result: true, details: { sessionsEnded: ended } };
        });
      }
      if (b.disabled !== undefined && b.disabled !== target.disabled) {
        await change(db, p, b.disabled ? 'admin.user_disable' : 'admin.user_enable', subject, async (trx) => {
          const u = b.disabled ? await users.disable(trx, target.id) : await users.enable(trx, target.id);
          if (b.disabled) await credentials.revokeAllOf(trx, target.id);
          return { result: u };
        });
      }
      if (b.roles !== undefined) {
        const wanted = new Set(b.roles);
        for (const r of wanted) {
          await change(db, p, 'admin.role_assign', subject, async (trx) =>
            (await users.assignRole(trx, target.id, r)) ? { result: true, details: { role: r } } : null,
          );
        }
        for (const r of target.roles.filter((x) => !wanted.has(x))) {
          await change(db, p, 'admin.role_revoke', subject, async (trx) =>
            (await users.revokeRole(trx, target.id, r)) ? { result: true, details: { role: r } } : null,
          );
        }
      }
      return users.get(db, target.id);
    },
  );

  // --- groups ----------------------------------------------------------------------------
  app.get(
    '/groups',
    {
      schema: {
        tags: ['users'],
        summary: 'All groups with their members (user.manage)',
        response: { 200: listOf('Group'), ...errors(401, 403) },
      },
    },
    async (req) => {
      await requireCan(services, principalOf(req), 'user.manage', 'list groups');
      const all = await groups.list(db);
      const { rows } = await db.raw(
        `SELECT m.group_id, u.name FROM group_members m JOIN users u ON u.id = m.user_id ORDER BY u.name`,
      );
      return all.map((g) => ({
        ...g,
        members: (rows as Array<{ group_id: string | number; name: string }>)
          .filter((r) => Number(r.group_id) === g.id)
          .map((r) => r.name),
      }));
    },
  );

  app.post<{ Body: { name: string; description?: string } }>(
    '/groups',
    {
      schema: {
        tags: ['users'],
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
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'user.manage', `create group ${req.body.name}`);
      const g = await change(db, p, 'admin.group_add', `group:${req.body.name}`, async (trx) => ({
        result: await groups.add(trx, req.body),
      }));
      return reply.code(201).send({ ...g, members: [] });
    },
  );

  for (const [method, type] of [
    ['PUT', 'admin.member_add'],
    ['DELETE', 'admin.member_remove'],
  ] as const) {
    app.route<{ Params: { group: string; user: string } }>({
      method,
      url: '/groups/:group/members/:user',
      schema: {
        tags: ['users'],
        summary: method === 'PUT' ? 'Add a member (user.manage)' : 'Remove a member (user.manage)',
        params: nameParams('group', 'user'),
        response: {
          200: { type: 'object', properties: { changed: { type: 'boolean' } } },
          ...errors(401, 403, 404),
        },
      },
      handler: async (req) => {
        const p = principalOf(req);
        const { group, user } = req.params;
        await requireCan(services, p, 'user.manage', `change the members of group ${group}`);
        const changed = await change(db, p, type, `group:${group}`, async (trx) => {
          const done =
            method === 'PUT'
              ? await groups.addMember(trx, refOf(group), refOf(user))
              : await groups.removeMember(trx, refOf(group), refOf(user));
          return done ? { result: true, details: { user } } : null;
        });
        return { changed: changed === true };
      },
    });
  }

  // --- mailboxes -------------------------------------------------------------------------
  app.get(
    '/mailboxes',
    {
      schema: {
        tags: ['mailboxes'],
        summary: 'Mailboxes: all with mailbox.manage, else those I hold a right on',
        response: { 200: listOf('Mailbox'), ...errors(401) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const all = await mailboxes.list(db);
      if (await can(db, { id: p.user.id }, 'mailbox.manage')) return all;
      const { rows } = await db.raw(
        `SELECT DISTINCT mailbox_id AS id FROM grants WHERE user_id = ? OR group_id IN (SELECT group_id FROM group_members WHERE user_id = ?)`,
        [p.user.id, p.user.id],
      );
      const mine = new Set((rows as Array<{ id: string | number }>).map((r) => Number(r.id)));
      return all.filter((m) => mine.has(m.id));
    },
  );

  app.post<{ Body: { name: string; kind: MailboxKind; description?: string; numbers?: string[] } }>(
    '/mailboxes',
    {
      schema: {
        tags: ['mailboxes'],
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
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'mailbox.manage', `create mailbox ${req.body.name}`);
      const m = await change(db, p, 'admin.mailbox_add', `mailbox:${req.body.name}`, async (trx) => {
        const created = await mailboxes.add(trx, req.body);
        return { result: created, details: { kind: created.kind, numbers: created.numbers } };
      });
      return reply.code(201).send(m);
    },
  );

  for (const [method, type] of [
    ['PUT', 'admin.number_add'],
    ['DELETE', 'admin.number_remove'],
  ] as const) {
    app.route<{ Params: { mailbox: string; number: string } }>({
      method,
      url: '/mailboxes/:mailbox/numbers/:number',
      schema: {
        tags: ['mailboxes'],
        summary:
          method === 'PUT'
            ? 'Route a fax number to the mailbox (mailbox.manage)'
            : 'Remove a fax number (mailbox.manage)',
        params: nameParams('mailbox', 'number'),
        response: { 200: ref('Mailbox'), ...errors(400, 401, 403, 404, 409) },
      },
      handler: async (req) => {
        const p = principalOf(req);
        const { mailbox, number } = req.params;
        await requireCan(services, p, 'mailbox.manage', `change the numbers of mailbox ${mailbox}`);
        await change<unknown>(db, p, type, `mailbox:${mailbox}`, async (trx) => {
          if (method === 'PUT')
            return { result: await mailboxes.addNumber(trx, refOf(mailbox), number), details: { number } };
          return (await mailboxes.removeNumber(trx, refOf(mailbox), number))
            ? { result: true, details: { number } }
            : null;
        });
        return mailboxes.get(db, refOf(mailbox));
      },
    });
  }

  // --- grants ----------------------------------------------------------------------------
  app.get<{ Querystring: { mailbox?: string; user?: string; group?: string } }>(
    '/grants',
    {
      schema: {
        tags: ['mailboxes'],
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
      await requireCan(services, principalOf(req), 'user.manage', 'list grants');
      const q = req.query;
      if (q.mailbox) return grants.listFor(db, { mailbox: refOf(q.mailbox) });
      if (q.user) return grants.listFor(db, { user: refOf(q.user), effective: true });
      return grants.listFor(db, { group: refOf(q.group as string) });
    },
  );

  app.post<{ Body: { mailbox: string; right: MailboxRight; user?: string; group?: string } }>(
    '/grants',
    {
      schema: {
        tags: ['mailboxes'],
        summary: 'Grant a right on a mailbox to a group (the rule, M 2.179) or a user (user.manage)',
        body: {
          type: 'object',
          required: ['mailbox', 'right'],
          additionalProperties: false,
          minProperties: 3,
          maxProperties: 3,
          properties: { mailbox: name, right: { type: 'string' }, user: name, group: name },
        },
        response: {
          200: { type: 'object', properties: { grant: ref('Grant'), created: { type: 'boolean' } } },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const b = req.body;
      await requireCan(services, p, 'user.manage', `grant ${b.right} on ${b.mailbox}`);
      const grantee = b.user !== undefined ? { user: refOf(b.user) } : { group: refOf(b.group as string) };
      const g = await db.transaction(async (trx) => {
        const r = await grants.grant(trx, { ...grantee, mailbox: refOf(b.mailbox), right: b.right });
        if (r.created) {
          await appendAuditEvent(trx, {
            type: 'admin.grant',
            actor: p.user.name,
            subject: `mailbox:${r.mailboxName}`,
            details: { right: r.right, user: r.userName, group: r.groupName, via: 'api' },
          });
        }
        return r;
      });
      const { created, ...grant } = g;
      return { grant, created };
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/grants/:id',
    {
      schema: {
        tags: ['mailboxes'],
        summary: 'Revoke a grant (user.manage)',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 204: { type: 'null' }, ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireCan(services, p, 'user.manage', `revoke grant ${req.params.id}`);
      const row = await db('grants').where({ id: req.params.id }).first();
      if (!row) throw new ApiError(404, 'not_found', `grant ${req.params.id} does not exist`);
      const grantee = row.user_id !== null ? { user: Number(row.user_id) } : { group: Number(row.group_id) };
      await db.transaction(async (trx) => {
        await grants.revoke(trx, { ...grantee, mailbox: Number(row.mailbox_id), right: row.right });
        await appendAuditEvent(trx, {
          type: 'admin.revoke',
          actor: p.user.name,
          subject: `mailbox:${row.mailbox_id}`,
          details: {
            right: row.right,
            grant: row.id,
            userId: row.user_id,
            groupId: row.group_id,
            via: 'api',
          },
        });
      });
      return reply.code(204).send();
    },
  );
}
