// The budget of one submission (pages and pixels, all files together), checked from a cheap
// pre-scan of every fax file (TIFF image directories, SFF page headers, PBM headers) before any
// file is decoded: a submission over budget costs milliseconds, not a decode of every page.
import { ContainerError, detectFormat, type FaxFileScan, scanFaxFile } from '@faxgate/fax-core';
import { BudgetExceededError, type DocumentFile, DocumentInputError } from './errors.js';

export interface IntakeBudget {
  /** Pages of the whole submission (the cover page counts). */
  maxPages: number;
  /** Sum of width × height over the pages of the whole submission. */
  maxPixels: number;
}

/** A file with its pre-scan: a fax file (scan set) or a document for the renderer (scan undefined). */
export interface PlannedFile {
  file: DocumentFile;
  scan?: FaxFileScan;
}

const megapixels = (n: number) => `${Math.ceil(n / 1e6)} megapixels`;

/** What is spent so far; `add` throws a DocumentInputError naming the file that goes over. */
export class BudgetCounter {
  pages = 0;
  pixels = 0;
  constructor(readonly budget: IntakeBudget) {}

  /** Pages still allowed. */
  get pagesLeft(): number {
    return Math.max(0, this.budget.maxPages - this.pages);
  }

  add(file: string, pages: number, pixels: number): void {
    this.pages += pages;
    this.pixels += pixels;
    if (this.pages > this.budget.maxPages) {
      throw new BudgetExceededError(
        file,
        `${pages} page${pages === 1 ? '' : 's'} here make ${this.pages} pages in this submission; at most ${this.budget.maxPages} are accepted`,
      );
    }
    if (this.pixels > this.budget.maxPixels) {
      throw new BudgetExceededError(
        file,
        `${megapixels(pixels)} here make ${megapixels(this.pixels)} in this submission; at most ${megapixels(this.budget.maxPixels)} are accepted`,
      );
    }
  }
}

/**
 * Scans every fax file and counts it against the budget, in order; documents (PDF, images,
 * text) are counted once rendered. `reservedPages` are pages added later (a cover page).
 */
export function planSubmission(
  files: readonly DocumentFile[],
  counter: BudgetCounter,
  reservedPages = 0,
): PlannedFile[] {
  if (reservedPages > 0) counter.add('cover page', reservedPages, 0);
  return files.map((file) => {
    const format = detectFormat(file.data);
    if (!format && !isBigTiff(file.data)) return { file };
    let scan: FaxFileScan;
    try {
      // TIFF and PBM are walked page by page (at most maxPages), and the counter names the
      // pages first; an SFF is walked row by row, so its scan stops at the pixels left.
      scan = scanFaxFile(file.data, {
        maxPages: counter.budget.maxPages,
        maxPixels: format === 'sff' ? Math.max(0, counter.budget.maxPixels - counter.pixels) : undefined,
      });
    } catch (e) {
      if (e instanceof ContainerError) {
        if (e.code === 'limit' && / pixels$/.test(e.message))
          throw new BudgetExceededError(
            file.name,
            `with this file the submission has more than the ${megapixels(counter.budget.maxPixels)} accepted`,
          );
        if (e.code === 'limit')
          throw new BudgetExceededError(
            file.name,
            `${e.message} (a submission has at most ${counter.budget.maxPages} pages)`,
          );
        throw new DocumentInputError(file.name, e.message);
      }
      throw e;
    }
    counter.add(file.name, scan.pages, scan.pixels);
    return { file, scan };
  });
}

function isBigTiff(d: Uint8Array): boolean {
  return (
    d.length >= 4 &&
    ((d[0] === 0x49 && d[1] === 0x49 && d[2] === 43 && d[3] === 0) ||
      (d[0] === 0x4d && d[1] === 0x4d && d[2] === 0 && d[3] === 43))
  );
}
