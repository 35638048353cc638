// One error format for every route: { "error": { "code", "message", "details"? } } with a
// machine-readable code. Store and pipeline errors map to HTTP statuses here, once.
import { NumberError } from '@faxgate/router';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  StateConflictError,
} from '@faxgate/store';
import type { FastifyError, FastifyInstance } from 'fastify';
import { BudgetExceededError, DocumentInputError, isFaxContentError } from '../documents/errors.js';
import { DestinationRefusedError } from '../pipeline/errors.js';

export type ApiErrorCode =
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'too_many_attempts'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'invalid_input'
  | 'unsupported_document'
  | 'conflict'
  | 'state_conflict'
  | 'destination_refused'
  | 'damaged_pages'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'internal';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'machine-readable, e.g. forbidden, state_conflict' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** A PostgreSQL error of SQLSTATE class 22 (data exception), as the pg driver reports it. */
function isDataException(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  const severity = (e as { severity?: unknown } | null)?.severity;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && typeof severity === 'string';
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof DestinationRefusedError) {
    return new ApiError(422, 'destination_refused', e.message, { rule: e.rule });
  }
  if (e instanceof NumberError) return new ApiError(400, 'invalid_input', e.message);
  if (e instanceof ForbiddenError) return new ApiError(403, 'forbidden', e.message);
  if (e instanceof NotFoundError) return new ApiError(404, 'not_found', e.message);
  if (e instanceof StateConflictError) return new ApiError(409, 'state_conflict', e.message);
  if (e instanceof ConflictError) return new ApiError(409, 'conflict', e.message);
  if (e instanceof InvalidInputError) return new ApiError(400, 'invalid_input', e.message);
  // Bad documents (the loader's and fax-core's complaints): the client's input, not our fault.
  // Over the submission's budget is 400, as intake/admit.ts answers it.
  if (e instanceof BudgetExceededError) return new ApiError(400, 'invalid_input', e.message);
  if (e instanceof DocumentInputError || isFaxContentError(e)) {
    return new ApiError(422, 'unsupported_document', e.message);
  }
  // The last net under the input bounds (input-bounds.ts, store/names.ts): a PostgreSQL
  // data exception (class 22: out of range, NUL in text, malformed number, …) is the
  // client's value, not our fault — 400, without echoing the value or the driver's text.
  if (isDataException(e)) {
    return new ApiError(400, 'invalid_input', 'a value is out of range or malformed for the database');
  }
  const fe = e as Partial<FastifyError>;
  if (fe.statusCode === 413 || fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_FILES_LIMIT') {
    return new ApiError(413, 'payload_too_large', fe.message ?? 'request too large');
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return new ApiError(415, 'unsupported_media_type', fe.message ?? 'unsupported content type');
  }
  if (fe.validation || (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)) {
    return new ApiError(fe.statusCode ?? 400, 'invalid_input', fe.message ?? 'bad request');
  }
  return new ApiError(500, 'internal', 'internal error (logged)');
}

/** Installs the error and not-found handlers. `log` gets the cause of every 500. */
export function installErrorHandling(app: FastifyInstance, log: (e: unknown, url: string) => void): void {
  app.setErrorHandler(async (error, req, reply) => {
    const api = toApiError(error);
    if (api.status >= 500) log(error, req.url);
    const body: { code: string; message: string; details?: Record<string, unknown> } = {
      code: api.code,
      message: api.message,
    };
    if (api.details) body.details = api.details;
    if (api.status === 401) reply.header('www-authenticate', 'Bearer realm="faxgate"');
    return reply.code(api.status).send({ error: body });
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );
}
