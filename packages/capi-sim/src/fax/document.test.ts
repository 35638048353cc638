import { getPixel } from '@faxgate/fax-core';
import { describe, expect, it } from 'vitest';
import { SimDocumentError } from '../errors.js';
import { loadDocument } from './document.js';

/** A one-page A4 PDF with one black rectangle, written by hand (offsets computed). */
function tinyPdf(): Buffer {
  const content = '0 0 0 rg 100 600 300 100 re f\n';
  const objs = [
    '<</Type/Catalog/Pages 2 0 R>>',
    '<</Type/Pages/Kids[3 0 R]/Count 1>>',
    '<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>',
    `<</Length ${content.length}>>stream\n${content}endstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<</Size ${objs.length + 1}/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('loadDocument', () => {
  it('renders a PDF through the fax-core render pool', async () => {
    const pages = await loadDocument(tinyPdf());
    expect(pages).toHaveLength(1);
    const p = pages[0];
    expect(p.width).toBe(1728);
    // The rectangle spans x 100..400 pt, y (from top) 142..242 pt of 842.
    const y = Math.round((192 / 842) * p.height);
    expect(getPixel(p, Math.round((250 / 595) * 1728), y)).toBe(1);
    expect(getPixel(p, Math.round((500 / 595) * 1728), y)).toBe(0);
  });

  it('refuses what it cannot read with a typed error', async () => {
    await expect(loadDocument(Buffer.from('hello'))).rejects.toThrow(SimDocumentError);
    await expect(loadDocument([])).rejects.toThrow(SimDocumentError);
  });
});
