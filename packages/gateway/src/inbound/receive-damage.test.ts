// Received pages with bad rows are kept and said so (issue 16 item 2), at the boundary of the
// receiver and the store (the simulator re-encodes what it sends, so it cannot send a bad row):
// a page the real decoder repaired is committed as the receiver commits it, with real
// PostgreSQL; the fax record, recv.page, the API (detail and listing), `faxgate inbox` and the
// stored page's TIFF (what `faxgate info` reads) all say how much is damaged.
import fs from 'node:fs';
import path from 'node:path';
import { readFaxDocument } from '@faxgate/fax-core';
import { faxes, faxPages, grants, mailboxes, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTiff } from '../test-support/api-fixture.js';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';
import { commitPage, finishReceive, type Receiving } from './receive-store.js';

vi.setConfig({ testTimeout: 240_000 });

let f: CliApiFixture;
let faxId: number;
let bad: number;

/** testTiff's MMR page with zero bytes in its strip: the decoder repairs or misses rows. */
function damagedPage() {
  const t = new Uint8Array(testTiff(1, 300));
  t.fill(0, 8 + 60, 8 + 80);
  return readFaxDocument(t).pages[0];
}

beforeAll(async () => {
  const prefix = testRedisPrefix();
  f = await cliApiFixture(`logging:\n  level: warn\nredis:\n  keyPrefix: "${prefix}"\n`);
  await users.add(f.db, { name: 'alice', roles: ['user'] });
  const sales = await mailboxes.add(f.db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] });
  await grants.grant(f.db, { user: 'alice', mailbox: 'sales-in', right: 'in.read' });
  const fax = await faxes.insert(f.db, {
    direction: 'in',
    state: 'receiving',
    mailboxId: sales.id,
    localNumber: '+49303001',
    remoteNumber: '+49891234567',
    startedAt: new Date(),
    line: '1',
    metadata: { rule: 'test' },
  });
  const r: Receiving = {
    fax,
    pages: 0,
    started: new Date(),
    controller: 1,
    caller: '0891234567',
    actor: 'line:1',
  };
  const clean = readFaxDocument(testTiff(1, 200)).pages[0];
  const damaged = damagedPage();
  bad = damaged.quality.badLines;
  expect(bad).toBeGreaterThan(0);
  await commitPage(f.db, r, clean.page, clean.quality);
  await commitPage(f.db, r, damaged.page, damaged.quality);
  await finishReceive(f.db, r, {
    ok: true,
    cause: null,
    causeText: null,
    remoteStationId: 'SENDER',
    rate: 14400,
    conntimeSeconds: 30,
  });
  faxId = fax.id;
}, 120_000);
afterAll(async () => {
  await f?.close();
});

describe('a received fax with a damaged page', () => {
  it('keeps every page and records the damage on the fax and in recv.page', async () => {
    const fax = await faxes.get(f.db, faxId);
    expect(fax.state).toBe('received');
    expect(fax.pagesDone).toBe(2);
    expect(fax.damage).toEqual({ pages: 1, rows: bad });
    expect(fax.metadata.rule).toBe('test'); // the row's own metadata stays
    const pages = (await auditEvents(f.db)).filter(
      (e) => e.type === 'recv.page' && e.subject === `fax:${faxId}`,
    );
    expect(pages.map((e) => e.details.badLines ?? 0)).toEqual([0, bad]);
    expect(pages[1].details).toMatchObject({ page: 2, lastBadRow: 299 });
  });

  it("stores the damaged page's TIFF with BadFaxLines, which faxgate info --json shows", async () => {
    const stored = await faxPages.get(f.db, faxId, 2);
    const file = path.join(f.dir, 'received-page-2.tif');
    fs.writeFileSync(file, stored.tiff);
    const r = await f.as('alice', ['info', '--json', file]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { pageInfo: Array<Record<string, unknown>> };
    expect(info.pageInfo[0]).toMatchObject({ badFaxLines: bad, cleanFaxData: 1 });
    const clean = await faxPages.get(f.db, faxId, 1);
    expect(readFaxDocument(clean.tiff).pages[0].info.details).not.toHaveProperty('badFaxLines', bad);
  });

  it('shows the damage in the API (detail and listing) and in faxgate inbox', async () => {
    const auth = { authorization: `Bearer ${await f.token('alice')}` };
    const detail = await fetch(`${f.base}/api/v1/faxes/${faxId}`, { headers: auth });
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { damage?: unknown }).damage).toEqual({ pages: 1, rows: bad });
    const list = await fetch(`${f.base}/api/v1/faxes?direction=in`, { headers: auth });
    const items = ((await list.json()) as { items: Array<{ id: number; damage?: unknown }> }).items;
    expect(items.find((x) => x.id === faxId)?.damage).toEqual({ pages: 1, rows: bad });
    const token = (await f.as('alice', ['inbox', '--json'])) as { stdout: string; code: number };
    expect(token.code).toBe(0);
    const listed = JSON.parse(token.stdout) as Array<{ id: number; damaged: unknown }>;
    expect(listed.find((x) => x.id === faxId)?.damaged).toEqual({ pages: 1, rows: bad });
    const text = await f.as('alice', ['inbox']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${faxId} .*\\(damaged: 1 page, ${bad} bad rows\\)$`, 'm'));
  });
});
