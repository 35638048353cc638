// Fast, in-process tests of the pure parts: type detection, header-line format, text
// layout, geometry, black/white conversion, glyph rasterising, cover page fields.
import { describe, expect, it } from 'vitest';
import { createPage, getPixel } from '../page.js';
import { greyToBilevel } from './bilevel.js';
import { coverValues, fillTemplate, renderCover } from './cover.js';
import { detectType } from './detect.js';
import { DocumentError, RenderLimitError, UnsupportedDocumentError } from './errors.js';
import { drawText, fillRect } from './font.js';
import { faxGeometry, fitPage } from './geometry.js';
import { drawHeaderLine, expandFields, formatHeaderLine, strftime } from './tagline.js';
import { layoutText } from './text.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const blackCount = (p: { data: Uint8Array }) => p.data.reduce((n, v) => n + popcount(v), 0);
function popcount(v: number): number {
  let n = 0;
  for (let x = v; x; x &= x - 1) n++;
  return n;
}

describe('detectType', () => {
  it('knows the accepted types by their magic bytes, not by a name', () => {
    expect(detectType(Buffer.from('%PDF-1.7\n...'))).toBe('pdf');
    expect(detectType(Buffer.concat([Buffer.from('junk before header\n'), Buffer.from('%PDF-1.4')]))).toBe(
      'pdf',
    );
    expect(detectType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe('png');
    expect(detectType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('jpeg');
    expect(detectType(bytes(0x49, 0x49, 0x2a, 0x00))).toBe('tiff');
    expect(detectType(bytes(0x4d, 0x4d, 0x00, 0x2a))).toBe('tiff');
    expect(detectType(Buffer.from('Grüße\tan alle\r\n\fSeite 2\n'))).toBe('text');
  });

  it('names what it refuses, with the first bytes', () => {
    expect(() => detectType(bytes(0x50, 0x4b, 0x03, 0x04, 1, 2))).toThrow(
      'unsupported document type: ZIP archive (also DOCX/XLSX/ODT) (first bytes 50 4b 03 04)',
    );
    expect(() => detectType(Buffer.from('%!PS-Adobe-3.0'))).toThrow(/PostScript/);
    expect(() => detectType(bytes(0x00, 0x01, 0xfe, 0x99))).toThrow(UnsupportedDocumentError);
    // Latin-1 text is not UTF-8: refused rather than printed as mojibake.
    expect(() => detectType(bytes(0x47, 0x72, 0xfc, 0xdf, 0x65))).toThrow(/binary data/);
    expect(() => detectType(new Uint8Array(0))).toThrow(DocumentError);
  });
});

describe('header line (HylaFAX TagLineFormat)', () => {
  const date = new Date(Date.UTC(2026, 2, 5, 7, 4, 9));
  it('expands strftime codes in the given time zone', () => {
    expect(strftime('%Y-%m-%d %H:%M:%S %a %b %e %j %%', date, 'UTC')).toBe(
      '2026-03-05 07:04:09 Thu Mar  5 064 %',
    );
    expect(strftime('%H:%M %z', date, 'Europe/Berlin')).toBe('08:04 +0100');
  });

  it('expands job fields after strftime, so %% escapes them as in HylaFAX', () => {
    const line = formatHeaderLine(
      {
        format: 'From %%s (%%l)|%F %R|To %%r %%d|Page %%P/%%T|Job %%i',
        fields: {
          senderName: 'Amt',
          senderNumber: '+49 30 1',
          recipientName: 'Ärztin',
          recipientNumber: '0401',
          jobId: '7',
        },
        date,
        timeZone: 'UTC',
      },
      { page: 2, pages: 9 },
    );
    expect(line).toEqual(['From Amt (+49 30 1)', '2026-03-05 07:04', 'To Ärztin 0401', 'Page 2/9', 'Job 7']);
  });

  it('keeps control characters of fields from breaking the line', () => {
    expect(expandFields('%s', { senderName: 'a\nb\u2028c' }, { page: 1, pages: 1 })).toBe('a b c');
  });

  it('prints into a cleared band at the top of the page', () => {
    const g = faxGeometry('fine');
    const page = createPage(g.width, g.a4Lines);
    page.data.fill(0xff); // a black document
    drawHeaderLine(page, { format: 'Page %%P of %%T', fields: {} }, { page: 1, pages: 3 }, g.dpiX, g.dpiY);
    // the band has text (some black) but is mostly white; below it the page is untouched
    const band = page.data.subarray(0, 30 * page.stride);
    expect(blackCount({ data: band })).toBeGreaterThan(200);
    expect(band.filter((v) => v === 0).length).toBeGreaterThan(band.length * 0.8);
    expect(page.data[200 * page.stride + 10]).toBe(0xff);
  });
});

describe('text layout', () => {
  it('expands tabs, wraps at spaces, starts a page at form feed', () => {
    const l = layoutText('a\tb\nword word word word\fnext', 10, 50, 10);
    expect(l.pages.length).toBe(2);
    expect(l.pages[0][0]).toBe('a       b');
    expect(l.pages[0].slice(1)).toEqual(['word word', 'word word']);
    expect(l.pages[1]).toEqual(['next']);
  });

  it('refuses more pages than the limit while laying out', () => {
    expect(() => layoutText('x\n'.repeat(1000), 80, 10, 5)).toThrow(RenderLimitError);
  });
});

describe('geometry', () => {
  it('maps A4 onto 1728 pels and 2292 lines at fine, 1146 at standard', () => {
    const f = fitPage(595 / 72, 842 / 72, faxGeometry('fine'));
    expect(f.drawHeight).toBe(2292);
    expect(f.drawWidth).toBeLessThanOrEqual(1728);
    expect(fitPage(595 / 72, 842 / 72, faxGeometry('standard')).drawHeight).toBe(1146);
    expect(fitPage(595 / 72, 842 / 72, faxGeometry('superfine')).drawHeight).toBe(4572);
  });

  it('shrinks US Letter to the fax width, keeping the aspect in inches', () => {
    const f = fitPage(8.5, 11, faxGeometry('fine'));
    expect(f.drawWidth).toBe(1728);
    expect(f.scaleX / 204).toBeCloseTo(f.scaleY / 196, 6);
  });
});

describe('black/white conversion', () => {
  const grey = (w: number, h: number, v: number) => ({
    data: new Uint8Array(w * h).fill(v),
    width: w,
    height: h,
    stride: w,
  });
  it('thresholds at the given level, also at unaligned offsets', () => {
    const p = createPage(64, 2);
    greyToBilevel(grey(20, 2, 150), p, 3, 0, 'none', 160);
    expect(getPixel(p, 2, 0)).toBe(0);
    expect(getPixel(p, 3, 0)).toBe(1);
    expect(getPixel(p, 22, 1)).toBe(1);
    expect(getPixel(p, 23, 1)).toBe(0);
    const q = createPage(64, 1);
    greyToBilevel(grey(64, 1, 170), q, 0, 0, 'none', 160);
    expect(blackCount(q)).toBe(0);
  });

  it('dithers mid-grey to about half black', () => {
    for (const mode of ['floyd-steinberg', 'ordered'] as const) {
      const p = createPage(256, 256);
      greyToBilevel(grey(256, 256, 128), p, 0, 0, mode, 128);
      expect(blackCount(p) / (256 * 256)).toBeGreaterThan(0.45);
      expect(blackCount(p) / (256 * 256)).toBeLessThan(0.55);
    }
  });
});

describe('glyphs and cover page', () => {
  it('fills rectangles a byte at a time exactly as pixel by pixel, ends and padding untouched', () => {
    const byPixel = (
      p: ReturnType<typeof createPage>,
      x: number,
      y: number,
      w: number,
      h: number,
      black: boolean,
    ) => {
      for (let py = Math.max(0, Math.round(y)); py < Math.min(p.height, Math.round(y + h)); py++)
        for (let px = Math.max(0, Math.round(x)); px < Math.min(p.width, Math.round(x + w)); px++)
          if (black) p.data[py * p.stride + (px >>> 3)] |= 0x80 >>> (px & 7);
          else p.data[py * p.stride + (px >>> 3)] &= ~(0x80 >>> (px & 7));
    };
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 1;
      return seed / 0x80000000;
    };
    for (let t = 0; t < 3000; t++) {
      const [a, b] = [createPage(61, 9), createPage(61, 9)];
      for (let i = 0; i < a.data.length; i++) a.data[i] = b.data[i] = Math.floor(rnd() * 256);
      const args = [rnd() * 80 - 10, rnd() * 12 - 2, rnd() * 80 - 5, rnd() * 12, rnd() < 0.5] as const;
      byPixel(a, ...args);
      fillRect(b, ...args);
      expect(b.data, `case ${t}: ${args.join(' ')}`).toEqual(a.data);
    }
  });

  it('draws 8 pt text with every glyph present (no empty masks)', () => {
    const p = createPage(1728, 60);
    const end = drawText(p, 'Hamburg 0123 ÄÖÜß', 10, 40, { face: 'sans', sizePt: 8, dpiX: 204, dpiY: 196 });
    expect(end).toBeGreaterThan(150);
    expect(blackCount(p)).toBeGreaterThan(400);
  });

  it('fills the template fields and counts the cover in the pages', () => {
    const v = coverValues(
      { senderOrganisation: 'Org', urgency: 'urgent', date: new Date(0), timeZone: 'UTC' },
      5,
    );
    expect(v.pages).toBe('5');
    expect(v.documentPages).toBe('4');
    expect(v.urgencyLabel).toBe('URGENT');
    expect(fillTemplate('{senderOrganisation}/{missing}/{date}', v)).toBe('Org//1970-01-01 00:00');
    const cover = renderCover({ senderOrganisation: 'Org', recipientName: 'Empfänger' }, 2, 'standard');
    expect(cover.height).toBe(1146);
    expect(blackCount(cover)).toBeGreaterThan(2000);
  });
});
