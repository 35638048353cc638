// Options, limits and results of a render job (shared by the pool and its workers).
import type { BilevelPage, VerticalResolution } from '../page.js';
import type { SourceType } from './detect.js';

export interface RenderLimits {
  /** Wall time of one job, ms (the worker is killed and replaced when it is exceeded). */
  timeMs: number;
  /** Pages of one job, counted before any page is drawn. */
  pages: number;
  /** Pixels of one decoded source image (or one embedded PDF image), read from headers first. */
  pixels: number;
  /** Resident memory of the worker process, bytes. */
  memoryBytes: number;
  /** Size of the input document, bytes. */
  inputBytes: number;
}

export const DEFAULT_LIMITS: Readonly<RenderLimits> = {
  timeMs: 60_000,
  pages: 200,
  pixels: 100_000_000,
  memoryBytes: 1024 * 1024 * 1024,
  inputBytes: 50 * 1024 * 1024,
};

/**
 * Grey → black/white: 'halftone' (default) keeps text solid and screens tints (halftone.ts);
 * 'none' is a plain threshold; 'floyd-steinberg' and 'ordered' (Bayer) dither photos.
 */
export type DitherMode = 'halftone' | 'none' | 'floyd-steinberg' | 'ordered';

/** Values the header line (TTI) may show. All optional; missing ones print empty. */
export interface HeaderFields {
  senderName?: string;
  senderNumber?: string;
  /** Local station identifier (TSI); defaults to senderNumber. */
  tsi?: string;
  recipientName?: string;
  recipientNumber?: string;
  jobId?: string;
  jobTag?: string;
  subject?: string;
  mail?: string;
}

export interface HeaderLineOptions {
  /**
   * HylaFAX TagLineFormat syntax: strftime codes first (`%%` → `%`), then the fields
   * `%%d` recipient number, `%%i` job id, `%%j` job tag, `%%l` TSI, `%%n` sender number,
   * `%%s` sender, `%%r` recipient, `%%m` mail, `%%S` subject, `%%P` page, `%%T` pages;
   * `|` separates fields spread across the line.
   */
  format: string;
  fields: HeaderFields;
  /** Time printed (default: now). */
  date?: Date;
  /** IANA time zone for the date codes (default: the process' zone). */
  timeZone?: string;
  /** Font size in points (default 9). */
  sizePt?: number;
}

export interface CoverPageOptions {
  senderOrganisation?: string;
  senderName?: string;
  senderPhone?: string;
  senderFax?: string;
  senderEmail?: string;
  recipientName?: string;
  recipientOrganisation?: string;
  recipientFax?: string;
  subject?: string;
  comment?: string;
  urgency?: 'normal' | 'urgent' | 'confidential' | string;
  /** Printed date (default: now), formatted in timeZone. */
  date?: Date;
  timeZone?: string;
  /** A layout that replaces the built-in one (see cover.ts). */
  template?: CoverTemplate;
}

export interface CoverTemplateText {
  type: 'text';
  /** Position of the first baseline, millimetres from the top-left corner. */
  x: number;
  y: number;
  sizePt: number;
  bold?: boolean;
  /** `{field}` placeholders: the CoverPageOptions keys plus `date` and `pages`. */
  text: string;
  /** Wrap width in millimetres (default: to the right margin). */
  width?: number;
  /** At most this many lines (default unlimited). */
  maxLines?: number;
}

export interface CoverTemplateRule {
  type: 'rule';
  x: number;
  y: number;
  width: number;
  /** Thickness in millimetres (default 0.5). */
  thickness?: number;
}

export interface CoverTemplateBox {
  type: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
  thickness?: number;
}

export interface CoverTemplate {
  elements: Array<CoverTemplateText | CoverTemplateRule | CoverTemplateBox>;
}

export interface RenderOptions {
  /** Vertical resolution (default fine, 196 lpi). */
  resolution?: VerticalResolution;
  /** Header line on every page (the server sets it; see the gateway's policy). */
  headerLine?: HeaderLineOptions;
  /** A cover page put before the document's pages. */
  cover?: CoverPageOptions;
  /** Black/white conversion (default 'halftone'; 'none' = threshold only). */
  dither?: DitherMode;
  /** Turn landscape pages and images a quarter left to fill the portrait fax page (default true). */
  rotateLandscape?: boolean;
  /**
   * Grey level (0..255, default 160) below which a pixel is black in threshold mode ('none')
   * and Floyd–Steinberg, and below which a thin stroke (text, rules) is solid black in
   * halftone mode.
   */
  threshold?: number;
  /**
   * Also return every page MMR-coded (T.6), done in the worker; 'only' returns the codes
   * without the bitmaps (`pages` empty), sparing the copy of ~0.5 MB per page.
   */
  mmr?: boolean | 'only';
}

export interface RenderResult {
  /** The fax pages (empty when `mmr: 'only'` was asked for). */
  pages: BilevelPage[];
  /** Pages in the result, cover page included. */
  pageCount: number;
  sourceType: SourceType;
  /** Pages of the document itself (without the cover page). */
  documentPages: number;
  /** T.6 (MMR) code of each page when `mmr` was asked for. */
  mmr?: Uint8Array[];
  /** Wall time in the worker, ms. */
  elapsedMs: number;
}
