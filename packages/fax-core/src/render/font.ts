// Text drawn straight into bilevel pages: DejaVu outlines (opentype.js parses them) are
// rasterised here with exact horizontal coverage and 4 sub-scanlines per line, at the
// fax's non-square pixel size, thresholded slightly below half coverage so thin stems
// survive, and cached per glyph and size. No font engine outside our control, no system
// fonts, same pixels on every machine.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import opentype, { type Font, type Glyph, type PathCommand } from 'opentype.js';
import type { BilevelPage } from '../page.js';

export type FontFace = 'sans' | 'sans-bold' | 'mono';

const FILES: Record<FontFace, string> = {
  sans: 'DejaVuSans.ttf',
  'sans-bold': 'DejaVuSans-Bold.ttf',
  mono: 'DejaVuSansMono.ttf',
};

const require = createRequire(import.meta.url);
const fonts = new Map<FontFace, Font>();

export function loadFont(face: FontFace): Font {
  let f = fonts.get(face);
  if (!f) {
    const buf = fs.readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${FILES[face]}`));
    // lowMemory: glyphs parsed when first drawn; a whole DejaVu face would be ~18 MiB of heap
    // in every render worker, for the few dozen glyphs a header line uses.
    f = opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), {
      lowMemory: true,
    });
    fonts.set(face, f);
  }
  return f;
}

interface GlyphMask {
  /** Offset of the mask's top-left from the pen position (pixels). */
  left: number;
  top: number;
  width: number;
  height: number;
  /** 1 byte per pixel, 1 = black. */
  bits: Uint8Array;
}

const SUB = 4;
const COVERAGE = 0.42;
const masks = new Map<string, GlyphMask>();

/** Rasterises a glyph scaled by sx, sy pixels per font unit. */
function rasterise(glyph: Glyph, unitsPerEm: number, sx: number, sy: number): GlyphMask {
  const cmds: PathCommand[] = glyph.getPath(0, 0, unitsPerEm).commands; // font units, y down
  const edges: number[] = []; // x0, y0, x1, y1 in pixels
  let cx = 0;
  let cy = 0;
  let startX = 0;
  let startY = 0;
  const line = (x: number, y: number) => {
    if (y !== cy) edges.push(cx, cy, x, y);
    cx = x;
    cy = y;
  };
  for (const c of cmds) {
    const x = (c.x ?? 0) * sx;
    const y = (c.y ?? 0) * sy;
    if (c.type === 'M') {
      line(startX, startY);
      cx = startX = x;
      cy = startY = y;
    } else if (c.type === 'L') line(x, y);
    else if (c.type === 'Q') {
      const qx = c.x1! * sx;
      const qy = c.y1! * sy;
      const n = Math.max(2, Math.min(16, Math.ceil(Math.hypot(x - cx, y - cy) / 2)));
      const ox = cx;
      const oy = cy;
      for (let i = 1; i <= n; i++) {
        const t = i / n;
        const u = 1 - t;
        line(u * u * ox + 2 * u * t * qx + t * t * x, u * u * oy + 2 * u * t * qy + t * t * y);
      }
    } else if (c.type === 'C') {
      const ax = c.x1! * sx;
      const ay = c.y1! * sy;
      const bx = c.x2! * sx;
      const by = c.y2! * sy;
      const n = Math.max(2, Math.min(24, Math.ceil(Math.hypot(x - cx, y - cy) / 2)));
      const ox = cx;
      const oy = cy;
      for (let i = 1; i <= n; i++) {
        const t = i / n;
        const u = 1 - t;
        line(
          u * u * u * ox + 3 * u * u * t * ax + 3 * u * t * t * bx + t * t * t * x,
          u * u * u * oy + 3 * u * u * t * ay + 3 * u * t * t * by + t * t * t * y,
        );
      }
    } else if (c.type === 'Z') line(startX, startY);
  }
  line(startX, startY);
  if (edges.length === 0) return { left: 0, top: 0, width: 0, height: 0, bits: new Uint8Array(0) };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < edges.length; i += 2) {
    minX = Math.min(minX, edges[i]);
    maxX = Math.max(maxX, edges[i]);
    minY = Math.min(minY, edges[i + 1]);
    maxY = Math.max(maxY, edges[i + 1]);
  }
  const left = Math.floor(minX);
  const top = Math.floor(minY);
  const width = Math.ceil(maxX) - left + 1;
  const height = Math.ceil(maxY) - top + 1;
  const cover = new Float32Array(width * height);
  const xs: number[] = [];
  const dirs: number[] = [];
  for (let row = 0; row < height; row++) {
    for (let k = 0; k < SUB; k++) {
      const yc = top + row + (k + 0.5) / SUB;
      xs.length = 0;
      dirs.length = 0;
      for (let i = 0; i < edges.length; i += 4) {
        const y0 = edges[i + 1];
        const y1 = edges[i + 3];
        if ((yc >= y0 && yc < y1) || (yc >= y1 && yc < y0)) {
          const x0 = edges[i];
          xs.push(x0 + ((yc - y0) * (edges[i + 2] - x0)) / (y1 - y0) - left);
          dirs.push(y1 > y0 ? 1 : -1);
        }
      }
      const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
      let wind = 0;
      for (let j = 0; j < order.length - 1; j++) {
        wind += dirs[order[j]];
        if (wind === 0) continue;
        const a = xs[order[j]];
        const b = xs[order[j + 1]];
        addSpan(cover, row * width, a, b);
      }
    }
  }
  const bits = new Uint8Array(width * height);
  for (let i = 0; i < bits.length; i++) bits[i] = cover[i] / SUB >= COVERAGE ? 1 : 0;
  return { left, top, width, height, bits };
}

function addSpan(cover: Float32Array, rowStart: number, a: number, b: number): void {
  if (b <= a) return;
  const ia = Math.floor(a);
  const ib = Math.floor(b);
  if (ia === ib) {
    cover[rowStart + ia] += b - a;
    return;
  }
  cover[rowStart + ia] += ia + 1 - a;
  for (let x = ia + 1; x < ib; x++) cover[rowStart + x] += 1;
  if (b > ib) cover[rowStart + ib] += b - ib;
}

export interface TextStyle {
  face: FontFace;
  sizePt: number;
  /** Pixels per inch across and down (204 × 98/196/391 on a fax page). */
  dpiX: number;
  dpiY: number;
}

function scale(font: Font, style: TextStyle): [number, number] {
  const em = style.sizePt / 72;
  return [(em * style.dpiX) / font.unitsPerEm, (em * style.dpiY) / font.unitsPerEm];
}

function mask(font: Font, face: FontFace, glyph: Glyph, sx: number, sy: number): GlyphMask {
  const key = `${face}:${glyph.index}:${sx.toFixed(6)}:${sy.toFixed(6)}`;
  let m = masks.get(key);
  if (!m) {
    m = rasterise(glyph, font.unitsPerEm, sx, sy);
    if (masks.size > 20_000) masks.clear();
    masks.set(key, m);
  }
  return m;
}

/** Width of `text` in pixels. */
export function measureText(text: string, style: TextStyle): number {
  const font = loadFont(style.face);
  const [sx] = scale(font, style);
  let w = 0;
  let prev: Glyph | null = null;
  for (const ch of text) {
    const g = font.charToGlyph(ch);
    if (prev) w += font.getKerningValue(prev, g) * sx;
    w += (g.advanceWidth ?? 0) * sx;
    prev = g;
  }
  return w;
}

/** Line height (ascender − descender) and ascent in pixels down. */
export function lineMetrics(style: TextStyle): { ascent: number; height: number } {
  const font = loadFont(style.face);
  const [, sy] = scale(font, style);
  return { ascent: font.ascender * sy, height: (font.ascender - font.descender) * sy };
}

/** Draws `text` with its baseline at `baseline` starting at `x`; returns the pen's end x. */
export function drawText(
  page: BilevelPage,
  text: string,
  x: number,
  baseline: number,
  style: TextStyle,
): number {
  const font = loadFont(style.face);
  const [sx, sy] = scale(font, style);
  let pen = x;
  let prev: Glyph | null = null;
  for (const ch of text) {
    const g = font.charToGlyph(ch);
    if (prev) pen += font.getKerningValue(prev, g) * sx;
    const m = mask(font, style.face, g, sx, sy);
    blit(page, m, Math.round(pen) + m.left, Math.round(baseline) + m.top);
    pen += (g.advanceWidth ?? 0) * sx;
    prev = g;
  }
  return pen;
}

function blit(page: BilevelPage, m: GlyphMask, x0: number, y0: number): void {
  const { data, stride, width, height } = page;
  for (let y = 0; y < m.height; y++) {
    const py = y0 + y;
    if (py < 0 || py >= height) continue;
    const row = py * stride;
    const src = y * m.width;
    for (let x = 0; x < m.width; x++) {
      const px = x0 + x;
      if (m.bits[src + x] && px >= 0 && px < width) data[row + (px >>> 3)] |= 0x80 >>> (px & 7);
    }
  }
}

/** Sets a rectangle of pixels black (value true) or white. */
export function fillRect(
  page: BilevelPage,
  x: number,
  y: number,
  w: number,
  h: number,
  black: boolean,
): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(page.width, Math.round(x + w));
  const y1 = Math.min(page.height, Math.round(y + h));
  if (x1 <= x0) return;
  // Whole bytes at once (a header band is ~50,000 pixels on every page), the partial bytes at
  // either end by mask.
  const b0 = x0 >>> 3;
  const b1 = (x1 - 1) >>> 3;
  const head = 0xff >>> (x0 & 7);
  const tail = (0xff00 >>> (((x1 - 1) & 7) + 1)) & 0xff;
  const { data, stride } = page;
  for (let py = y0; py < y1; py++) {
    const row = py * stride;
    if (b0 === b1) {
      const m = head & tail;
      data[row + b0] = black ? data[row + b0] | m : data[row + b0] & ~m;
      continue;
    }
    data[row + b0] = black ? data[row + b0] | head : data[row + b0] & ~head;
    data.fill(black ? 0xff : 0, row + b0 + 1, row + b1);
    data[row + b1] = black ? data[row + b1] | tail : data[row + b1] & ~tail;
  }
}
