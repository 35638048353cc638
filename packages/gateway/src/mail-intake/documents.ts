// An intake message's content as the fax's documents, in order: the body first (a text page;
// an HTML-only body as its text), then each attachment (PDF, image or text). Only the types a
// fax can carry are taken; anything else is refused by name, never silently left out. The
// files are then rendered by the same sandboxed loader as an API upload (documents/).
import type { Attachment } from 'mailparser';
import type { DocumentFile } from '../documents/load-pages.js';

export interface MailContent {
  /** Plain text body (mailparser: text/plain, or the text of an HTML-only body). */
  text?: string;
  textConversionError?: Error;
  attachments: readonly Attachment[];
}

export interface DocumentLimits {
  maxAttachments: number;
  maxAttachmentBytes: number;
}

export type DocumentsFound = { ok: true; files: DocumentFile[] } | { ok: false; why: string };

const FAXABLE = /^(application\/pdf|image\/(png|jpeg|gif|tiff)|text\/plain)$/i;

/**
 * The body without what is not meant for the recipient: the signature after the RFC 3676
 * delimiter "-- ", and blank lines around. Empty: no body page (e.g. only a signature).
 */
export function bodyText(text: string | undefined): string {
  if (!text) return '';
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const sig = lines.indexOf('-- ');
  return (sig >= 0 ? lines.slice(0, sig) : lines).join('\n').trim();
}

export function documentsOfMail(mail: MailContent, limits: DocumentLimits): DocumentsFound {
  if (mail.textConversionError) {
    return { ok: false, why: 'the HTML body could not be turned into text: send the message as plain text' };
  }
  // Parts of an HTML body (inline logos, cid: images) are the body's decoration, not documents.
  const attachments = mail.attachments.filter((a) => !a.related);
  if (attachments.length > limits.maxAttachments) {
    return {
      ok: false,
      why: `${attachments.length} attachments: at most ${limits.maxAttachments} per message`,
    };
  }
  const files: DocumentFile[] = [];
  const body = bodyText(mail.text);
  if (body) files.push({ name: 'message body', data: new TextEncoder().encode(`${body}\n`) });
  for (const [i, a] of attachments.entries()) {
    const name = a.filename ?? `attachment ${i + 1}`;
    if (!FAXABLE.test(a.contentType)) {
      return {
        ok: false,
        why: `attachment ${JSON.stringify(name)} is ${a.contentType}: only PDF, PNG, JPEG, GIF, TIFF and plain text can be faxed`,
      };
    }
    if (a.size > limits.maxAttachmentBytes) {
      const mb = Math.round(limits.maxAttachmentBytes / 1024 / 1024);
      return { ok: false, why: `attachment ${JSON.stringify(name)} is larger than ${mb} MB` };
    }
    files.push({ name, data: new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.length) });
  }
  if (files.length === 0)
    return { ok: false, why: 'nothing to fax: the message has no text and no attachment' };
  return { ok: true, files };
}
