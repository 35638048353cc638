// The multipart form of a fax submission, read as a stream with hard limits: at most
// `api.uploadMaxFiles` files and `api.uploadMaxMegabytes` in all (413 beyond), known fields
// only, every value checked before anything is rendered.
import type { VerticalResolution } from '@faxgate/fax-core';
import type { FastifyRequest } from 'fastify';
import type { FaxgateConfig } from '../../config/schema.js';
import { COVER_URGENCIES, type CoverRequest, checkCoverRequest } from '../../documents/cover.js';
import type { DocumentFile } from '../../documents/load-pages.js';
import { ApiError } from '../errors.js';

export interface Submission {
  number: string;
  mailbox?: string;
  priority?: number;
  sendAt?: Date;
  killTime?: Date;
  resolution?: Extract<VerticalResolution, 'standard' | 'fine'>;
  subject?: string;
  jobTag?: string;
  /** A cover page was asked for (cover=true or any cover field). */
  cover?: CoverRequest;
  /** Send fax-file pages damaged beyond intake.damage anyway (audited). */
  acceptDamaged: boolean;
  files: DocumentFile[];
}

/** For the OpenAPI document only (the form is parsed by hand, below). */
export const SUBMISSION_DOC = {
  type: 'object',
  required: ['number', 'document'],
  properties: {
    number: {
      type: 'string',
      description: 'destination as dialled or in international form, e.g. +49 30 1234567',
    },
    document: {
      type: 'string',
      format: 'binary',
      description:
        'one or more files, sent in order: PDF, PNG, JPEG, GIF (one frame; an animated GIF is refused), TIFF (fax or image), PBM, SFF or UTF-8 text — the type is read from the content, never the name or Content-Type',
    },
    mailbox: {
      type: 'string',
      description: 'outgoing mailbox (id or name); default: the only one I may send from',
    },
    priority: { type: 'integer', minimum: 0, maximum: 255, description: '0 most urgent; default 127' },
    sendAt: { type: 'string', format: 'date-time' },
    killTime: { type: 'string', format: 'date-time', description: 'give up after this time' },
    resolution: { type: 'string', enum: ['standard', 'fine'] },
    subject: { type: 'string', maxLength: 200 },
    jobTag: { type: 'string', maxLength: 100 },
    cover: {
      type: 'boolean',
      description: 'a cover page in front (sender block from the cover: configuration)',
    },
    coverToName: {
      type: 'string',
      maxLength: 200,
      description: 'cover page: recipient name (implies cover)',
    },
    coverToCompany: { type: 'string', maxLength: 200, description: 'cover page: recipient organisation' },
    coverComment: { type: 'string', maxLength: 4000, description: 'cover page: comment' },
    coverUrgency: { type: 'string', enum: [...COVER_URGENCIES] },
    acceptDamaged: {
      type: 'boolean',
      description:
        'send TIFF/SFF pages with bad rows beyond intake.damage anyway (else 422 damaged_pages); recorded in the audit trail. Anyone who may send from the mailbox (out.send) may use it',
    },
  },
} as const;

const TEXT_FIELDS = new Set([
  'number',
  'mailbox',
  'priority',
  'sendAt',
  'killTime',
  'resolution',
  'subject',
  'jobTag',
  'cover',
  'coverToName',
  'coverToCompany',
  'coverComment',
  'coverUrgency',
  'acceptDamaged',
]);
/** The longest field (a cover comment); shorter limits are checked per field below. */
const MAX_FIELD = 4000;

function bad(message: string): ApiError {
  return new ApiError(400, 'invalid_input', message);
}

function time(field: string, s: string | undefined): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || Number.isNaN(d.getTime()))
    throw bad(`${field}: expected an ISO 8601 time, got ${JSON.stringify(s.slice(0, 40))}`);
  return d;
}

/**
 * Reads the form. `onFile` sees every file as soon as it has arrived (the intake budget): when
 * it throws, reading stops there and the rest of the upload is never parsed.
 */
