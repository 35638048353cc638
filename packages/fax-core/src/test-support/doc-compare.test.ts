import { describe, expect, it } from 'vitest';
import { createPage, setPixel } from '../page.js';
import { blockInk, fitToReference, inkBox, inkedBlocks, missingInkBlocks } from './doc-compare.js';

function dot(p: ReturnType<typeof createPage>, x: number, y: number): void {
  setPixel(p, x, y, true);
}

describe('missingInkBlocks', () => {
  it('counts ink per block', () => {
    const p = createPage(50, 30);
    dot(p, 0, 0);
    dot(p, 23, 23);
    dot(p, 24, 0);
    dot(p, 49, 29);
    const b = blockInk(p, 24);
    expect([b.cols, b.rows]).toEqual([3, 2]);
    expect(Array.from(b.ink)).toEqual([2, 1, 0, 0, 0, 1]);
    expect(inkedBlocks(p)).toBe(3);
  });

  it('finds a reference block with no ink near it in ours, and accepts ink one block away', () => {
    const ref = createPage(240, 240);
    const ours = createPage(240, 240);
    dot(ref, 100, 100); // block (4,4)
    dot(ours, 125, 125); // block (5,5): within slack 1
    dot(ref, 10, 200); // block (0,8): nothing in ours near it
    expect(missingInkBlocks(ours, ref)).toEqual([{ bx: 0, by: 8, ink: 1 }]);
    expect(missingInkBlocks(ours, ref, 24, 0).map((b) => [b.bx, b.by])).toEqual([
      [4, 4],
      [0, 8],
    ]);
  });

  it('ignores sparse reference blocks below minInk and treats ours beyond its size as white', () => {
    const ref = createPage(96, 96);
    const ours = createPage(48, 48);
    dot(ref, 80, 80);
    expect(missingInkBlocks(ours, ref, 24, 1, 2)).toEqual([]);
    expect(missingInkBlocks(ours, ref)).toEqual([{ bx: 3, by: 3, ink: 1 }]);
  });
});

describe('fitToReference', () => {
  it('scales and shifts ours so its ink box lands on the reference ink box', () => {
    const ours = createPage(100, 100);
    const ref = createPage(200, 200);
    for (let i = 10; i <= 49; i++) {
      dot(ours, i, 10); // a bar from (10,10) to (49,10) and a dot at (49,29)
      dot(ref, 40 + (i - 10) * 2, 30);
    }
    dot(ours, 49, 29);
    dot(ref, 119, 69);
    expect(inkBox(ours)).toEqual({ x0: 10, y0: 10, x1: 49, y1: 29 });
    const fitted = fitToReference(ours, ref);
    expect([fitted.width, fitted.height]).toEqual([200, 200]);
    expect(inkBox(fitted)).toEqual({ x0: 40, y0: 30, x1: 119, y1: 69 });
    expect(missingInkBlocks(fitted, ref, 8, 0)).toEqual([]);
    expect(inkBox(createPage(8, 8))).toBeNull();
  });
});
