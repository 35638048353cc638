// GET /api/v1/console/operations/events: the lines and B channels live, for the operations
// dashboard. Channel state lives in the daemon's process (the channel pool, the line
// supervisor), so the API that process serves pushes it: each change (a call takes or frees
// a channel, a line goes down or up) sends the whole picture as a `lines` event, changes
// within LINES_COALESCE_MS sent once. Fax state changes come on /console/events.
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';
import { linesNow } from './operations.js';
import { requireView } from './views.js';

/** As /console/events: a stream ends after a minute (the browser reconnects with its cookie). */
export const STREAM_LIFETIME_MS = 60_000;
const STREAMS_PER_USER = 8;
const HEARTBEAT_MS = 15_000;
/** A burst of changes (a call's channel taken, then labelled) is one event. */
export const LINES_COALESCE_MS = 100;
const STREAMS_PER_PROCESS = 200;

export async function operationsStreamRoutes(
  app: FastifyInstance,
  services: ApiServices,
  opts: { streamLifetimeMs?: number } = {},
): Promise<void> {
  // One watch on the process's lines while any stream is open, fanned out to the streams.
  const subscribers = new Set<() => void>();
  let unwatch: (() => void) | undefined;
  let pending: NodeJS.Timeout | undefined;
  const changed = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      for (const fn of subscribers) fn();
    }, LINES_COALESCE_MS);
  };
  const subscribe = (fn: () => void) => {
    subscribers.add(fn);
    unwatch ??= services.watchLines?.(changed);
    return () => {
      subscribers.delete(fn);
      if (subscribers.size === 0) {
        unwatch?.();
        unwatch = undefined;
        clearTimeout(pending);
        pending = undefined;
      }
    };
  };
  const ends = new Set<() => void>();
  const perUser = new Map<number, number>();
  app.addHook('preClose', async () => {
    for (const end of [...ends]) end();
  });

  app.get(
    '/console/operations/events',
    {
      schema: {
        tags: ['console'],
        summary:
          'Server-sent events: `lines` (controllers and B channels of this process, on every change) — operations view and line.read',
        description: `text/event-stream. The first event is \`lines\` with the picture now. The stream ends after ${STREAM_LIFETIME_MS / 1000} s; EventSource reconnects.`,
        response: { 200: { type: 'string' }, ...errors(401, 403, 429, 503) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireView(services, p, 'operations');
      await requireCan(services, p, 'line.read', 'follow the line status');
      const mine = perUser.get(p.user.id) ?? 0;
      if (mine >= STREAMS_PER_USER)
        throw new ApiError(429, 'too_many_attempts', `at most ${STREAMS_PER_USER} event streams per user`);
      if (ends.size >= STREAMS_PER_PROCESS)
        throw new ApiError(503, 'unavailable', 'too many event streams on this gateway; try again later');
      const res = reply.raw;
      const send = () => res.write(`event: lines\ndata: ${JSON.stringify(linesNow(services))}\n\n`);
      let open = true;
      const end = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        unsubscribe();
        ends.delete(end);
        const left = (perUser.get(p.user.id) ?? 1) - 1;
        if (left > 0) perUser.set(p.user.id, left);
        else perUser.delete(p.user.id);
        res.end();
      };
      perUser.set(p.user.id, mine + 1);
      ends.add(end);
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      const unsubscribe = subscribe(() => open && send());
      const heartbeat = setInterval(() => res.write(': alive\n\n'), HEARTBEAT_MS);
      const lifetime = setTimeout(end, opts.streamLifetimeMs ?? STREAM_LIFETIME_MS);
      res.on('close', end);
      res.write('retry: 1000\n');
      send();
    },
  );
}
