// The operator's view of the send queue: faxstat's columns as JSON, and the count per state.
import type { FastifyInstance } from 'fastify';
import { STOPPABLE_STATES } from '../../pipeline/transitions.js';
import { stateLetter } from '../../state-letters.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { listVisible } from '../fax-access.js';
import { errors, ref } from '../schemas.js';

const tags = ['operations'];

export async function queueRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get<{ Querystring: { limit: number } }>(
    '/queue',
    {
      schema: {
        tags,
        summary:
          'The send queue: every outgoing fax not finished yet, with faxstat columns (queue.read sees all)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
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
                    jid: { type: 'integer' },
                    pri: { type: 'integer' },
                    s: { type: 'string', description: 'HylaFAX state letter' },
                    owner: { type: ['string', 'null'] },
                    number: { type: ['string', 'null'] },
                    pages: { type: 'string', description: 'done:total' },
                    dials: { type: 'string', description: 'dials:max' },
                    tts: { type: ['string', 'null'], format: 'date-time' },
                    status: { type: 'string' },
                    fax: ref('Fax'),
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
      const items = await listVisible(db, p, {
        direction: 'out',
        states: [...STOPPABLE_STATES, 'running'],
        limit: req.query.limit,
      });
      const owners = new Map<number, string>();
      const ids = [...new Set(items.map((f) => f.ownerUserId).filter((x): x is number => x !== null))];
      if (ids.length > 0)
        for (const u of await db('users').whereIn('id', ids).select('id', 'name'))
          owners.set(Number(u.id), u.name);
      return {
        items: items.reverse().map((f) => ({
          jid: f.id,
          pri: f.priority,
          s: stateLetter(f.state),
          owner: f.ownerUserId === null ? null : (owners.get(f.ownerUserId) ?? null),
          number: f.remoteNumber,
          pages: `${f.pagesDone}:${f.pagesTotal}`,
          dials: `${f.dials}:${f.maxDials ?? 0}`,
          tts: f.notBefore,
          status: (f.causeText ?? f.cause ?? '').replace(/\s+/g, ' ').trim(),
          fax: f,
        })),
      };
    },
  );

  // The counts an operator's dashboard shows first.
  app.get(
    '/queue/summary',
    {
      schema: {
        tags,
        summary: 'Number of outgoing faxes per state (queue.read)',
        response: { 200: { type: 'object', additionalProperties: { type: 'integer' } }, ...errors(401, 403) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'queue.read', 'read the queue summary');
      const { rows } = await db.raw(
        `SELECT state, count(*) AS n FROM faxes WHERE direction = 'out' GROUP BY state`,
      );
      return Object.fromEntries(
        (rows as Array<{ state: string; n: string }>).map((r) => [r.state, Number(r.n)]),
      );
    },
  );
}
