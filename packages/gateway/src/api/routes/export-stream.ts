// Shared by the export routes (audit events, send/receive log): the time range of the query
// and streaming an export function's output as the answer, with backpressure. The rights
// check happens before the first byte; a failure midway cuts the stream (the client sees
// an incomplete answer) and the export itself records the error in its audit event.
import { PassThrough, type Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../errors.js';

export const rangeQuery = {
  from: {
    type: 'string',
    format: 'date-time',
    description: 'first instant included (ISO 8601 date-time)',
  },
  to: { type: 'string', format: 'date-time', description: 'first instant excluded' },
} as const;

export function rangeOf(q: { from?: string; to?: string }): { from?: Date; to?: Date } {
  const from = q.from === undefined ? undefined : new Date(q.from);
  const to = q.to === undefined ? undefined : new Date(q.to);
  if (from && to && from >= to) throw new ApiError(400, 'invalid_input', 'from must be before to');
  return { from, to };
}

export function streamExport(
  reply: FastifyReply,
  contentType: string,
  logError: (message: string) => void,
  run: (out: Writable) => Promise<unknown>,
): FastifyReply {
  const out = new PassThrough();
  run(out).then(
    () => out.end(),
    (e) => {
      logError(`export failed midway: ${e instanceof Error ? e.message : String(e)}`);
      out.destroy(e instanceof Error ? e : new Error(String(e)));
    },
  );
  return reply
    .header('content-type', contentType)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(out);
}
