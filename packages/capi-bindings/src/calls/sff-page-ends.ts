/**
 * Where the pages of an SFF document end, found while it streams out (capi-reference §8.8):
 * a page ends where the next page header or the end-of-document record (both 0xFE) begins.
 * Records are walked, never searched for 0xFE, so coded line bytes are never mistaken for one.
 * Used to count the pages a B3 4 call got through when the card reports no page count.
 */
export class SffPageEnds {
  /** Byte offsets at which a page's data is complete (the offset of the record after it). */
  private readonly ends: number[] = [];
  private readonly header: number[] = [];
  /** Absolute offset of the next byte to look at. */
  private pos = 0;
  /** Bytes still to skip (the rest of a record whose length is known). */
  private skip = 0;
  /** Offset where record parsing starts (the first page header), known once the header is read. */
  private first = -1;
  /** A record byte waiting for its length byte(s): 0 (u16 follows), 254 or 255 (u8 follows). */
  private pending: { kind: number; at: number; bytes: number[] } | undefined;
  private pagesSeen = 0;
  private done = false;

  /** Feeds the next bytes of the document (in order). */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.done) {
      const at = this.pos;
      if (this.first < 0) {
        // The 20-byte document header; bytes 10–11: offset of the first page header.
        this.header.push(chunk[i]);
        i++;
        this.pos++;
        if (this.header.length === 20) this.first = this.header[10] | (this.header[11] << 8);
        continue;
      }
      if (this.pos < this.first) {
        const n = Math.min(chunk.length - i, this.first - this.pos);
        i += n;
        this.pos += n;
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(chunk.length - i, this.skip);
        i += n;
        this.pos += n;
        this.skip -= n;
        continue;
      }
      const b = chunk[i];
      i++;
      this.pos++;
      const p = this.pending;
      if (p) {
        p.bytes.push(b);
        if (p.kind === 0) {
          if (p.bytes.length === 2) {
            this.skip = p.bytes[0] | (p.bytes[1] << 8);
            this.pending = undefined;
          }
        } else {
          this.pending = undefined;
          if (p.kind === 254) {
            // A page header (length 16 …) or, with length 0, the end of the document.
            if (this.pagesSeen > 0) this.ends.push(p.at);
            if (b === 0) this.done = true;
            else this.pagesSeen++;
          }
          this.skip = b;
        }
        continue;
      }
      if (b >= 1 && b <= 216) this.skip = b;
      else if (b === 0 || b === 254 || b === 255) this.pending = { kind: b, at, bytes: [] };
      // 217…253: white lines, no data follows
    }
  }

  /** Pages whose data lies wholly within the first `bytes` bytes of the document. */
  pagesWithin(bytes: number): number {
    let n = 0;
    for (const end of this.ends) if (end <= bytes) n++;
    return n;
  }
}
