// GET /api/v1/log: the send/receive log (a superset of HylaFAX xferfaxlog) as xferfaxlog
// lines, CSV or JSON lines, streamed — what `faxgate log export` prints. Needs log.read
// (refusal: 403 + access.denied); the read itself is recorded as `log.read`.
import { exportXferLog, XFER_EXPORT_FORMATS, type XferExportFormat } from '@faxgate/audit';
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { pseudonymiserOf } from '../pseudonyms.js';
import { errors } from '../schemas.js';
import { rangeOf, rangeQuery, streamExport } from './export-stream.js';

const FORMATS = XFER_EXPORT_FORMATS;
type Format = XferExportFormat;
const CONTENT_TYPES: Record<Format, string> = {
  xferfaxlog: 'text/plain; charset=utf-8',
  'xferfaxlog-19': 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

export async function logExportRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.get<{ Querystring: { from?: string; to?: string; fax?: number; format: Format; timeZone: string } }>(
    '/log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Export the send/receive log (log.read; the read is an audit event)',
        description:
          "Records with from <= time < to. xferfaxlog is the HylaFAX+ tab format (20 columns, its date column in timeZone); xferfaxlog-19 is HylaFAX 6.0's 19 columns (no jobinfo), the layout Debian's hylafax-server tools (xferfaxstats, recvstats) read. params is HylaFAX's packed session word. Remote numbers (dialled number, caller number and name, station id) are keyed-hash pseudonyms for callers whose roles are all in privacy.pseudonymiseNumbersFor. Streamed.",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...rangeQuery,
            fax: { type: 'integer', minimum: 1, description: 'only the rows of this fax (its id)' },
            format: { type: 'string', enum: [...FORMATS], default: 'xferfaxlog' },
            timeZone: { type: 'string', maxLength: 64, default: 'UTC', description: 'IANA time zone' },
          },
        },
        response: {
          200: { description: 'xferfaxlog lines (20 or 19 columns), CSV or JSON lines', type: 'string' },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { from, to } = rangeOf(req.query);
      const { format, timeZone } = req.query;
      try {
        new Intl.DateTimeFormat('en', { timeZone });
      } catch {
        throw new ApiError(400, 'invalid_input', `timeZone: unknown time zone ${JSON.stringify(timeZone)}`);
      }
      await requireCan(services, p, 'log.read', 'read the send/receive log');
      // remote numbers as pseudonyms for the roles in privacy.pseudonymiseNumbersFor
      const ps = pseudonymiserOf(services, p);
      const pseudonymise = ps ? (v: string) => ps(v) ?? v : undefined;
      return streamExport(reply, CONTENT_TYPES[format], services.logError, (out) =>
        exportXferLog(services.db, { format, from, to, faxId: req.query.fax, timeZone, pseudonymise }, out, {
          actor: { id: p.user.id },
          actorName: p.user.name,
        }),
      );
    },
  );
}
