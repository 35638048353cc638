// AcroForm fields on generated forms: the value is drawn where the field is, with and without
// appearance streams (NeedAppearances), upright and turned, at non-square fax pixels.
import { PDFBool, PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { type BilevelPage, getPixel, type VerticalResolution } from '../page.js';
import { type PdfRenderOptions, renderPdf } from './pdf.js';
import { DEFAULT_LIMITS } from './types.js';

const options = (o: Partial<PdfRenderOptions> = {}): PdfRenderOptions => ({
  resolution: 'fine',
  dither: 'none',
  threshold: 160,
  limits: DEFAULT_LIMITS,
  extraPages: 0,
  rotateLandscape: true,
  ...o,
});

/** Field rectangles in points, PDF coordinates (origin bottom left). */
const NAME = { x: 60, y: 700, width: 220, height: 30 };
const TICK = { x: 320, y: 700, width: 30, height: 30 };

interface FormSpec {
  size?: [number, number];
  value?: string;
  checked?: boolean;
  /** Drop every appearance stream and set NeedAppearances: the viewer must build them. */
  needAppearances?: boolean;
  /** The text field's annotation flags (/F); pdf-lib writes 4, Print. */
  flags?: number;
}

async function makeForm(spec: FormSpec = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage(spec.size ?? [595, 842]);
  const form = doc.getForm();
  const name = form.createTextField('name');
  if (spec.value !== undefined) name.setText(spec.value);
  const dy = page.getHeight() - 842; // same distance from the top on every page size
  name.addToPage(page, { ...NAME, y: NAME.y + dy, borderWidth: 0 });
  if (spec.flags !== undefined)
    for (const w of name.acroField.getWidgets()) w.dict.set(PDFName.of('F'), PDFNumber.of(spec.flags));
  const tick = form.createCheckBox('agree');
  tick.addToPage(page, { ...TICK, y: TICK.y + dy, borderWidth: 0 });
  if (spec.checked) tick.check();
  if (!spec.needAppearances) return doc.save();
  for (const field of form.getFields())
    for (const w of field.acroField.getWidgets()) w.dict.delete(PDFName.of('AP'));
  form.acroForm.dict.set(PDFName.of('NeedAppearances'), PDFBool.True);
  return doc.save({ updateFieldAppearances: false });
}

const DPI: Record<VerticalResolution, number> = { standard: 98, fine: 196, superfine: 391 };

/** Black pixels inside a field's rectangle on an upright page (A4 is centred on the line). */
function inkUpright(p: BilevelPage, r: typeof NAME, pageH = 842, pageW = 595): number {
  const sx = 204 / 72;
  const sy = DPI[p.resolution] / 72;
  const off = Math.floor((1728 - Math.round((pageW / 72) * 204)) / 2);
  let n = 0;
  for (let y = Math.floor((pageH - r.y - r.height) * sy); y < Math.ceil((pageH - r.y) * sy); y++)
    for (let x = off + Math.floor(r.x * sx); x < off + Math.ceil((r.x + r.width) * sx); x++)
      n += getPixel(p, x, y);
  return n;
}

const total = (p: BilevelPage) => p.data.reduce((n, v) => n + popcount(v), 0);
function popcount(v: number): number {
  let n = 0;
  for (let x = v; x; x &= x - 1) n++;
  return n;
}

describe('AcroForm fields', () => {
  it('text and check box values with appearance streams are drawn inside their fields', async () => {
    const [p] = await renderPdf(await makeForm({ value: 'HELLO FORM', checked: true }), options());
    expect(inkUpright(p, NAME)).toBeGreaterThan(800);
    expect(inkUpright(p, TICK)).toBeGreaterThan(80);
    // nothing drawn outside the two fields (no highlight, no stray widget)
    expect(total(p)).toBe(inkUpright(p, NAME) + inkUpright(p, TICK));
  });

  it('NeedAppearances without appearance streams: the viewer-built appearance is drawn', async () => {
    const bytes = await makeForm({ value: 'HELLO FORM', checked: true, needAppearances: true });
    expect(Buffer.from(bytes).includes('/AP')).toBe(false);
    const [p] = await renderPdf(bytes, options());
    expect(inkUpright(p, NAME)).toBeGreaterThan(800);
    expect(inkUpright(p, TICK)).toBeGreaterThan(80);
  });

  it('an empty field and an unchecked box leave the page white, also dithered', async () => {
    for (const dither of ['none', 'floyd-steinberg'] as const) {
      const [p] = await renderPdf(await makeForm({}), options({ dither }));
      expect(total(p)).toBe(0);
    }
  });

  it('printed as a printer prints: the Print flag decides, not NoView (as Ghostscript)', async () => {
    const ink = async (flags: number) =>
      inkUpright((await renderPdf(await makeForm({ value: 'HELLO FORM', flags }), options()))[0], NAME);
    expect(await ink(4)).toBeGreaterThan(800); // Print
    expect(await ink(4 | 32)).toBeGreaterThan(800); // Print + NoView: on paper, not on screen
    expect(await ink(0)).toBe(0); // no Print flag: screen only
    expect(await ink(4 | 2)).toBe(0); // Hidden
  });

  it('fields keep their place at standard and superfine resolution (non-square pixels)', async () => {
    const bytes = await makeForm({ value: 'HELLO FORM', checked: true });
    for (const resolution of ['standard', 'superfine'] as const) {
      const [p] = await renderPdf(bytes, options({ resolution }));
      expect(inkUpright(p, NAME)).toBeGreaterThan(resolution === 'standard' ? 400 : 1600);
      expect(total(p)).toBe(inkUpright(p, NAME) + inkUpright(p, TICK));
    }
  });

  it('on a landscape page turned a quarter left, the field value turns with the page', async () => {
    const bytes = await makeForm({ size: [842, 595], value: 'HELLO FORM', checked: true });
    const [p] = await renderPdf(bytes, options());
    expect(p.height).toBeGreaterThan(2200); // turned: full A4 length
    // Turned left: the landscape top is the left edge, landscape x runs up from the bottom.
    // The field's box on the portrait page (its distance from the landscape top, across):
    const fromTop = 842 - NAME.y - NAME.height;
    const sx = 204 / 72;
    const sy = 196 / 72;
    const off = Math.floor((1728 - Math.round((595 / 72) * 204)) / 2);
    let inside = 0;
    for (let y = Math.floor((842 - NAME.x - NAME.width) * sy); y < Math.ceil((842 - NAME.x) * sy); y++)
      for (let x = off + Math.floor(fromTop * sx); x < off + Math.ceil((fromTop + NAME.height) * sx); x++)
        inside += getPixel(p, x, y);
    expect(inside).toBeGreaterThan(800);
    expect(inside).toBeGreaterThan(total(p) * 0.8); // the rest is the check mark
  });
});
