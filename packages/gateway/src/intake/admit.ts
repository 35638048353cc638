// The API side of the submission cap: a place at the gate, or a 503 with Retry-After that
// closes the connection, so the refused upload is neither read nor drained.
import type { FastifyReply } from 'fastify';
import { ApiError } from '../api/errors.js';
import { BudgetExceededError, RenderUnavailableError } from '../documents/errors.js';
import {
  beyondPolicy,
  DamagedPagesError,
  type DamagePolicy,
  damageAuditDetail,
  type PageDamage,
} from './damage.js';
import { RETRY_AFTER_SECONDS, type SubmissionGate } from './submission-gate.js';

/**
 * Takes a place for this submission (give it back with the returned function), or answers 503
 * itself and returns undefined: a busy gateway is not an internal error to log.
 */
export function admitSubmission(gate: SubmissionGate, reply: FastifyReply): (() => void) | undefined {
  const leave = gate.tryEnter();
  if (leave) return leave;
  void reply
    .code(503)
    .header('retry-after', String(RETRY_AFTER_SECONDS))
    .header('connection', 'close')
    .send({
      error: {
        code: 'unavailable',
        message: `${gate.max} fax submissions are being processed; try again in ${RETRY_AFTER_SECONDS} s`,
      },
    });
  return undefined;
}

/**
 * Loader errors as the API answers them: over budget 400 (closing the connection, so an
 * upload cut short is not drained), no render sandbox 503.
 */
export function intakeApiError(e: unknown, reply: FastifyReply): unknown {
  if (e instanceof BudgetExceededError) {
    reply.header('connection', 'close');
    return new ApiError(400, 'invalid_input', e.message);
  }
  if (e instanceof RenderUnavailableError) return new ApiError(503, 'unavailable', e.message);
  return e;
}

/**
 * The damage check of a submission's fax-file pages: beyond the policy and not accepted, 422
 * damaged_pages naming page and rows; accepted, the audit detail for the submit event (the fax's
 * metadata and its fax.submitted event name the pages and counts); else nothing.
 */
export function damageCheck(
  policy: DamagePolicy,
  damaged: readonly PageDamage[],
  accept: boolean,
): Record<string, unknown> | undefined {
  const beyond = beyondPolicy(policy, damaged);
  if (beyond.length === 0) return undefined;
  if (accept) return { acceptedDamaged: true, ...damageAuditDetail(beyond) };
  const e = new DamagedPagesError(
    beyond,
    'send with acceptDamaged=true (faxgate send --accept-damaged) to send it anyway',
  );
  throw new ApiError(422, e.code, e.message, damageAuditDetail(beyond));
}
