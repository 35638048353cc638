// GIF through the job path (in-process): one frame is a picture like a PNG; an animation is
// refused with the reason, before any frame is decoded. Images generated here by sharp.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { blackPixels } from '../test-support/render-compare.js';
import { detectType } from './detect.js';
import { UnsupportedDocumentError } from './errors.js';
import { renderJob } from './job.js';
import { DEFAULT_LIMITS } from './types.js';

const run = (bytes: Uint8Array) => renderJob(bytes, { dither: 'none' }, { limits: DEFAULT_LIMITS });

/** A 200 dpi 8×5 cm picture: a black bar on white (left half), transparent elsewhere. */
async function frame(bar: boolean): Promise<Buffer> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="630" height="394">' +
    `<rect x="0" y="0" width="315" height="394" fill="#ffffff"/>` +
    (bar ? '<rect x="40" y="150" width="200" height="60" fill="#000000"/>' : '') +
    '</svg>';
  return sharp(Buffer.from(svg)).withMetadata({ density: 200 }).png().toBuffer();
}

describe('GIF', () => {
  it('a single-frame GIF is detected and rendered like a picture, transparency as white paper', async () => {
    const gif = await sharp(await frame(true))
      .gif()
      .toBuffer();
    expect(detectType(gif)).toBe('gif');
    const r = await run(gif);
    expect(r.sourceType).toBe('gif');
    expect(r.pageCount).toBe(1);
    const page = r.pages[0];
    expect(page.width).toBe(1728);
    // The bar is 200×60 px at 200 dpi: ~204×59 fax pels at 204×196 → ~12,000 black pels,
    // and nothing else is black (the transparent half came out white).
    const black = blackPixels(page);
    expect(black).toBeGreaterThan(10_000);
    expect(black).toBeLessThan(14_000);
  });

  it('an animated GIF is refused naming its frames, before it is drawn', async () => {
    const anim = await sharp([await frame(true), await frame(false), await frame(true)], {
      join: { animated: true },
    })
      .gif()
      .toBuffer();
    expect(detectType(anim)).toBe('gif');
    const err = await run(anim).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnsupportedDocumentError);
    expect((err as Error).message).toMatch(/animated GIF \(3 frames; a fax page shows one picture/);
  });

  it('a file that only starts like a GIF is not taken for one', () => {
    expect(() => detectType(new TextEncoder().encode('GIF8 and then text\u0001'))).toThrow(
      /unsupported document type/,
    );
  });
});
