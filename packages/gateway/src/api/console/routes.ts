// The console's API under /api/v1/console: the views and actions of the caller (decided by
// views.ts from the authorisation layer), each view's data endpoint (refused 403 with
// `access.denied` for a view the caller does not get), and the live event stream of fax
// state changes (server-sent events, fed by PostgreSQL NOTIFY — no client polls).
import { canSeeFax, type Fax } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors, ref } from '../schemas.js';
import { adminPilotRoutes } from './admin-pilot.js';
import { consoleAuditorRoutes } from './auditor.js';
import { createFaxEventHub, type FaxEvent } from './fax-events.js';
import { consoleFaxRoutes } from './faxes.js';
import { operationsRoutes } from './operations.js';
import { operationsStreamRoutes } from './operations-stream.js';
import { actionsFor, CONSOLE_VIEWS, type ConsoleView, loadRights, requireView, viewsFor } from './views.js';

const tags = ['console'];

/** What a stream tells of a fax: the list's columns, nothing more (no metadata, no content). */
export function streamedFax(f: Fax) {
  return {
    id: f.id,
    direction: f.direction,
    state: f.state,
    mailboxId: f.mailboxId,
    remoteNumber: f.remoteNumber,
    pagesTotal: f.pagesTotal,
    pagesDone: f.pagesDone,
    updatedAt: f.updatedAt,
  };
}

/** A stream ends after this long; the browser reconnects with the cookie, so a revoked session stops. */
export const STREAM_LIFETIME_MS = 60_000;
const HEARTBEAT_MS = 15_000;
/** Open streams per user (a few tabs) and per process: each holds a connection and costs a check per event. */
export const STREAMS_PER_USER = 8;
export const STREAMS_PER_PROCESS = 500;

export async function consoleRoutes(
  app: FastifyInstance,
  services: ApiServices,
  opts: { streamLifetimeMs?: number } = {},
): Promise<void> {
  const { db } = services;
  const hub = createFaxEventHub({
    db,
    databaseUrl: services.config.database.url,
    logError: (m) => services.logError(m),
  });
  const streams = new Set<() => void>();
  const perUser = new Map<number, number>();
  // Streams never go idle: they are ended before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => {
    await hub.close();
  });
  await consoleFaxRoutes(app, services);
  await consoleAuditorRoutes(app, services);
  await operationsRoutes(app, services);
  await operationsStreamRoutes(app, services, opts);
  await adminPilotRoutes(app, services);

  app.get(
    '/console/views',
    {
      schema: {
        tags,
        summary: "The console views and actions my rights give me (the server's decision)",
        response: {
          200: {
            type: 'object',
            properties: {
              user: ref('User'),
              views: { type: 'array', items: { type: 'string', enum: [...CONSOLE_VIEWS] } },
              actions: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors(401),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const rights = await loadRights(db, p.user.id);
      return { user: p.user, views: viewsFor(rights), actions: actionsFor(rights) };
    },
  );

  app.get<{ Params: { view: ConsoleView } }>(
    '/console/views/:view',
    {
      schema: {
        tags,
        summary: 'Open a view: 200 when my rights give me the view, else 403 (and the refusal is recorded)',
        params: {
          type: 'object',
          required: ['view'],
          properties: { view: { type: 'string', enum: [...CONSOLE_VIEWS] } },
        },
        response: {
          200: {
            type: 'object',
            properties: { view: { type: 'string' } },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const view = req.params.view;
      await requireView(services, p, view);
      return { view };
    },
  );

  app.get(
    '/console/events',
    {
      schema: {
        tags,
        summary:
          'Server-sent events: `fax` (a fax I may see was created or changed state), `resync` (re-read)',
        description: `text/event-stream. Needs the faxes view. The stream ends after ${STREAM_LIFETIME_MS / 1000} s; EventSource reconnects.`,
        response: { 200: { type: 'string' }, ...errors(401, 403, 429, 503) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      await requireView(services, p, 'faxes');
      const mine = perUser.get(p.user.id) ?? 0;
      if (mine >= STREAMS_PER_USER)
        throw new ApiError(429, 'too_many_attempts', `at most ${STREAMS_PER_USER} event streams per user`);
      if (streams.size >= STREAMS_PER_PROCESS)
        throw new ApiError(503, 'unavailable', 'too many event streams on this gateway; try again later');
      const res = reply.raw;
      let open = true;
      let streaming = false;
      let unsubscribe = () => {};
      let heartbeat: NodeJS.Timeout | undefined;
      let lifetime: NodeJS.Timeout | undefined;
      // Counted from here to `end`, whatever happens between (a client gone while LISTEN starts).
      const end = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        unsubscribe();
        streams.delete(end);
        const left = (perUser.get(p.user.id) ?? 1) - 1;
        if (left > 0) perUser.set(p.user.id, left);
        else perUser.delete(p.user.id);
        if (streaming) res.end();
      };
      perUser.set(p.user.id, mine + 1);
      streams.add(end);
      // The response's close: the client went away (or the stream ended).
      res.on('close', end);
      // Events in order per stream, each checked against the caller's rights at that moment.
      let chain = Promise.resolve();
      const send = (event: FaxEvent) => {
        chain = chain.then(async () => {
          if (!open) return;
          if (event.kind === 'resync') {
            res.write('event: resync\ndata: {}\n\n');
            return;
          }
          if (!(await canSeeFax(db, p.user.id, event.fax))) return;
          if (open) res.write(`event: fax\ndata: ${JSON.stringify({ fax: streamedFax(event.fax) })}\n\n`);
        });
        chain = chain.catch((e) => services.logError(`console stream: ${(e as Error).message}`));
      };
      try {
        unsubscribe = await hub.subscribe(send);
      } catch (e) {
        end();
        throw e;
      }
      reply.hijack();
      if (!open) {
        unsubscribe();
        res.end();
        return;
      }
      streaming = true;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      heartbeat = setInterval(() => res.write(': alive\n\n'), HEARTBEAT_MS);
      lifetime = setTimeout(end, opts.streamLifetimeMs ?? STREAM_LIFETIME_MS);
      // retry: how long the browser waits before reconnecting; `ready` once LISTEN is in place.
      res.write('retry: 1000\nevent: ready\ndata: {}\n\n');
    },
  );
}
