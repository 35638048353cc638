// The cover page (BSI NET.4.3.A7: sender organisation, contact, date, page count, urgency,
// recipient name and organisation): a small declarative layout — text with `{field}`
// placeholders, rules and boxes, positioned in millimetres — drawn with the same glyph
// rasteriser as the header line. The built-in layout can be replaced per gateway or per fax.
import { type BilevelPage, createPage, type VerticalResolution } from '../page.js';
import { drawText, fillRect, lineMetrics, measureText, type TextStyle } from './font.js';
import { faxGeometry } from './geometry.js';
import { strftime } from './tagline.js';
import type { CoverPageOptions, CoverTemplate } from './types.js';

export const DEFAULT_COVER_TEMPLATE: CoverTemplate = {
  elements: [
    { type: 'text', x: 20, y: 30, sizePt: 22, bold: true, text: '{senderOrganisation}' },
    { type: 'text', x: 20, y: 38, sizePt: 11, text: '{senderName}' },
    { type: 'text', x: 20, y: 44, sizePt: 10, text: 'Phone {senderPhone}   Fax {senderFax}   {senderEmail}' },
    { type: 'rule', x: 20, y: 50, width: 170, thickness: 0.8 },
    { type: 'text', x: 20, y: 66, sizePt: 28, bold: true, text: 'FAX' },
    { type: 'text', x: 120, y: 66, sizePt: 14, bold: true, text: '{urgencyLabel}' },
    { type: 'text', x: 20, y: 84, sizePt: 11, bold: true, text: 'To:' },
    { type: 'text', x: 55, y: 84, sizePt: 11, text: '{recipientName}' },
    { type: 'text', x: 55, y: 90, sizePt: 11, text: '{recipientOrganisation}' },
    { type: 'text', x: 20, y: 98, sizePt: 11, bold: true, text: 'Fax:' },
    { type: 'text', x: 55, y: 98, sizePt: 11, text: '{recipientFax}' },
    { type: 'text', x: 20, y: 108, sizePt: 11, bold: true, text: 'From:' },
    { type: 'text', x: 55, y: 108, sizePt: 11, text: '{senderName}, {senderOrganisation}' },
    { type: 'text', x: 20, y: 118, sizePt: 11, bold: true, text: 'Date:' },
    { type: 'text', x: 55, y: 118, sizePt: 11, text: '{date}' },
    { type: 'text', x: 20, y: 128, sizePt: 11, bold: true, text: 'Pages:' },
    { type: 'text', x: 55, y: 128, sizePt: 11, text: '{pages} including this cover page' },
    { type: 'text', x: 20, y: 138, sizePt: 11, bold: true, text: 'Subject:' },
    { type: 'text', x: 55, y: 138, sizePt: 11, bold: true, text: '{subject}', width: 135, maxLines: 2 },
    { type: 'rule', x: 20, y: 150, width: 170, thickness: 0.4 },
    { type: 'text', x: 20, y: 162, sizePt: 11, text: '{comment}', width: 170, maxLines: 40 },
    { type: 'rule', x: 20, y: 270, width: 170, thickness: 0.4 },
    {
      type: 'text',
      x: 20,
      y: 276,
      sizePt: 8,
      text: 'This fax is meant for the recipient named above only. If it reached you by mistake, please tell the sender at once and destroy it.',
      width: 170,
      maxLines: 3,
    },
  ],
};

const URGENCY: Record<string, string> = { normal: '', urgent: 'URGENT', confidential: 'CONFIDENTIAL' };

export function coverValues(opts: CoverPageOptions, totalPages: number): Record<string, string> {
  const v: Record<string, string> = {};
  for (const [k, val] of Object.entries(opts)) if (typeof val === 'string') v[k] = val;
  v.date = strftime('%Y-%m-%d %H:%M', opts.date ?? new Date(), opts.timeZone);
  v.pages = String(totalPages);
  v.documentPages = String(totalPages - 1);
  const u = opts.urgency ?? 'normal';
  v.urgencyLabel = URGENCY[u] ?? u.toUpperCase();
  return v;
}

export function fillTemplate(text: string, values: Record<string, string>): string {
  const clean = (s: string) => s.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');
  return text.replace(/\{(\w+)\}/g, (_, k: string) => clean(values[k] ?? ''));
}

function wrapWords(text: string, style: TextStyle, maxPx: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/ +/)) {
      const next = line ? `${line} ${word}` : word;
      if (measureText(next, style) <= maxPx || !line) {
        line = next;
        continue;
      }
      out.push(line);
      line = word;
    }
    out.push(line);
  }
  // A single word wider than the box is cut by characters.
  return out.flatMap((l) => {
    if (measureText(l, style) <= maxPx) return [l];
    const parts: string[] = [];
    let cur = '';
    for (const ch of l) {
      if (cur && measureText(cur + ch, style) > maxPx) {
        parts.push(cur);
        cur = '';
      }
      cur += ch;
    }
    parts.push(cur);
    return parts;
  });
}

export function renderCover(
  opts: CoverPageOptions,
  totalPages: number,
  resolution: VerticalResolution,
): BilevelPage {
  const g = faxGeometry(resolution);
  const page = createPage(g.width, g.a4Lines, resolution);
  const mmX = g.dpiX / 25.4;
  const mmY = g.dpiY / 25.4;
  // Millimetres are measured on A4 (210 mm) centred in the 215 mm fax line.
  const ox = (g.width - 210 * mmX) / 2;
  const values = coverValues(opts, totalPages);
  for (const el of (opts.template ?? DEFAULT_COVER_TEMPLATE).elements) {
    if (el.type === 'rule') {
      const t = Math.max(1, (el.thickness ?? 0.5) * mmY);
      fillRect(page, ox + el.x * mmX, el.y * mmY, el.width * mmX, t, true);
    } else if (el.type === 'box') {
      const tx = Math.max(1, (el.thickness ?? 0.5) * mmX);
      const ty = Math.max(1, (el.thickness ?? 0.5) * mmY);
      const x = ox + el.x * mmX;
      const y = el.y * mmY;
      const w = el.width * mmX;
      const h = el.height * mmY;
      fillRect(page, x, y, w, ty, true);
      fillRect(page, x, y + h - ty, w, ty, true);
      fillRect(page, x, y, tx, h, true);
      fillRect(page, x + w - tx, y, tx, h, true);
    } else {
      const text = fillTemplate(el.text, values).trim();
      if (!text) continue;
      const style: TextStyle = {
        face: el.bold ? 'sans-bold' : 'sans',
        sizePt: el.sizePt,
        dpiX: g.dpiX,
        dpiY: g.dpiY,
      };
      const maxPx = (el.width ?? 210 - 20 - el.x) * mmX;
      const step = lineMetrics(style).height * 1.05;
      const lines = wrapWords(text, style, maxPx).slice(0, el.maxLines ?? Number.POSITIVE_INFINITY);
      lines.forEach((l, i) => {
        drawText(page, l, ox + el.x * mmX, el.y * mmY + i * step, style);
      });
    }
  }
  return page;
}
