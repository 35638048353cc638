// A received fax forwarded to an e-mail address reaches a real SMTP relay (smtp-server with
// STARTTLS + AUTH, mail/test-support/relay.ts) through the endpoint, the mail outbox and the
// mail worker: the outbox row, mail.queued and fax.forward commit together, and the PDF that
// arrives holds exactly the fax's pages (its CCITT images decoded and compared pixel for pixel).
import { type BilevelPage, decodePage, pagesEqual, readTiff } from '@faxgate/fax-core';
import { faxes, faxPages, grants } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import { createGatewayLogger } from '../logger.js';
import { mailSchema } from '../mail/config.js';
import { startTestRelay, type TestRelay } from '../mail/test-support/relay.js';
import { startMailWorker } from '../mail/worker.js';
import { client, testTiff, useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture();
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay();
  await grants.grant(f.db, { user: 'bob', mailbox: 'sales-in', right: 'in.forward' });
});
afterAll(async () => {
  await relay?.close();
});

/** The CCITT G4 images of a PDF written by writeFaxPdf, decoded. */
function pdfPages(pdf: Buffer): BilevelPage[] {
  const text = pdf.toString('latin1');
  const re = /\/Subtype \/Image \/Width (\d+) \/Height (\d+)[\s\S]*?\/Length (\d+) >>\nstream\n/g;
  const pages: BilevelPage[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const data = new Uint8Array(pdf.subarray(start, start + Number(m[3])));
    pages.push(decodePage(data, { coding: 'mmr', width: Number(m[1]), height: Number(m[2]) }).page);
  }
  return pages;
}

async function received() {
  const fax = await faxes.insert(f.db, {
    direction: 'in',
    state: 'received',
    mailboxId: f.salesIn,
    remoteNumber: '+49891234567',
    remoteStationId: '+49 89 1234567',
    pagesTotal: 2,
    pagesDone: 2,
    completedAt: new Date(),
  });
  for (const i of [1, 2]) await faxPages.add(f.db, fax.id, { pageNo: i, tiff: testTiff(1, 220 + i * 20) });
  return fax;
}

describe('forward to an e-mail address', () => {
  it('queues the fax as a PDF in the outbox and the relay gets exactly its pages', async () => {
    const fax = await received();
    const r = await client(f, 'bob')(`/api/v1/faxes/${fax.id}/forward`, {
      method: 'POST',
      json: { to: { email: 'Carol@Example.ORG' }, note: 'please file this' },
    });
    expect(r.status).toBe(201);
    const body = (await r.json()) as {
      outcome: string;
      target: string;
      mailId: number;
      fax: { state: string };
    };
    expect(body).toMatchObject({
      outcome: 'mailed',
      target: 'email:Carol@example.org',
      fax: { state: 'delivered' },
    });
    const row = await f.db('mail_outbox').where({ id: body.mailId }).first();
    expect(row).toMatchObject({
      purpose: 'fax.forward',
      fax_id: fax.id,
      recipients: ['Carol@example.org'],
      state: 'queued',
    });
    const queued = await f
      .db('audit_events')
      .where({ type: 'mail.queued', subject: `mail:${body.mailId}` })
      .first();
    expect(queued).toMatchObject({ actor: 'bob', fax_id: fax.id });
    const forward = await f.db('audit_events').where({ type: 'fax.forward', fax_id: fax.id }).first();
    expect(forward).toMatchObject({ actor: 'bob' });
    expect(forward.details).toMatchObject({
      to: 'email:Carol@example.org',
      kind: 'email',
      mailId: body.mailId,
      note: 'please file this',
    });

    const worker = startMailWorker({
      config: mailSchema.parse({
        enabled: true,
        pollIntervalSeconds: 0.05,
        smtp: {
          host: '127.0.0.1',
          port: relay.port,
          tls: 'starttls',
          caFile: relay.caFile,
          user: relay.user,
          passwordFile: relay.passwordFile,
          from: 'faxgate@example.org',
        },
      }),
      db: f.db,
      log: createGatewayLogger(validateConfig({ logging: { level: 'error' } }, {}).config, 'forward-test'),
      actor: 'gateway:test',
    });
    try {
      await relay.waitFor(1);
    } finally {
      await worker.stop();
    }
    const got = relay.received[0];
    expect(got.envelopeTo).toEqual(['Carol@example.org']);
    expect(got.mail.subject).toBe('Fax from +49891234567 (2 pages), forwarded by bob');
    expect(got.mail.text).toContain('please file this');
    expect(got.mail.text).toContain(`Fax id:      ${fax.id}`);
    const [pdf] = got.mail.attachments;
    expect([pdf.filename, pdf.contentType]).toEqual([`fax-${fax.id}.pdf`, 'application/pdf']);
    const stored: BilevelPage[] = [];
    for (const i of [1, 2]) stored.push(readTiff((await faxPages.get(f.db, fax.id, i)).tiff).pages[0].page);
    const mailed = pdfPages(pdf.content);
    expect(mailed).toHaveLength(2);
    expect(mailed.map((p, i) => pagesEqual(p, stored[i]))).toEqual([true, true]);
  });

  it('refuses an address that is not a plain one (400): nothing queued, nothing forwarded', async () => {
    const fax = await received();
    const before = Number((await f.db('mail_outbox').count({ n: '*' }))[0].n);
    for (const email of [
      'Carol <carol@example.org>',
      'carol@example.org, eve@example.org',
      'carol@localhost',
    ]) {
      const r = await client(f, 'bob')(`/api/v1/faxes/${fax.id}/forward`, {
        method: 'POST',
        json: { to: { email } },
      });
      expect(r.status, email).toBe(400);
    }
    expect(Number((await f.db('mail_outbox').count({ n: '*' }))[0].n)).toBe(before);
    expect((await faxes.get(f.db, fax.id)).state).toBe('received');
  });
});
