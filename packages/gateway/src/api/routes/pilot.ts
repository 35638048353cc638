// Pilot phase and release (issue 17 item 4): POST /selftest runs the checks of this node and
// stores the signed report (config.manage), GET /selftest/latest reads it (config.read),
// POST /release ends the pilot (config.manage; four eyes, a passing selftest < 24 h: 409 with
// the reason otherwise). Refusals by role: 403 + access.denied.

import { CheckpointKeyError } from '@faxgate/audit';
import type { BilevelPage } from '@faxgate/fax-core';
import type { FastifyInstance } from 'fastify';
import { ReleaseRefusedError, releaseNode } from '../../pilot/release.js';
import { latestSelftest, runSelftest } from '../../pilot/selftest.js';
import { effectiveMode } from '../../pilot/state.js';
import { submitFax } from '../../pipeline/submit.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';
import { currentRouter } from './faxes.js';

const tags = ['pilot'];
const selftestSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    report: { type: 'object', additionalProperties: true },
    signed: { type: 'string', description: 'the canonical JSON that is signed' },
    signature: { type: 'string', description: 'Ed25519 over signed, base64, by the audit checkpoint key' },
    keyId: { type: 'string' },
  },
} as const;

export async function pilotRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  app.post(
    '/selftest',
    {
      schema: {
        tags,
        summary: "Run this node's selftest and store the signed report (config.manage)",
        response: { 200: selftestSchema, ...errors(401, 403, 409) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.manage', 'run the selftest');
      const { db, queue, settings } = services;
      const send = async (mailboxId: number, number: string, pages: BilevelPage[]) => {
        const router = await currentRouter(services); // the pilot's router: test numbers only
        const r = await submitFax(
          { db, queue, router, settings },
          { actor: p.user.id, mailboxId, number, pages },
        );
        return r.fax.id;
      };
      try {
        return await runSelftest({
          db,
          config: services.config,
          documents: services.documents,
          actor: p.user.name,
          send: queue ? send : undefined,
        });
      } catch (e) {
        // no key, no signed report: say which key, change nothing
        if (e instanceof CheckpointKeyError)
          throw new ApiError(409, 'conflict', `selftest not run: ${e.message}`);
        throw e;
      }
    },
  );

  app.get(
    '/selftest/latest',
    {
      schema: {
        tags,
        summary: "This node's latest selftest report (config.read)",
        response: { 200: selftestSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.read', 'read the selftest report');
      const s = await latestSelftest(services.db, services.config.node.name);
      if (!s) throw new ApiError(404, 'not_found', `no selftest of node ${services.config.node.name} yet`);
      return s;
    },
  );

  app.post<{ Body: { note?: string } | undefined }>(
    '/release',
    {
      schema: {
        tags,
        summary:
          'End the pilot of this node (config.manage): needs a passing selftest younger than pilot.selftestMaxAgeHours and an admin other than the one who last changed the configuration',
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { note: { type: 'string', maxLength: 2000 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              node: { type: 'string' },
              releasedBy: { type: 'string' },
              releasedAt: { type: 'string', format: 'date-time' },
              selftestId: { type: 'integer' },
              configVersion: { type: ['integer', 'null'] },
              lastChangedBy: { type: 'string' },
              note: { type: 'string' },
              mode: { type: 'string' },
            },
          },
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'config.manage', 'release the gateway from the pilot');
      try {
        const r = await releaseNode({
          db: services.db,
          config: services.config,
          actor: p.user.name,
          note: req.body?.note,
        });
        return { ...r, mode: (await effectiveMode(services.db, services.config)).mode };
      } catch (e) {
        if (e instanceof ReleaseRefusedError)
          throw new ApiError(409, 'conflict', e.message, { reason: e.reason });
        throw e;
      }
    },
  );
}
