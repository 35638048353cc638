// GET /api/v1/console/auditor/integrity: the chain and checkpoint status for the auditor's
// desk. Verifying the whole chain reads every event (minutes on a big trail), so a page does
// not start one: it shows the last recorded verify (the daemon's scheduled one or
// `faxgate audit verify`, both audit.verify events), the chain head, and the signed
// checkpoints checked now against the head (one query and a signature each — bounded).
// audit.read (refusal: 403 + access.denied); the read is an audit.read event.
import fs from 'node:fs';
import {
  appendAuditEvent,
  countUnsealed,
  FAILED_CHECKPOINT,
  readCheckpoints,
  verifyAgainstCheckpoints,
} from '@faxgate/audit';
import type { Db } from '@faxgate/store';
import type { FastifyInstance } from 'fastify';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { errors } from '../schemas.js';

/** Failed checkpoints listed at most (the count says how many there are). */
const FAILED_SHOWN = 20;

export interface CheckpointStatus {
  dir: string;
  exists: boolean;
  count: number;
  matched: number;
  ok: boolean;
  latestSeq: number | null;
  latestAt: string | null;
  failedCount: number;
  failed: Array<{ source: string; seq: number | null; status: string; message: string }>;
  error: string | null;
}

async function checkpointStatus(db: Db, dir: string): Promise<CheckpointStatus> {
  const none = { count: 0, matched: 0, latestSeq: null, latestAt: null, failedCount: 0, failed: [] };
  if (!fs.existsSync(dir)) return { dir, exists: false, ok: false, error: null, ...none };
  try {
    const set = readCheckpoints(dir);
    const r = await verifyAgainstCheckpoints(db, set.checkpoints, set.publicKeys);
    const failed = r.checks.filter((c) => FAILED_CHECKPOINT.has(c.status));
    let latest: { seq: number; time: string } | null = null;
    for (const l of set.checkpoints)
      if (l.checkpoint && (!latest || l.checkpoint.seq > latest.seq)) latest = l.checkpoint;
    return {
      dir,
      exists: true,
      count: r.checks.length,
      matched: r.matched,
      ok: r.ok,
      latestSeq: latest?.seq ?? null,
      latestAt: latest?.time ?? null,
      failedCount: failed.length,
      failed: failed.slice(0, FAILED_SHOWN).map((c) => ({
        source: c.source,
        seq: c.seq,
        status: c.status,
        message: c.message,
      })),
      error: null,
    };
  } catch (e) {
    return { dir, exists: true, ok: false, error: (e as Error).message, ...none };
  }
}

const nullableInt = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export async function consoleAuditorRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;
  app.get(
    '/console/auditor/integrity',
    {
      schema: {
        tags: ['console', 'audit'],
        summary:
          'The audit chain and checkpoint status: the last recorded verify, the chain head, the checkpoints checked now (audit.read; the read is an audit event)',
        description:
          'Does not verify the whole chain (that reads every event): the daemon does on schedule (review.verifyIntervalMinutes) and `faxgate audit verify` does on demand; both record audit.verify, the newest of which is `lastVerify`. `stale`: none recorded or older than twice the interval.',
        response: {
          200: {
            type: 'object',
            properties: {
              head: {
                type: 'object',
                properties: {
                  seq: { type: 'integer' },
                  hash: { type: 'string' },
                  unsealed: { type: 'integer' },
                },
              },
              verifyIntervalMinutes: { type: 'integer' },
              stale: { type: 'boolean' },
              lastVerify: {
                type: ['object', 'null'],
                properties: {
                  time: { type: 'string', format: 'date-time' },
                  actor: { type: 'string' },
                  ok: { type: 'boolean' },
                  checked: nullableInt,
                  scheduled: { type: 'boolean' },
                  firstBad: {
                    type: ['object', 'null'],
                    properties: {
                      seq: { type: 'integer' },
                      kind: { type: 'string' },
                      message: { type: 'string' },
                    },
                  },
                  checkpointsGiven: nullableInt,
                  checkpointsMatched: nullableInt,
                },
              },
              checkpoints: {
                type: 'object',
                properties: {
                  dir: { type: 'string' },
                  exists: { type: 'boolean' },
                  count: { type: 'integer' },
                  matched: { type: 'integer' },
                  ok: { type: 'boolean' },
                  latestSeq: nullableInt,
                  latestAt: nullableString,
                  failedCount: { type: 'integer' },
                  failed: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        source: { type: 'string' },
                        seq: nullableInt,
                        status: { type: 'string' },
                        message: { type: 'string' },
                      },
                    },
                  },
                  error: nullableString,
                },
              },
            },
          },
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await requireCan(services, p, 'audit.read', 'read the audit chain status');
      const { rows } = await db.raw('SELECT seq, hash FROM audit_head WHERE id = 1');
      const head = {
        seq: rows[0] ? Number(rows[0].seq) : 0,
        hash: (rows[0]?.hash as string | undefined) ?? '',
        unsealed: await countUnsealed(db),
      };
      const last = await db('audit_events')
        .where({ type: 'audit.verify' })
        .orderBy('id', 'desc')
        .first('time', 'actor', 'details');
      const d = (last?.details ?? {}) as {
        ok?: boolean;
        checked?: number;
        scheduled?: boolean;
        firstBad?: { seq: number; kind: string; message: string } | null;
        checkpoints?: { given?: number; matched?: number };
      };
      const lastVerify = last
        ? {
            time: last.time as Date,
            actor: last.actor as string,
            ok: d.ok === true,
            checked: d.checked ?? null,
            scheduled: d.scheduled === true,
            firstBad: d.firstBad ?? null,
            checkpointsGiven: d.checkpoints?.given ?? null,
            checkpointsMatched: d.checkpoints?.matched ?? null,
          }
        : null;
      const verifyIntervalMinutes = services.config.review.verifyIntervalMinutes;
      const stale =
        !lastVerify || Date.now() - lastVerify.time.getTime() > 2 * verifyIntervalMinutes * 60_000;
      const checkpoints = await checkpointStatus(db, services.config.audit.checkpointDir);
      await db.transaction((trx) =>
        appendAuditEvent(trx, {
          type: 'audit.read',
          actor: p.user.name,
          actorId: p.user.id,
          subject: 'audit-integrity',
          details: { headSeq: head.seq, checkpoints: checkpoints.count, via: 'api' },
        }),
      );
      return { head, verifyIntervalMinutes, stale, lastVerify, checkpoints };
    },
  );
}
