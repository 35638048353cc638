// The simulator's two uses of SFF, both through fax-core (no SFF parsing here):
// - SffWatcher follows what an application sends, block by block, so the remote fax reacts
//   per page (refuses fine pages, hangs up after page k) and rejects bad coding at once;
// - buildSff turns pages into the SFF stream a remote fax sender transmits.
import { type BilevelPage, ContainerError, type SffPage, SffReader, sffChunks } from '@faxgate/fax-core';

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

export class SffWatcher {
  // requireEnd false: a stream stopped between records is the sender's abort, not a coding error.
  private readonly reader = new SffReader({ limits: WATCH_LIMITS, requireEnd: false });
  private readonly chunks: Buffer[] = [];
  private size = 0;
  readonly pages: BilevelPage[] = [];

  /** Feeds one DATA_B3 block; returns the pages it completed. Throws SffCodingError. */
  push(chunk: Uint8Array): BilevelPage[] {
    if (this.size + chunk.length > MAX_RAW) throw new SffCodingError(`document over ${MAX_RAW} bytes`);
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.length;
    return this.take(() => this.reader.push(chunk));
  }

  /** The sender ends the stream. Throws SffCodingError when it stops inside a record. */
  end(): BilevelPage[] {
    return this.take(() => this.reader.end());
  }

  get complete(): boolean {
    return this.reader.complete;
  }

  get byteCount(): number {
    return this.size;
  }

  /** Every byte received so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }

  private take(fn: () => SffPage[]): BilevelPage[] {
    let got: SffPage[];
    try {
      got = fn();
    } catch (e) {
      if (e instanceof ContainerError) throw new SffCodingError(e.message);
      throw e;
    }
    const pages = got.map((p) => p.page);
    this.pages.push(...pages);
    return pages;
  }
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
