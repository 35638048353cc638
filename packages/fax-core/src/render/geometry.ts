// Fax page geometry (ITU-T T.4): 1728 pels across 215 mm (≈ 204 dpi), 98/196/391 lines
// per inch down. Pixels are not square: fine mode is 204×196, standard 204×98.
import { A4_WIDTH, LINES_PER_INCH, PELS_PER_INCH, type VerticalResolution } from '../page.js';

export const A4_HEIGHT_IN = 297 / 25.4;
export const A4_WIDTH_IN = 210 / 25.4;

export interface FaxGeometry {
  width: number;
  dpiX: number;
  dpiY: number;
  /** Lines of a full A4 page at this resolution. */
  a4Lines: number;
}

export function faxGeometry(resolution: VerticalResolution): FaxGeometry {
  const dpiY = LINES_PER_INCH[resolution];
  return { width: A4_WIDTH, dpiX: PELS_PER_INCH, dpiY, a4Lines: Math.round(A4_HEIGHT_IN * dpiY) };
}

export interface Fit {
  /** Pixels per inch applied to the source, across and down. */
  scaleX: number;
  scaleY: number;
  /** Size of the drawn area and of the output page, in pels/lines. */
  drawWidth: number;
  drawHeight: number;
  pageHeight: number;
  /** Left offset that centres the drawn area on the 1728-pel line. */
  offsetX: number;
}

/**
 * Fits a page of `wIn`×`hIn` inches onto the fax line: never wider than 1728 pels, never
 * longer than an A4 page (a Letter page shrinks by 0.4 %), aspect kept in physical units.
 * Smaller pages keep their size; the output page is as long as the content.
 */
export function fitPage(wIn: number, hIn: number, g: FaxGeometry, minLines = 0): Fit {
  const maxWIn = g.width / g.dpiX;
  const maxHIn = g.a4Lines / g.dpiY;
  const k = Math.min(1, maxWIn / wIn, maxHIn / hIn);
  const drawWidth = Math.max(1, Math.min(g.width, Math.round(wIn * k * g.dpiX)));
  const drawHeight = Math.max(1, Math.min(g.a4Lines, Math.round(hIn * k * g.dpiY)));
  return {
    scaleX: k * g.dpiX,
    scaleY: k * g.dpiY,
    drawWidth,
    drawHeight,
    pageHeight: Math.max(drawHeight, minLines),
    offsetX: Math.floor((g.width - drawWidth) / 2),
  };
}