export async function readSubmission(
  req: FastifyRequest,
  config: FaxgateConfig,
  onFile?: (file: DocumentFile) => void,
): Promise<Submission> {
  if (!req.isMultipart())
    throw new ApiError(415, 'unsupported_media_type', 'submit a fax as multipart/form-data');
  const maxBytes = config.api.uploadMaxMegabytes * 1024 * 1024;
  const fields = new Map<string, string>();
  const files: DocumentFile[] = [];
  let total = 0;
  try {
    for await (const part of req.parts({
      limits: { fileSize: maxBytes, files: config.api.uploadMaxFiles, fields: 20, fieldSize: MAX_FIELD },
    })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        total += data.length;
        if (total > maxBytes)
          throw new ApiError(
            413,
            'payload_too_large',
            `the files exceed ${config.api.uploadMaxMegabytes} MB together`,
          );
        const file = {
          name: part.filename || part.fieldname,
          data: new Uint8Array(data.buffer, data.byteOffset, data.length),
        };
        onFile?.(file);
        files.push(file);
      } else {
        if (!TEXT_FIELDS.has(part.fieldname))
          throw bad(`unknown field ${JSON.stringify(part.fieldname.slice(0, 40))}`);
        if (part.valueTruncated) throw bad(`${part.fieldname}: longer than ${MAX_FIELD} characters`);
        fields.set(part.fieldname, String(part.value));
      }
    }
  } catch (e) {
    // The client hung up in the middle of its upload: its mistake, not an internal error.
    if ((e as { code?: string }).code === 'ECONNRESET' || (e as Error).message === 'aborted')
      throw bad('the upload ended before the form was complete');
    throw e;
  }
  const number = fields.get('number');
  if (!number) throw bad('number: required');
  if (number.length > 40) throw bad('number: at most 40 characters');
  if (files.length === 0) throw bad('document: at least one file is required');
  const priorityText = fields.get('priority');
  let priority: number | undefined;
  if (priorityText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(priorityText) || Number(priorityText) > 255)
      throw bad('priority: expected 0..255');
    priority = Number(priorityText);
  }
  const resolution = fields.get('resolution');
  if (resolution !== undefined && resolution !== 'standard' && resolution !== 'fine')
    throw bad('resolution: expected standard or fine');
  const sendAt = time('sendAt', fields.get('sendAt'));
  const killTime = time('killTime', fields.get('killTime'));
  if (killTime && killTime <= (sendAt ?? new Date())) throw bad('killTime: must be after the send time');
  const subject = fields.get('subject');
  if (subject !== undefined && subject.length > 200) throw bad('subject: at most 200 characters');
  const jobTag = fields.get('jobTag');
  if (jobTag !== undefined && jobTag.length > 100) throw bad('jobTag: at most 100 characters');
  const acceptDamaged = fields.get('acceptDamaged');
  if (acceptDamaged !== undefined && acceptDamaged !== 'true' && acceptDamaged !== 'false')
    throw bad('acceptDamaged: expected true or false');
  return {
    number,
    mailbox: fields.get('mailbox'),
    priority,
    sendAt,
    killTime,
    resolution,
    subject,
    jobTag,
    cover: coverOf(fields),
    acceptDamaged: acceptDamaged === 'true',
    files,
  };
}

function coverOf(fields: Map<string, string>): CoverRequest | undefined {
  const flag = fields.get('cover');
  if (flag !== undefined && flag !== 'true' && flag !== 'false') throw bad('cover: expected true or false');
  const urgency = fields.get('coverUrgency');
  const request: CoverRequest = {
    toName: fields.get('coverToName'),
    toCompany: fields.get('coverToCompany'),
    comment: fields.get('coverComment'),
    urgency: urgency as CoverRequest['urgency'],
  };
  const asked =
    flag === 'true' || (flag === undefined && Object.values(request).some((v) => v !== undefined));
  if (!asked) return undefined;
  const problem = checkCoverRequest(request);
  if (problem) throw bad(`cover${problem[0].toUpperCase()}${problem.slice(1)}`);
  return request;
}
