// The pages of a fax: PNG to look at, PDF to print or archive, TIFF (MMR, Class F) for fax
// tools. Content needs more than metadata (fax-access.ts `canReadContent`) and every read
// is recorded (fax.read) — M 2.179: who read which fax. The stored pages are the spool: a
// fax in no mailbox (no mailbox right can cover it) is readable only with `spool.access`.
// Content answers are never cached (no-store), never sniffed (nosniff), and are named
// from the fax id only; TIFF, which no browser shows, is always an attachment.
import { appendAuditEvent } from '@faxgate/audit';
import { type BilevelPage, readTiff, writeFaxPdf, writePng, writeTiff } from '@faxgate/fax-core';
import { type Fax, faxPages } from '@faxgate/store';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { deny, requireCan } from '../authorize.js';
import { type ApiServices, type Principal, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { canReadContent } from '../fax-access.js';
import { errors, idParams, listOf } from '../schemas.js';
import { visibleFax } from './faxes.js';

const tags = ['faxes'];
const binary = (type: string) => ({
  description: type,
  content: { [type]: { schema: { type: 'string', format: 'binary' } } },
});

function decodeStored(tiff: Uint8Array): BilevelPage {
  return readTiff(tiff).pages[0].page;
}

const EXTENSIONS = { 'image/png': 'png', 'image/tiff': 'tif', 'application/pdf': 'pdf' } as const;

/** Sends fax content with the headers every content answer carries. `name` is built from ids only. */
function sendContent(
  reply: FastifyReply,
  type: keyof typeof EXTENSIONS,
  name: string,
  bytes: Uint8Array,
): FastifyReply {
  const disposition = type === 'image/tiff' ? 'attachment' : 'inline';
  return reply
    .type(type)
    .header('content-disposition', `${disposition}; filename="${name}.${EXTENSIONS[type]}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store, private')
    .send(Buffer.from(bytes));
}

export async function faxContentRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  /** The fax, when `p` may read its pages; the read is recorded in the same breath. */
  async function readable(p: Principal, id: number, what: string): Promise<Fax> {
    const fax = await visibleFax(services, p, id);
    if (fax.mailboxId === null) {
      await requireCan(services, p, 'spool.access', `read fax ${fax.id} (in no mailbox)`);
    } else if (!(await canReadContent(db, p, fax))) {
      await deny(services, p, `read fax ${fax.id}`, {
        permission: fax.direction === 'in' ? 'in.read' : 'out.send',
      });
    }
    if (fax.state === 'deleted')
      throw new ApiError(410, 'gone', `fax ${fax.id} was deleted; only its record remains`);
    await db.transaction((trx) =>
      appendAuditEvent(trx, {
        type: 'fax.read',
        actor: p.user.name,
        subject: `fax:${fax.id}`,
        details: { faxId: fax.id, what, via: 'api' },
      }),
    );
    return fax;
  }

  app.get<{ Params: { id: number } }>(
    '/faxes/:id/pages',
    {
      schema: {
        tags,
        summary: 'The pages of a fax (size, resolution, SHA-256)',
        params: idParams,
        response: { 200: listOf('PageInfo'), ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const fax = await visibleFax(services, principalOf(req), req.params.id);
      return faxPages.list(db, fax.id);
    },
  );

  app.get<{ Params: { id: number; page: number }; Querystring: { format: 'png' | 'tiff' } }>(
    '/faxes/:id/pages/:page',
    {
      schema: {
        tags,
        summary: 'One page as PNG (default) or as its stored MMR TIFF',
        params: {
          type: 'object',
          required: ['id', 'page'],
          properties: { id: idParams.properties.id, page: { type: 'integer', minimum: 1, maximum: 10000 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['png', 'tiff'], default: 'png' } },
        },
        response: { 200: binary('image/png'), ...errors(401, 403, 404, 410) },
      },
    },
    async (req, reply) => {
      const fax = await readable(
        principalOf(req),
        req.params.id,
        `page ${req.params.page} ${req.query.format}`,
      );
      const page = await faxPages.get(db, fax.id, req.params.page);
      const name = `fax-${fax.id}-page-${page.pageNo}`;
      if (req.query.format === 'tiff') return sendContent(reply, 'image/tiff', name, page.tiff);
      return sendContent(reply, 'image/png', name, writePng(decodeStored(page.tiff)));
    },
  );

  app.get<{ Params: { id: number }; Querystring: { format: 'pdf' | 'tiff' } }>(
    '/faxes/:id/document',
    {
      schema: {
        tags,
        summary: 'All pages as one PDF (default) or one multi-page TIFF Class F (MMR)',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['pdf', 'tiff'], default: 'pdf' } },
        },
        response: { 200: binary('application/pdf'), ...errors(401, 403, 404, 410) },
      },
    },
    async (req, reply) => {
      const fax = await readable(principalOf(req), req.params.id, `document ${req.query.format}`);
      const infos = await faxPages.list(db, fax.id);
      if (infos.length === 0) throw new ApiError(404, 'not_found', `fax ${fax.id} has no pages`);
      const pages: BilevelPage[] = [];
      for (const info of infos) pages.push(decodeStored((await faxPages.get(db, fax.id, info.pageNo)).tiff));
      const name = `fax-${fax.id}`;
      if (req.query.format === 'tiff') {
        const tiff = writeTiff(
          pages.map((page) => ({ page })),
          { coding: 'mmr' },
        );
        return sendContent(reply, 'image/tiff', name, tiff);
      }
      const pdf = writeFaxPdf(pages, {
        title: `Fax ${fax.id}${fax.subject ? ` - ${fax.subject}` : ''}`,
        createdAt: fax.createdAt,
      });
      return sendContent(reply, 'application/pdf', name, pdf);
    },
  );
}
