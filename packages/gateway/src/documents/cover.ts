// The cover page of an outgoing fax (BSI NET.4.3.A7: sender organisation and contact, date,
// page count, urgency, recipient): who asked for it and what they gave (CLI flags or API
// fields), completed from the configuration (`cover:`), the sender's account and mailbox.
import type { CoverPageOptions } from '@faxgate/fax-core/render';
import type { FaxgateConfig } from '../config/schema.js';

/** What a submitter may say on the cover page. */
export interface CoverRequest {
  toName?: string;
  toCompany?: string;
  comment?: string;
  urgency?: 'normal' | 'urgent' | 'confidential';
}

export const COVER_URGENCIES = ['normal', 'urgent', 'confidential'] as const;

const MAX_FIELD = 200;
const MAX_COMMENT = 4000;

export function checkCoverRequest(c: CoverRequest): string | null {
  for (const [k, v] of [
    ['toName', c.toName],
    ['toCompany', c.toCompany],
  ] as const) {
    if (v !== undefined && v.length > MAX_FIELD) return `${k}: at most ${MAX_FIELD} characters`;
  }
  if (c.comment !== undefined && c.comment.length > MAX_COMMENT)
    return `comment: at most ${MAX_COMMENT} characters`;
  if (c.urgency !== undefined && !COVER_URGENCIES.includes(c.urgency)) {
    return `urgency: expected ${COVER_URGENCIES.join(', ')}`;
  }
  return null;
}

export function coverOptions(
  config: FaxgateConfig,
  sender: { name: string; displayName: string; faxNumber?: string },
  to: { number: string; subject?: string },
  request: CoverRequest,
  now = new Date(),
): CoverPageOptions {
  const c = config.cover;
  return {
    senderOrganisation: c.senderOrganisation,
    senderName: sender.displayName || sender.name,
    senderPhone: c.senderPhone,
    senderFax: sender.faxNumber ?? '',
    senderEmail: c.senderEmail,
    recipientName: request.toName ?? '',
    recipientOrganisation: request.toCompany ?? '',
    recipientFax: to.number,
    subject: to.subject ?? '',
    comment: request.comment ?? '',
    urgency: request.urgency ?? 'normal',
    date: now,
    timeZone: c.timeZone || undefined,
  };
}
