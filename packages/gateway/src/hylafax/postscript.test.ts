// Ghostscript in its sandbox: a page converts; reading a file, a run-away loop and an
// oversized result are refused within their bounds.
import { describe, expect, it } from 'vitest';
import { PostscriptError, postscriptToPdf } from './postscript.js';

const limits = { seconds: 20, memoryBytes: 512 * 1024 * 1024, maxOutputBytes: 5 * 1024 * 1024 };
const ps = (body: string) => new TextEncoder().encode(`%!PS-Adobe-3.0\n${body}\n`);

describe('PostScript to PDF in the sandbox', () => {
  it('converts a page of text', async () => {
    const pdf = await postscriptToPdf(
      ps('/Courier findfont 12 scalefont setfont 72 720 moveto (Hello fax) show showpage'),
      limits,
    );
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
  });

  it('cannot read the host’s files (SAFER, and nothing of them in the sandbox)', async () => {
    const steal = ps('(/etc/passwd) (r) file 100 string readstring pop == showpage');
    await expect(postscriptToPdf(steal, limits)).rejects.toThrow(PostscriptError);
  });

  it('a run-away program is stopped at the time bound', async () => {
    const t0 = Date.now();
    await expect(postscriptToPdf(ps('{ } loop'), { ...limits, seconds: 2 })).rejects.toThrow(/2 s|exit|SIG/);
    expect(Date.now() - t0).toBeLessThan(8000);
  });

  it('a result over the size bound is refused', async () => {
    const pages = ps(
      '1 1 200 { pop /Courier findfont 12 scalefont setfont 72 720 moveto (page) show showpage } for',
    );
    await expect(postscriptToPdf(pages, { ...limits, maxOutputBytes: 2000 })).rejects.toThrow(/too large/);
  });
});
