// The Faxes view's own endpoints (console-only; the list, pages, submission and forwarding are
// the general REST routes): a fax's history (its audit events and send/receive log rows) for
// whoever may see the fax, the unread marks of received faxes (opened per user, table
// fax_reads) with the inbox's counts and rights, and the destination check of the send form
// (the router and destination policy the submission uses, with the same right: out.send).
import { NumberError } from '@faxgate/router';
import { can, effectiveRights, INCOMING_RIGHTS, mailboxes } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { userGroups } from '../../pipeline/route.js';
import { deny, requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { canReadContent, sendingMailbox } from '../fax-access.js';
import { pseudonymiserOf } from '../pseudonyms.js';
import { currentRouter, visibleFax } from '../routes/faxes.js';
import { errors, idParams } from '../schemas.js';
import { requireView } from './views.js';

const tags = ['console'];
/** The newest this many audit events and log rows of one fax (a fax has a few dozen). */
export const HISTORY_LIMIT = 200;
/** Unread ids answered at most (the counts are exact). */
const UNREAD_IDS = 1000;

const nullable = (type: string) => ({ type: [type, 'null'] });

export async function consoleFaxRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get<{ Params: { id: number } }>(
    '/console/faxes/:id/history',
    {
      schema: {
        tags,
        summary:
          'A fax’s history: its audit events and send/receive log rows, oldest first (whoever may see the fax; 404 otherwise)',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              content: { type: 'boolean', description: 'whether I may read its pages' },
              events: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    time: { type: 'string', format: 'date-time' },
                    type: { type: 'string' },
                    actor: { type: 'string' },
                    details: { type: 'object', additionalProperties: true },
                  },
                },
              },
              log: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    time: { type: 'string', format: 'date-time' },
                    type: { type: 'string' },
                    device: { type: 'string' },
                    remote: {
                      type: 'string',
                      description: 'dialled number or caller (pseudonym where configured)',
                    },
                    station: { type: 'string' },
                    pages: { type: 'integer' },
                    durationS: { type: 'integer' },
                    reason: { type: 'string' },
                  },
                },
              },
            },
          },
          ...errors(401, 403, 404),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireView(services, p, 'faxes');
      const fax = await visibleFax(services, p, req.params.id);
      const events = await db('audit_events')
        .where((w) => w.where('fax_id', fax.id).orWhere('subject', `fax:${fax.id}`))
        .orderBy('id', 'desc')
        .limit(HISTORY_LIMIT)
        .select('id', 'time', 'type', 'actor', 'details');
      const log = await db('xfer_log')
        .where('fax_id', fax.id)
        .orderBy('id', 'desc')
        .limit(HISTORY_LIMIT)
        .select(
          'time',
          'type',
          'device',
          'dest',
          'cid_number',
          'remote_station',
          'npages',
          'jobtime_s',
          'reason',
        );
      // Callers who see numbers only as pseudonyms see no event details (they may name numbers).
      const ps = pseudonymiserOf(services, p);
      const shown = (v: string) => (ps && v ? (ps(v) ?? v) : v);
      const content = fax.mailboxId !== null && (await canReadContent(db, p, fax));
      return {
        content,
        events: events.reverse().map((e) => ({
          id: Number(e.id),
          time: e.time,
          type: e.type,
          actor: e.actor,
          details: ps ? {} : e.details,
        })),
        log: log.reverse().map((r) => ({
          time: r.time,
          type: r.type,
          device: r.device,
          remote: shown(r.type === 'RECV' ? r.cid_number : r.dest),
          station: shown(r.remote_station),
          pages: r.npages,
          durationS: r.jobtime_s,
          reason: r.reason,
        })),
      };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/console/faxes/:id/opened',
    {
      schema: {
        tags,
        summary: 'Mark a received fax as opened by me (its unread mark goes); needs in.read on its mailbox',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const fax = await visibleFax(services, p, req.params.id);
      if (fax.direction !== 'in')
        throw new ApiError(409, 'state_conflict', `fax ${fax.id} is not a received fax`);
      if (!(await canReadContent(db, p, fax)))
        await deny(services, p, `open fax ${fax.id}`, { permission: 'in.read', mailboxId: fax.mailboxId });
      await db('fax_reads')
        .insert({ user_id: p.user.id, fax_id: fax.id })
        .onConflict(['user_id', 'fax_id'])
        .ignore();
      return reply.code(204).send();
    },
  );

  app.get(
    '/console/inbox',
    {
      schema: {
        tags,
        summary:
          'My incoming mailboxes (those I hold a right on) with my rights there and unread counts, and the ids of my unread faxes',
        response: {
          200: {
            type: 'object',
            properties: {
              mailboxes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    name: { type: 'string' },
                    rights: { type: 'array', items: { type: 'string' } },
                    unread: { type: 'integer' },
                  },
                },
              },
              unread: {
                type: 'array',
                items: { type: 'integer' },
                description: `at most ${UNREAD_IDS}, newest first`,
              },
            },
          },
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireView(services, p, 'faxes');
      const mine: Array<{ id: number; name: string; rights: string[]; unread: number }> = [];
      for (const m of await mailboxes.list(db, { kind: 'incoming' })) {
        const rights = (await effectiveRights(db, { id: p.user.id }, m.id)).filter((r) =>
          (INCOMING_RIGHTS as readonly string[]).includes(r),
        );
        if (rights.length > 0) mine.push({ id: m.id, name: m.name, rights, unread: 0 });
      }
      // Unread counts only where the faxes may be read (in.read).
      const readable = mine.filter((m) => m.rights.includes('in.read')).map((m) => m.id);
      const unread = () =>
        db('faxes as f')
          .where('f.direction', 'in')
          .whereIn('f.mailbox_id', readable)
          .whereNot('f.state', 'deleted')
          .whereNotExists((q) =>
            q.select(1).from('fax_reads as r').whereRaw('r.fax_id = f.id').where('r.user_id', p.user.id),
          );
      const counts =
        readable.length === 0
          ? []
          : await unread()
              .groupBy('f.mailbox_id')
              .select('f.mailbox_id')
              .count<{ mailbox_id: string; count: string }[]>({ count: '*' });
      for (const c of counts) {
        const m = mine.find((x) => x.id === Number(c.mailbox_id));
        if (m) m.unread = Number(c.count);
      }
      const ids =
        readable.length === 0 ? [] : await unread().orderBy('f.id', 'desc').limit(UNREAD_IDS).pluck('f.id');
      return { mailboxes: mine, unread: ids.map(Number) };
    },
  );

  app.get(
    '/console/outboxes',
    {
      schema: {
        tags,
        summary:
          'The outgoing mailboxes I may send from (out.send), for the send form (needs the Faxes view)',
        response: {
          200: {
            type: 'object',
            properties: {
              mailboxes: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
              },
            },
          },
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireView(services, p, 'faxes');
      const mine: Array<{ id: number; name: string }> = [];
      for (const m of await mailboxes.list(db, { kind: 'outgoing' }))
        if (await can(db, { id: p.user.id }, 'out.send', m.id)) mine.push({ id: m.id, name: m.name });
      return { mailboxes: mine };
    },
  );

  app.post<{ Body: { number: string; mailbox?: string } }>(
    '/console/numbers/check',
    {
      schema: {
        tags,
        summary:
          'Check a destination before sending: the router and destination policy of a submission, without storing anything (out.send on the mailbox)',
        body: {
          type: 'object',
          required: ['number'],
          additionalProperties: false,
          properties: {
            number: { type: 'string', minLength: 1, maxLength: 40 },
            mailbox: {
              type: 'string',
              minLength: 1,
              maxLength: 64,
              description: 'outgoing mailbox (id or name)',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              allowed: { type: 'boolean' },
              action: { type: 'string', enum: ['dial', 'internal', 'refuse', 'invalid'] },
              number: nullable('string'),
              kind: nullable('string'),
              mailbox: {
                ...nullable('string'),
                description: 'internal: the mailbox the fax is delivered to',
              },
              rule: nullable('string'),
              reason: nullable('string'),
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const mailboxId = await sendingMailbox(db, p, req.body.mailbox);
      await requireCan(services, p, 'out.send', `check a number for mailbox ${mailboxId}`, mailboxId);
      const router = await currentRouter(services);
      const none = { number: null, kind: null, mailbox: null, rule: null, reason: null };
      try {
        const d = router.decideOutgoing(req.body.number, { groups: await userGroups(db, p.user.id) });
        const number = { number: d.number.e164, kind: d.number.kind };
        if (d.action === 'refuse')
          return { ...none, ...number, allowed: false, action: 'refuse', rule: d.rule, reason: d.reason };
        if (d.action === 'internal')
          return {
            ...none,
            ...number,
            allowed: true,
            action: 'internal',
            rule: d.rule,
            mailbox: d.mailbox.name,
          };
        return { ...none, ...number, allowed: true, action: 'dial', rule: d.rule };
      } catch (e) {
        if (e instanceof NumberError)
          return { ...none, allowed: false, action: 'invalid', reason: e.message };
        throw e;
      }
    },
  );
}
