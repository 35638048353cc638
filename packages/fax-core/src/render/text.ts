// Plain UTF-8 text → pages: DejaVu Sans Mono 10 pt on 12 pt lines, 20 mm side margins,
// tabs to every 8th column, long lines wrapped (at a space when there is one), form feed
// starts a new page.
import { type BilevelPage, createPage, type VerticalResolution } from '../page.js';
import { RenderLimitError } from './errors.js';
import { drawText, lineMetrics, measureText, type TextStyle } from './font.js';
import { faxGeometry } from './geometry.js';

const MM = 1 / 25.4;
const SIZE_PT = 10;
const LEADING_PT = 12;

export interface TextLayout {
  columns: number;
  linesPerPage: number;
  pages: string[][];
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  let col = 0;
  for (const ch of line) {
    if (ch === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col++;
    }
  }
  return out;
}

function wrap(line: string, columns: number): string[] {
  const chars = Array.from(line);
  if (chars.length <= columns) return [line];
  const out: string[] = [];
  let rest = chars;
  while (rest.length > columns) {
    let cut = rest.lastIndexOf(' ', columns);
    if (cut < columns / 2) cut = columns; // no good break: hard wrap
    out.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(rest[cut] === ' ' ? cut + 1 : cut);
  }
  out.push(rest.join(''));
  return out;
}

export function layoutText(
  text: string,
  columns: number,
  linesPerPage: number,
  maxPages: number,
): TextLayout {
  const pages: string[][] = [[]];
  const newPage = () => {
    if (pages.length >= maxPages)
      throw new RenderLimitError(
        'pages',
        maxPages,
        undefined,
        `text needs more than ${maxPages} pages (page limit ${maxPages})`,
      );
    pages.push([]);
  };
  const chunks = text.replace(/\r\n?/g, '\n').split('\f');
  chunks.forEach((chunk, ci) => {
    if (ci > 0) newPage();
    const lines = chunk.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    for (const raw of lines) {
      for (const l of wrap(expandTabs(raw), columns)) {
        if (pages[pages.length - 1].length >= linesPerPage) newPage();
        pages[pages.length - 1].push(l);
      }
    }
  });
  return { columns, linesPerPage, pages };
}

export function renderText(
  text: string,
  resolution: VerticalResolution,
  maxPages: number,
  topReserveLines: number,
): BilevelPage[] {
  const g = faxGeometry(resolution);
  const style: TextStyle = { face: 'mono', sizePt: SIZE_PT, dpiX: g.dpiX, dpiY: g.dpiY };
  const margin = Math.round(20 * MM * g.dpiX);
  const advance = measureText('M', style);
  const columns = Math.floor((g.width - 2 * margin) / advance);
  const top = Math.max(Math.round(15 * MM * g.dpiY), topReserveLines);
  const lineStep = (LEADING_PT / 72) * g.dpiY;
  const bottom = Math.round(15 * MM * g.dpiY);
  const linesPerPage = Math.max(1, Math.floor((g.a4Lines - top - bottom) / lineStep));
  const layout = layoutText(text, columns, linesPerPage, maxPages);
  const { ascent } = lineMetrics(style);
  return layout.pages.map((lines) => {
    const page = createPage(g.width, g.a4Lines, resolution);
    lines.forEach((l, i) => {
      if (l.trim()) drawText(page, l, margin, top + ascent + i * lineStep, style);
    });
    return page;
  });
}
