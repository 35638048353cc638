import { createPage, getPixel, writeFaxDocument } from '@faxgate/fax-core';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { checkCoverRequest, coverOptions } from './cover.js';
import { createDocumentLoader } from './load-pages.js';

const { config } = validateConfig(
  { cover: { senderOrganisation: 'Muster GmbH', senderPhone: '+49 30 1234-0' } },
  {},
);

function blackPixels(p: { width: number; height: number }, page: Parameters<typeof getPixel>[0]): number {
  let n = 0;
  for (let y = 0; y < p.height; y += 2) for (let x = 0; x < p.width; x += 2) n += getPixel(page, x, y);
  return n;
}

describe('cover page', () => {
  it('takes the sender block from the configuration and the account, the rest from the request', () => {
    const o = coverOptions(
      config,
      { name: 'alice', displayName: 'Alice Adler', faxNumber: '+49301234567' },
      { number: '030 5551000', subject: 'Angebot' },
      { toName: 'Frau Weber', urgency: 'urgent' },
      new Date('2026-11-27T10:00:00Z'),
    );
    expect(o).toMatchObject({
      senderOrganisation: 'Muster GmbH',
      senderName: 'Alice Adler',
      senderPhone: '+49 30 1234-0',
      senderFax: '+49301234567',
      recipientName: 'Frau Weber',
      recipientFax: '030 5551000',
      subject: 'Angebot',
      urgency: 'urgent',
    });
  });

  it('refuses overlong fields and unknown urgencies', () => {
    expect(checkCoverRequest({ toName: 'x'.repeat(201) })).toMatch(/toName/);
    expect(checkCoverRequest({ comment: 'x'.repeat(4001) })).toMatch(/comment/);
    expect(checkCoverRequest({ urgency: 'soon' as never })).toMatch(/urgency/);
    expect(checkCoverRequest({ toName: 'Frau Weber', urgency: 'confidential' })).toBeNull();
  });

  it('is drawn in front of the document, and what it says changes the page', async () => {
    const loader = createDocumentLoader();
    try {
      const doc = {
        name: 'blank.tif',
        data: writeFaxDocument('tiff', [createPage(1728, 400, 'fine')], { coding: 'mmr' }),
      };
      const base = coverOptions(config, { name: 'alice', displayName: '' }, { number: '5551000' }, {});
      const a = await loader.load([doc], 'fine', base);
      const b = await loader.load([doc], 'fine', { ...base, recipientName: 'Someone Else Entirely' });
      expect(a).toHaveLength(2);
      expect(a[1].height).toBe(400);
      expect(a[0].width).toBe(1728);
      expect(a[0].height).toBeGreaterThan(2000); // an A4 page at fine resolution
      expect(blackPixels(a[0], a[0])).toBeGreaterThan(1000);
      expect(Buffer.compare(Buffer.from(a[0].data), Buffer.from(b[0].data))).not.toBe(0);
      expect(await loader.load([doc], 'fine')).toHaveLength(1);
    } finally {
      await loader.close();
    }
  });
});
