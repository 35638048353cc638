// The simulator's two uses of SFF, both through fax-core (no SFF parsing here):
// - SffWatcher follows what an application sends, block by block, so the remote fax reacts
//   per page (refuses fine pages, hangs up after page k) and rejects bad coding at once. It
//   follows the records only (SffReader, rows 'skip'): the pixels are decoded from the bytes
//   when someone reads the received pages (decodeWatched), which most runs never do;
// - buildSff turns pages into the SFF stream a remote fax sender transmits.
import { type BilevelPage, ContainerError, type SffPageInfo, SffReader, sffChunks } from '@faxgate/fax-core';

export class SffCodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SffCodingError';
  }
}

/** Caps what a hostile application can make the remote fax decode. */
const WATCH_LIMITS = { maxPages: 200, maxTotalBytes: 64 * 1024 * 1024 };
/** Raw bytes kept per document (user-information records decode to nothing, so cap them too). */
const MAX_RAW = 16 * 1024 * 1024;
// requireEnd false: a stream stopped between records is the sender's abort, not a coding error.
const OPTIONS = { limits: WATCH_LIMITS, requireEnd: false };

/** What a watcher took in, enough to decode its pages later (decodeWatched). */
export interface WatchedDocument {
  /** Every byte received. */
  bytes: Buffer;
  /** Length of the prefix the watcher accepted: the blocks before a coding error. */
  accepted: number;
  /** end() accepted the stream (its last page counts). */
  ended: boolean;
  /** Pages to decode: the first this many the watcher counted. */
  pages: number;
}

export class SffWatcher {
  private readonly reader = new SffReader({ ...OPTIONS, rows: 'skip' });
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private accepted = 0;
  private ended = false;
  private count = 0;

  /** Feeds one DATA_B3 block; returns the pages it completed. Throws SffCodingError. */
  push(chunk: Uint8Array): SffPageInfo[] {
    if (this.size + chunk.length > MAX_RAW) throw new SffCodingError(`document over ${MAX_RAW} bytes`);
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.length;
    const pages = this.take(() => this.reader.push(chunk));
    this.accepted = this.size;
    return pages;
  }

  /** The sender ends the stream. Throws SffCodingError when it stops inside a record. */
  end(): SffPageInfo[] {
    const pages = this.take(() => this.reader.end());
    this.ended = true;
    return pages;
  }

  get complete(): boolean {
    return this.reader.complete;
  }

  get byteCount(): number {
    return this.size;
  }

  /** Pages completed so far (returned by push and end). */
  get pageCount(): number {
    return this.count;
  }

  /** Every byte received so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }

  /** The document so far, its first `pages` pages to be decoded (default: all counted). */
  document(pages = this.count): WatchedDocument {
    return {
      bytes: this.bytes(),
      accepted: this.accepted,
      ended: this.ended,
      pages: Math.min(pages, this.count),
    };
  }

  private take(fn: () => SffPageInfo[]): SffPageInfo[] {
    let got: SffPageInfo[];
    try {
      got = fn();
    } catch (e) {
      if (e instanceof ContainerError) throw new SffCodingError(e.message);
      throw e;
    }
    this.count += got.length;
    return got;
  }
}

/**
 * The pages of a watched document as pixels: what SffReader decodes from the accepted bytes
 * (corrupt lines repaired), the same pages the watcher counted.
 */
export function decodeWatched(doc: WatchedDocument): BilevelPage[] {
  if (doc.pages === 0) return [];
  const reader = new SffReader(OPTIONS);
  const got = reader.push(doc.bytes.subarray(0, doc.accepted));
  if (got.length < doc.pages && doc.ended) got.push(...reader.end());
  if (got.length < doc.pages)
    throw new Error(`decoded ${got.length} pages, the watcher counted ${doc.pages}`);
  return got.slice(0, doc.pages).map((p) => p.page);
}

export interface BuiltSff {
  bytes: Buffer;
  /** Byte offset where each page ends (the next page header or the end record starts there). */
  pageEnds: number[];
  fine: boolean;
}

/** The SFF stream a remote fax sends for these pages. */
export function buildSff(pages: readonly BilevelPage[]): BuiltSff {
  const chunks = sffChunks(pages);
  const pageEnds: number[] = [];
  let pos = chunks[0].length;
  for (let i = 1; i < chunks.length - 1; i++) {
    pos += chunks[i].length;
    pageEnds.push(pos);
  }
  return {
    bytes: Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.length))),
    pageEnds,
    fine: pages.some((p) => p.resolution !== 'standard'),
  };
}
