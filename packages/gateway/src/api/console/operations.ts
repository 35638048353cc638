// GET /api/v1/console/operations: everything the operations dashboard shows in one answer —
// the queue by state and its faxes (with what the caller may do to each), the last 24 h
// (finished, failures by cause, per hour), and, with line.read, every controller and B
// channel of this process, the health checks and the disk guard. Needs the operations view
// (403 and access.denied otherwise); the live part is operations-stream.ts.
import { can } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { latestResults } from '../../checks/runner.js';
import { type ApiServices, principalOf } from '../context.js';
import { listVisible } from '../fax-access.js';
import { errors } from '../schemas.js';
import {
  failuresByCause,
  faxesPerHour,
  finishedLastDay,
  QUEUE_STATES,
  queueByState,
} from './operations-data.js';
import { requireView } from './views.js';

const tags = ['console'];
/** The queue's faxes the dashboard lists (oldest first); the counts cover all of them. */
export const QUEUE_LIST_LIMIT = 200;
/** The latest failed outgoing faxes listed for a requeue. */
export const FAILED_LIST_LIMIT = 20;

const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties }) as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nstr = { type: ['string', 'null'] } as const;

const answer = obj({
  now: time,
  queue: {
    type: 'array',
    items: obj({ state: str, count: int, oldestAt: time }),
    description: 'outgoing faxes per state not finished yet, with the oldest submission',
  },
  faxes: {
    type: 'array',
    description: `the queue's faxes the caller may see, oldest first (at most ${QUEUE_LIST_LIMIT})`,
    items: obj({
      id: int,
      state: str,
      remoteNumber: nstr,
      priority: int,
      pagesTotal: int,
      pagesDone: int,
      dials: int,
      cause: nstr,
      causeText: nstr,
      createdAt: time,
      notBefore: { type: ['string', 'null'], format: 'date-time' },
    }),
  },
  failed: {
    type: 'array',
    description: `the latest failed outgoing faxes the caller may see (at most ${FAILED_LIST_LIMIT})`,
    items: obj({
      id: int,
      remoteNumber: nstr,
      cause: nstr,
      causeText: nstr,
      completedAt: { type: ['string', 'null'], format: 'date-time' },
    }),
  },
  finished: {
    type: 'object',
    additionalProperties: int,
    description: '`direction.state` → count, last 24 h',
  },
  failures: {
    type: 'array',
    items: obj({ direction: str, cause: str, count: int, example: nstr, lastAt: time }),
  },
  perHour: { type: 'array', items: obj({ hour: time, sent: int, failed: int, received: int }) },
  lines: {
    type: ['object', 'null'],
    additionalProperties: true,
    description:
      'as GET /lines (line.read), null without it; `lines` absent when no lines run in this process',
  },
  health: {
    type: ['object', 'null'],
    description: 'latest health checks and the disk guard (line.read), null without it',
    properties: {
      checks: { type: 'array', items: obj({ name: str, ok: { type: 'boolean' }, detail: str, at: time }) },
      disk: { type: ['object', 'null'], additionalProperties: true },
    },
  },
});

export async function operationsRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  app.get(
    '/console/operations',
    {
      schema: {
        tags,
        summary:
          'The operations dashboard: queue by state, its faxes, failures by cause and faxes per hour (24 h), lines and channels, health (operations view)',
        response: { 200: answer, ...errors(401, 403) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireView(services, p, 'operations');
      const now = new Date();
      const seesLines = await can(db, { id: p.user.id }, 'line.read');
      const [queue, list, failed, finished, failures, perHour] = await Promise.all([
        queueByState(db),
        listVisible(db, p, { direction: 'out', states: QUEUE_STATES, limit: QUEUE_LIST_LIMIT }),
        listVisible(db, p, { direction: 'out', states: ['failed'], limit: FAILED_LIST_LIMIT }),
        finishedLastDay(db, now),
        failuresByCause(db, now),
        faxesPerHour(db, now),
      ]);
      return {
        now: now.toISOString(),
        queue,
        faxes: list.reverse().map((f) => ({
          id: f.id,
          state: f.state,
          remoteNumber: f.remoteNumber,
          priority: f.priority,
          pagesTotal: f.pagesTotal,
          pagesDone: f.pagesDone,
          dials: f.dials,
          cause: f.cause,
          causeText: f.causeText,
          createdAt: f.createdAt.toISOString(),
          notBefore: f.notBefore?.toISOString() ?? null,
        })),
        failed: failed.map((f) => ({
          id: f.id,
          remoteNumber: f.remoteNumber,
          cause: f.cause,
          causeText: f.causeText,
          completedAt: f.completedAt?.toISOString() ?? null,
        })),
        finished,
        failures,
        perHour,
        lines: seesLines ? linesNow(services) : null,
        health: seesLines
          ? {
              checks: await latestResults(db),
              disk: services.disk
                ? { ...services.disk.state(), refusing: services.disk.refusal() ?? null }
                : null,
            }
          : null,
      };
    },
  );
}

/** The lines as GET /lines shows them (this process's controllers and B channels). */
export function linesNow(services: ApiServices) {
  const c = services.config;
  return {
    transport: c.lines.transport,
    controllers: c.lines.controllers,
    ...(services.lines ? services.lines() : {}),
  };
}
