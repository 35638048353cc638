// One entry point over the three containers: detect the format from the content, read any of
// them into pages, write pages into any of them. Used by the CLI and the gateway.
import type { Coding } from '../codec/index.js';
import type { BilevelPage, VerticalResolution } from '../page.js';
import {
  ContainerError,
  type ContainerFormat,
  type ContainerLimits,
  type PageInput,
  type PageQuality,
} from './common.js';
import { isPbm, readPbm, writePbm } from './pbm.js';
import { isSff, readSff, writeSff } from './sff.js';
import { isTiff, readTiff, type TiffWriteOptions, validateTiffF, writeTiff } from './tiff.js';

/** The container format from the first bytes (magic numbers), or undefined. */
export function detectFormat(data: Uint8Array): ContainerFormat | undefined {
  if (isTiff(data)) return 'tiff';
  if (isSff(data)) return 'sff';
  if (isPbm(data)) return 'pbm';
  return undefined;
}

/** The container format for a file name's extension (.pbm, .tif, .tiff, .sff), or undefined. */
export function formatFromFileName(name: string): ContainerFormat | undefined {
  const m = /\.([A-Za-z]+)$/.exec(name);
  switch (m?.[1].toLowerCase()) {
    case 'pbm':
      return 'pbm';
    case 'tif':
    case 'tiff':
      return 'tiff';
    case 'sff':
      return 'sff';
    default:
      return undefined;
  }
}

export interface FaxDocumentPageInfo {
  width: number;
  height: number;
  resolution: VerticalResolution;
  /** How the page is coded in the file: mh, mr, mmr, none (uncompressed), packbits, raw (PBM). */
  coding: string;
  /** Rows the decoder could not decode (replaced). */
  badLines: number;
  consecutiveBadLines: number;
  /** Format-specific details (TIFF tags, SFF header fields, PBM variant). */
  details: Record<string, unknown>;
}

export interface FaxDocumentPage {
  page: BilevelPage;
  quality: PageQuality;
  info: FaxDocumentPageInfo;
}

export interface FaxDocument {
  format: ContainerFormat;
  pages: FaxDocumentPage[];
  /** Document-level details (TIFF byte order, SFF document header). */
  details: Record<string, unknown>;
}

export interface ReadFaxDocumentOptions {
  limits?: Partial<ContainerLimits>;
  /** Resolution for formats that do not store one (PBM). Default 'fine'. */
  resolution?: VerticalResolution;
}

/** Detects the format and reads every page. Throws ContainerError for unknown or bad data. */
export function readFaxDocument(data: Uint8Array, options: ReadFaxDocumentOptions = {}): FaxDocument {
  const format = detectFormat(data);
  switch (format) {
    case 'pbm': {
      const doc = readPbm(data, options);
      return {
        format,
        details: {},
        pages: doc.pages.map((page, i) => ({
          page,
          quality: { badLines: 0, consecutiveBadLines: 0 },
          info: {
            width: page.width,
            height: page.height,
            resolution: page.resolution,
            coding: 'raw',
            badLines: 0,
            consecutiveBadLines: 0,
            details: { variant: doc.info[i].variant, comments: doc.info[i].comments },
          },
        })),
      };
    }
    case 'tiff': {
      const doc = readTiff(data, options);
      return {
        format,
        details: { byteOrder: doc.byteOrder },
        pages: doc.pages.map((p) => {
          const { index: _i, ifdOffset: _o, width, height, resolution, coding, ...rest } = p.info;
          return {
            page: p.page,
            quality: p.quality,
            info: {
              width,
              height,
              resolution,
              coding,
              badLines: p.quality.badLines,
              consecutiveBadLines: p.quality.consecutiveBadLines,
              details: { ...rest, classF: validateTiffF(p.info, doc.pages.length) },
            },
          };
        }),
      };
    }
    case 'sff': {
      const doc = readSff(data, options);
      return {
        format,
        details: { header: doc.header, trailingBytes: doc.trailingBytes },
        pages: doc.pages.map((p) => {
          const { index: _i, width, height, resolution, coding: codingCode, ...rest } = p.info;
          return {
            page: p.page,
            quality: p.quality,
            info: {
              width,
              height,
              resolution,
              coding: 'mh',
              badLines: p.quality.badLines,
              consecutiveBadLines: p.quality.consecutiveBadLines,
              details: { ...rest, codingCode },
            },
          };
        }),
      };
    }
    default:
      throw new ContainerError(
        'unknown',
        data.length === 0 ? 'truncated' : 'garbage',
        data.length === 0 ? 'the file is empty' : 'unknown file format (not PBM, TIFF or SFF)',
      );
  }
}

export interface WriteFaxDocumentOptions {
  /** TIFF: mh (default), mr, mmr. SFF is always MH; PBM is uncompressed. */
  coding?: Coding;
  /** TIFF FillOrder (default 1). */
  fillOrder?: 1 | 2;
  /** TIFF: further writer options. */
  tiff?: Omit<TiffWriteOptions, 'coding' | 'fillOrder'>;
  /** SFF: code runs of white rows as skip records (default true). */
  whiteSkip?: boolean;
}

/** Writes pages into the given container format. */
export function writeFaxDocument(
  format: ContainerFormat,
  pages: readonly PageInput[],
  options: WriteFaxDocumentOptions = {},
): Uint8Array {
  switch (format) {
    case 'pbm':
      return writePbm(pages);
    case 'tiff':
      return writeTiff(pages, {
        ...options.tiff,
        coding: options.coding ?? 'mh',
        fillOrder: options.fillOrder ?? 1,
      });
    case 'sff':
      return writeSff(pages, { whiteSkip: options.whiteSkip ?? true });
  }
}
