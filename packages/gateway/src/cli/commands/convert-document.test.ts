// faxgate convert renders documents as a submission does: a PDF and a text file give the pages
// the API stores for the same file (count and every pixel), a cover page too; a document over
// the intake budget and a hostile image are refused with the API's own message; and
// the configured render sandbox (bubblewrap by default) is the one used.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { type BilevelPage, pagesEqual, readFaxDocument } from '@faxgate/fax-core';
import { afterAll, describe, expect, it } from 'vitest';
import { client, faxForm, useApiFixture } from '../../test-support/api-fixture.js';
import { runFaxgate } from '../../testing/run-cli.js';

const MAX_PAGES = 4;
const f = useApiFixture({ intake: { maxPages: MAX_PAGES } });
const dir = mkdtempSync(path.join(os.tmpdir(), 'faxgate-convert-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);
const configFile = file('faxgate.yaml');
writeFileSync(configFile, `logging:\n  level: warn\nintake:\n  maxPages: ${MAX_PAGES}\n`);
const convert = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runFaxgate(['--config', configFile, 'convert', ...args], env);

/** A PDF of one page per text, Helvetica 12 pt, A4. */
function textPdf(pages: string[]): Uint8Array {
  const objs: string[] = [];
  const kids = pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ');
  objs.push('<< /Type /Catalog /Pages 2 0 R >>');
  objs.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  pages.forEach((text, i) => {
    const lines = text.split('\n').map((l, j) => `BT /F1 12 Tf 72 ${770 - 16 * j} Td (${l}) Tj ET`);
    const stream = lines.join('\n');
    objs.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`,
    );
    objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  });
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

/** A PNG whose header claims 60000 × 60000 pixels (a decompression bomb by its size alone). */
function hugePng(): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60_000, 0);
  ihdr.writeUInt32BE(60_000, 4);
  ihdr[8] = 1; // bit depth 1, greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(7501))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const LETTER = `Dear Bob,\n${Array.from({ length: 30 }, (_, i) => `line ${i + 1} of the letter: Gruesse aus Berlin`).join('\n')}\nAlice\n`;

async function submitted(fields: Record<string, string>, name: string, data: Uint8Array) {
  const r = await client(f, 'alice')('/api/v1/faxes', {
    method: 'POST',
    body: faxForm({ number: '030 5551000', ...fields }, [{ name, data }]),
  });
  return r;
}

/** The pages the gateway stored for a fax, as its TIFF document. */
async function storedPages(id: number): Promise<BilevelPage[]> {
  const r = await client(f, 'alice')(`/api/v1/faxes/${id}/document?format=tiff`);
  expect(r.status).toBe(200);
  return readFaxDocument(new Uint8Array(await r.arrayBuffer())).pages.map((p) => p.page);
}

async function previewPages(input: string, out: string, extra: string[] = []): Promise<BilevelPage[]> {
  const r = await convert([input, out, ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/rendered as a submission/);
  return readFaxDocument(readFileSync(out)).pages.map((p) => p.page);
}

function expectSamePages(a: BilevelPage[], b: BilevelPage[]) {
  expect(a.length).toBe(b.length);
  a.forEach((p, i) => {
    expect([p.width, p.height, p.resolution]).toEqual([b[i].width, b[i].height, b[i].resolution]);
    expect(pagesEqual(p, b[i])).toBe(true);
  });
}

describe('faxgate convert, documents', () => {
  it('renders a PDF into TIFF pages equal to what a submission of it stores (fine and standard)', async () => {
    const pdf = textPdf(['Page one of the preview test', 'Page two\nwith a second line']);
    writeFileSync(file('letter.pdf'), pdf);
    for (const resolution of ['fine', 'standard'] as const) {
      const r = await submitted({ resolution }, 'letter.pdf', pdf);
      expect(r.status).toBe(201);
      const { fax } = (await r.json()) as { fax: { id: number } };
      const stored = await storedPages(fax.id);
      expect(stored).toHaveLength(2);
      const preview = await previewPages(file('letter.pdf'), file(`letter-${resolution}.tif`), [
        '--resolution',
        resolution,
      ]);
      expectSamePages(preview, stored);
    }
  }, 180_000);

  it('renders a text file into SFF and PBM pages equal to the stored ones, and with a cover page in front', async () => {
    writeFileSync(file('letter.txt'), LETTER);
    const r = await submitted({}, 'letter.txt', new TextEncoder().encode(LETTER));
    expect(r.status).toBe(201);
    const stored = await storedPages(((await r.json()) as { fax: { id: number } }).fax.id);
    expectSamePages(await previewPages(file('letter.txt'), file('letter.sff')), stored);
    expectSamePages(await previewPages(file('letter.txt'), file('letter.pbm')), stored);

    // The cover page shows the time to the minute: the API's equals the preview made just
    // before or just after it.
    const cover = ['--to-name', 'Bob Example', '--comment', 'see attached', '--subject', 'Offer'];
    const sender = ['--from', 'alice', '--from-fax', '+49301234567', '-d', '030 5551000'];
    const before = await previewPages(file('letter.txt'), file('cover-1.tif'), [...cover, ...sender]);
    const c = await submitted(
      { cover: 'true', coverToName: 'Bob Example', coverComment: 'see attached', subject: 'Offer' },
      'letter.txt',
      new TextEncoder().encode(LETTER),
    );
    expect(c.status).toBe(201);
    const after = await previewPages(file('letter.txt'), file('cover-2.tif'), [...cover, ...sender]);
    const withCover = await storedPages(((await c.json()) as { fax: { id: number } }).fax.id);
    expect(withCover).toHaveLength(stored.length + 1);
    expectSamePages(withCover.slice(1), stored);
    const same = [before, after].filter((p) => pagesEqual(p[0], withCover[0]));
    expect(same.length).toBeGreaterThan(0);
    expectSamePages(same[0], withCover);
  }, 240_000);

  it('renders several documents in one command into the pages one submission of them all stores, in order', async () => {
    const pdf = textPdf(['First document, one page']);
    const text = 'Second document\nplain text\n';
    writeFileSync(file('first.pdf'), pdf);
    writeFileSync(file('second.txt'), text);
    const form = faxForm({ number: '030 5551000' }, [
      { name: 'first.pdf', data: pdf },
      { name: 'second.txt', data: new TextEncoder().encode(text) },
    ]);
    const r = await client(f, 'alice')('/api/v1/faxes', { method: 'POST', body: form });
    expect(r.status).toBe(201);
    const stored = await storedPages(((await r.json()) as { fax: { id: number } }).fax.id);
    expect(stored).toHaveLength(2);
    const out = await convert([file('first.pdf'), file('second.txt'), file('both.tif')]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/first\.pdf \+ .*second\.txt \(rendered as a submission, 2 pages\)/);
    expectSamePages(
      readFaxDocument(readFileSync(file('both.tif'))).pages.map((p) => p.page),
      stored,
    );
    // one submission's budget (4 pages) for all of them, refused with the API's message
    const three = textPdf(['a', 'b', 'c']);
    writeFileSync(file('three.pdf'), three);
    const api = await client(f, 'alice')('/api/v1/faxes', {
      method: 'POST',
      body: faxForm({ number: '030 5551000' }, [
        { name: 'three.pdf', data: three },
        { name: 'first.pdf', data: pdf },
        { name: 'second.txt', data: new TextEncoder().encode(text) },
      ]),
    });
    expect(api.status).toBe(400);
    const message = ((await api.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/5 pages in this submission/);
    const over = await convert([file('three.pdf'), file('first.pdf'), file('second.txt'), file('over.tif')]);
    expect(over.code).toBe(2);
    expect(over.stderr).toBe(`faxgate: ${message}\n`);
  }, 180_000);

  it('refuses a document over the intake budget with the message the API gives', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `row ${i + 1}`).join('\n');
    writeFileSync(file('long.txt'), long);
    const api = await submitted({}, 'long.txt', new TextEncoder().encode(long));
    expect(api.status).toBe(400);
    const message = ((await api.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/^long\.txt: .*more than 4 pages/);
    const r = await convert([file('long.txt'), file('long.tif')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faxgate: ${message}\n`);
  }, 120_000);

  it('refuses a hostile image with the message the API gives, and writes nothing', async () => {
    writeFileSync(file('bomb.png'), hugePng());
    const api = await submitted({}, 'bomb.png', hugePng());
    expect(api.status).toBe(422);
    const message = ((await api.json()) as { error: { message: string } }).error.message;
    expect(message).toMatch(/^bomb\.png: /);
    const r = await convert([file('bomb.png'), file('bomb.tif')]);
    expect(r.stderr).toBe(`faxgate: ${message}\n`);
    expect(r.code).toBe(2);
    expect(() => readFileSync(file('bomb.tif'))).toThrow(/ENOENT/);
  }, 120_000);

  it("takes the sandbox from the configuration: render.sandbox none renders with the gateway's loud warning", async () => {
    // (The other cases run with the default, bubblewrap, and print no warning at all.)
    const none = file('none.yaml');
    writeFileSync(none, 'logging:\n  level: warn\nrender:\n  sandbox: none\n');
    writeFileSync(file('short.txt'), 'hello\n');
    const r = await runFaxgate(['--config', none, 'convert', file('short.txt'), file('short.tif')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^WARNING: .*sandbox/im);
  }, 60_000);
});
