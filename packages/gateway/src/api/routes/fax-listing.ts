// GET /api/v1/listing/faxes: the faxes the caller may see, oldest first, each with its
// owner's and mailbox's names — what `faxgate status` (faxstat) and `faxgate inbox` print.
// Visibility is fax-access.ts's, as for GET /faxes (narrowed with `right` to the mailboxes
// where the caller holds that right, e.g. in.read for an inbox); names are resolved here so
// a client needs no user.manage to show the owner column.
import { can, FAX_STATES, type Fax, MAILBOX_RIGHTS, type MailboxRight, mailboxes } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { listVisible } from '../fax-access.js';
import { errors, ref, stateFilter } from '../schemas.js';
import { rangeOf, rangeQuery } from './export-stream.js';

const PAGE = 500;

interface Query {
  direction: 'in' | 'out';
  state?: string;
  mailbox?: string;
  right?: MailboxRight;
  number?: string;
  from?: string;
  to?: string;
  limit: number;
}

export async function faxListingRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  app.get<{ Querystring: Query }>(
    '/listing/faxes',
    {
      schema: {
        tags: ['faxes'],
        summary: 'The faxes I may see, oldest first, with owner and mailbox names (faxstat, inbox)',
        querystring: {
          type: 'object',
          required: ['direction'],
          additionalProperties: false,
          properties: {
            direction: { type: 'string', enum: ['in', 'out'] },
            state: stateFilter,
            mailbox: { type: 'string', minLength: 1, maxLength: 64, description: 'mailbox name or id' },
            right: {
              type: 'string',
              enum: [...MAILBOX_RIGHTS],
              description: 'only faxes of mailboxes where I hold this right (in.read: my inbox)',
            },
            number: {
              type: 'string',
              minLength: 1,
              maxLength: 40,
              pattern: '^[0-9 +()/.-]+$',
              description: 'only faxes whose remote number contains these digits (separators ignored)',
            },
            ...rangeQuery,
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: 1000,
              default: 1000,
              description: 'the newest this many',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    fax: ref('Fax'),
                    owner: { type: ['string', 'null'] },
                    mailbox: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query;
      const states = q.state?.split(',');
      const unknown = states?.find((s) => !(FAX_STATES as readonly string[]).includes(s));
      if (unknown)
        throw new ApiError(400, 'invalid_input', `state: unknown state ${JSON.stringify(unknown)}`);
      const numberDigits = q.number?.replace(/[^0-9]/g, '');
      if (q.number !== undefined && !numberDigits)
        throw new ApiError(400, 'invalid_input', 'number: give at least one digit');
      // from/to: when the fax was created (submitted or received)
      const { from, to } = rangeOf(q);
      let mailboxId: number | undefined;
      if (q.mailbox !== undefined) {
        const ref = /^[0-9]{1,15}$/.test(q.mailbox) ? Number(q.mailbox) : q.mailbox;
        const m = await mailboxes.find(db, ref);
        const kind = q.direction === 'in' ? 'incoming' : 'outgoing';
        if (m?.kind !== kind)
          throw new ApiError(404, 'not_found', `no ${kind} mailbox ${JSON.stringify(q.mailbox)}`);
        mailboxId = m.id;
      }
      // One rights check per mailbox, however many faxes it holds.
      const held = new Map<number, Promise<boolean>>();
      const holds = (f: Fax) => {
        const right = q.right;
        if (right === undefined) return Promise.resolve(true);
        if (f.mailboxId === null) return Promise.resolve(false);
        let ok = held.get(f.mailboxId);
        if (!ok) {
          ok = can(db, { id: p.user.id }, right, f.mailboxId);
          held.set(f.mailboxId, ok);
        }
        return ok;
      };
      const list: Fax[] = [];
      let before: number | undefined;
      while (list.length < q.limit) {
        const page = await listVisible(db, p, {
          direction: q.direction,
          states,
          mailbox: mailboxId,
          limit: PAGE,
          before,
          numberDigits,
          from,
          to,
        });
        for (const f of page) if (list.length < q.limit && (await holds(f))) list.push(f);
        if (page.length < PAGE) break;
        before = page[page.length - 1].id;
      }
      list.reverse();
      const ownerIds = [...new Set(list.map((f) => f.ownerUserId).filter((x): x is number => x !== null))];
      const owners = new Map<number, string>();
      if (ownerIds.length > 0)
        for (const u of await db('users').whereIn('id', ownerIds).select('id', 'name'))
          owners.set(Number(u.id), u.name);
      const boxes = new Map((await mailboxes.list(db)).map((m) => [m.id, m.name]));
      return {
        items: list.map((f) => ({
          fax: f,
          // An owner recorded at submission (e.g. a HylaFAX client name) outranks the account.
          owner:
            typeof f.metadata?.owner === 'string'
              ? f.metadata.owner
              : f.ownerUserId === null
                ? null
                : (owners.get(f.ownerUserId) ?? null),
          mailbox: f.mailboxId === null ? null : (boxes.get(f.mailboxId) ?? null),
        })),
      };
    },
  );
}
