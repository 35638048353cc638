// TIFFs neither our reader nor libvips can decode are refused with one line that names what
// the file is (not libvips' repeated decoder messages).
import { describe, expect, it } from 'vitest';
import { createPage, setPixel } from '../page.js';
import { uncompressedTiff } from '../test-support/tiff-writer.js';
import { UnsupportedDocumentError } from './errors.js';
import { renderJob } from './job.js';
import { DEFAULT_LIMITS } from './types.js';

/** An uncompressed TIFF whose Compression tag (259) is changed to `compression`. */
function tiffWithCompression(compression: number): Uint8Array {
  const page = createPage(64, 32, 'fine');
  for (let x = 0; x < 64; x++) setPixel(page, x, 16, true);
  const bytes = uncompressedTiff(page);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = dv.getUint32(4, true);
  for (let i = 0; i < dv.getUint16(ifd, true); i++) {
    const e = ifd + 2 + i * 12;
    if (dv.getUint16(e, true) === 259) dv.setUint16(e + 8, compression, true);
  }
  return bytes;
}

describe('image refusals', () => {
  it('a JBIG TIFF (Compression 34661, 9, 10) is refused as such, in one line', async () => {
    for (const c of [34661, 9, 10]) {
      const err = await renderJob(tiffWithCompression(c), {}, { limits: DEFAULT_LIMITS }).catch((e) => e);
      expect(err).toBeInstanceOf(UnsupportedDocumentError);
      expect(err.message).toContain(`TIFF with JBIG compression (${c})`);
      expect(err.message).not.toContain('\n');
    }
  });

  it('another undecodable compression gets a one-line error from libvips', async () => {
    const err = await renderJob(tiffWithCompression(34712), {}, { limits: DEFAULT_LIMITS }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).not.toContain('\n');
    expect(err.message.length).toBeGreaterThan(10);
  });

  it('the same TIFF uncompressed is rendered (the test file itself is sound)', async () => {
    const r = await renderJob(tiffWithCompression(1), {}, { limits: DEFAULT_LIMITS });
    expect(r.pageCount).toBe(1);
  });
});
