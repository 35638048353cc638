import type { Attachment } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { bodyText, documentsOfMail } from './documents.js';

const limits = { maxAttachments: 2, maxAttachmentBytes: 100 };
const att = (contentType: string, filename: string, size = 10, related = false) =>
  ({ contentType, filename, content: Buffer.alloc(size, 65), size, related }) as unknown as Attachment;
const text = (f: { data: Uint8Array }) => new TextDecoder().decode(f.data);

describe('documentsOfMail', () => {
  it('puts the body first, then the attachments in order; inline parts of an HTML body are left out', () => {
    const r = documentsOfMail(
      {
        text: 'Please see attached.\n',
        attachments: [
          att('application/pdf', 'a.pdf'),
          att('image/png', 'logo.png', 5, true),
          att('image/png', 'b.png'),
        ],
      },
      limits,
    );
    expect(r.ok && r.files.map((f) => f.name)).toEqual(['message body', 'a.pdf', 'b.png']);
    expect(r.ok && text(r.files[0])).toBe('Please see attached.\n');
  });

  it('a body that is only a signature gives no page', () => {
    expect(bodyText('\n-- \nAlice\nACME')).toBe('');
    const r = documentsOfMail({ text: '-- \nAlice', attachments: [att('application/pdf', 'a.pdf')] }, limits);
    expect(r.ok && r.files.map((f) => f.name)).toEqual(['a.pdf']);
  });

  it('refuses by name: a type a fax cannot carry, too many, too large, nothing, an HTML body it could not read', () => {
    expect(documentsOfMail({ attachments: [att('application/msword', 'x.doc')] }, limits)).toEqual({
      ok: false,
      why: 'attachment "x.doc" is application/msword: only PDF, PNG, JPEG, GIF, TIFF and plain text can be faxed',
    });
    const three = [1, 2, 3].map((i) => att('application/pdf', `${i}.pdf`));
    expect(documentsOfMail({ attachments: three }, limits)).toMatchObject({
      ok: false,
      why: expect.stringContaining('at most 2'),
    });
    expect(documentsOfMail({ attachments: [att('application/pdf', 'big.pdf', 101)] }, limits)).toMatchObject({
      ok: false,
      why: expect.stringContaining('larger than'),
    });
    expect(documentsOfMail({ text: ' \n', attachments: [] }, limits)).toMatchObject({
      ok: false,
      why: expect.stringContaining('nothing to fax'),
    });
    expect(documentsOfMail({ textConversionError: new Error('x'), attachments: [] }, limits)).toMatchObject({
      ok: false,
      why: expect.stringContaining('HTML body'),
    });
  });
});
