// The log review API over real HTTP: audit.read only (403 + access.denied otherwise),
// reviews recorded and listed, the period report as JSON, CSV and HTML with remote numbers
// pseudonymised for the auditor (privacy.pseudonymiseNumbersFor) and clear for the admin.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent } from '@faxgate/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonymOf } from '../../review/pseudonym.js';
import { client, useApiFixture } from '../../test-support/api-fixture.js';
import { recordSampleSend } from '../../test-support/send-record.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-review-api-'));
const keyFile = path.join(dir, 'pseudonym.key');
const key = Buffer.alloc(32, 7);
fs.writeFileSync(keyFile, key, { mode: 0o600 });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const f = useApiFixture({ privacy: { pseudonymiseNumbersFor: ['auditor'], pseudonymKeyFile: keyFile } });
const from = new Date(Date.now() - 3600_000).toISOString();
const period = () => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date().toISOString())}`;

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

beforeAll(async () => {
  await f.db('faxes').insert([
    { direction: 'out', state: 'done', mailbox_id: f.aliceOut, remote_number: '+49305551000', pages_done: 2 },
    {
      direction: 'out',
      state: 'failed',
      mailbox_id: f.aliceOut,
      remote_number: '+49305551000',
      cause: 'busy',
    },
    {
      direction: 'in',
      state: 'received',
      mailbox_id: f.salesIn,
      remote_number: '+4989123456',
      pages_done: 1,
    },
  ]);
  await f.db.transaction(async (trx) => {
    await appendAuditEvent(trx, {
      type: 'lockdown.call_rejected',
      actor: 'lockdown',
      details: {
        rule: 'service',
        reason: 'telephony is not a fax service',
        caller: '+4989777000',
        called: '3001',
      },
    });
    await appendAuditEvent(trx, {
      type: 'config.change',
      actor: 'admin',
      subject: 'config:v2',
      details: { node: 'gw1', version: 2, comment: '<b>new blocklist</b>' },
    });
  });
});

describe('log review API', () => {
  it('refuses roles without audit.read with 403 and an access.denied event on every endpoint', async () => {
    for (const user of ['op', 'po', 'alice']) {
      const reqs = [
        client(f, user)('/api/v1/audit/reviews', {
          method: 'POST',
          json: { from, to: new Date().toISOString(), note: 'x' },
        }),
        client(f, user)('/api/v1/audit/reviews'),
        client(f, user)(`/api/v1/audit/review-report?${period()}`),
      ];
      for (const r of reqs) {
        expect((await r).status).toBe(403);
        expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
      }
    }
    expect(await f.db('audit_reviews').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('records a review for the auditor and lists it; a bad period is 400', async () => {
    const to = new Date().toISOString();
    const r = await client(f, 'audi')('/api/v1/audit/reviews', {
      method: 'POST',
      json: { from, to, note: 'all fine' },
    });
    expect(r.status).toBe(201);
    expect(await r.json()).toMatchObject({ from, to, note: 'all fine', reviewer: 'audi' });
    expect(await lastEvent()).toMatchObject({
      type: 'audit.review',
      actor: 'audi',
      details: { from, to, via: 'api' },
    });
    const list = await client(f, 'audi')('/api/v1/audit/reviews');
    expect(await list.json()).toMatchObject({
      intervalDays: 7,
      overdue: false,
      reviews: [{ note: 'all fine', reviewer: 'audi' }],
    });
    const bad = await client(f, 'audi')('/api/v1/audit/reviews', {
      method: 'POST',
      json: { from: to, to: from, note: 'x' },
    });
    expect(bad.status).toBe(400);
  });

  it('reports the period with pseudonyms for the auditor and clear numbers for the admin, and records the read', async () => {
    const r = await client(f, 'audi')(`/api/v1/audit/review-report?${period()}`);
    expect(r.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: the report's JSON
    const rep: any = await r.json();
    expect(rep.pseudonymised).toBe(true);
    expect(rep.traffic).toEqual([
      { mailbox: 'alice-out', direction: 'out', faxes: 2, pages: 2, done: 1, failed: 1 },
      { mailbox: 'sales-in', direction: 'in', faxes: 1, pages: 1, done: 1, failed: 0 },
    ]);
    expect(rep.failures).toEqual([{ direction: 'out', cause: 'busy', count: 1 }]);
    expect(rep.failedFaxes).toMatchObject([
      { mailbox: 'alice-out', remoteNumber: pseudonymOf(key, '+49305551000') },
    ]);
    expect(rep.rejections).toMatchObject([
      { rule: 'service', caller: pseudonymOf(key, '+4989777000'), called: '3001' },
    ]);
    expect(rep.deniedCount).toBeGreaterThanOrEqual(9);
    expect(rep.deniedAccesses[0]).toMatchObject({ actor: 'op', permission: 'audit.read', via: 'api' });
    expect(rep.configChanges).toMatchObject([{ actor: 'admin', subject: 'config:v2', node: 'gw1' }]);
    expect(JSON.stringify(rep)).not.toMatch(/5551000|777000/);
    expect(await lastEvent()).toMatchObject({
      type: 'audit.read',
      actor: 'audi',
      subject: 'review-report',
      details: { format: 'json', pseudonymised: true },
    });

    // biome-ignore lint/suspicious/noExplicitAny: the report's JSON
    const clear: any = await (await client(f, 'admin')(`/api/v1/audit/review-report?${period()}`)).json();
    expect(clear.pseudonymised).toBe(false);
    expect(clear.failedFaxes[0].remoteNumber).toBe('+49305551000');
    expect(clear.rejections[0].caller).toBe('+4989777000');
  });

  it('answers CSV and self-contained HTML', async () => {
    const csv = await client(f, 'audi')(`/api/v1/audit/review-report?${period()}&format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe('section,time,direction,mailbox,actor,number,cause,count,detail');
    expect(text).toContain(`failed-fax,`);
    expect(text).not.toContain('5551000');
    const html = await client(f, 'audi')(`/api/v1/audit/review-report?${period()}&format=html`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    expect(page).toContain('&lt;b&gt;new blocklist&lt;/b&gt;');
    expect(page).not.toContain('<b>');
    const missing = await client(f, 'audi')('/api/v1/audit/review-report?format=csv');
    expect(missing.status).toBe(400);
  });

  it('pseudonymises the send/receive log export for the auditor, not for the post office, and records it', async () => {
    await recordSampleSend(f.db, 'alice');
    const audi = await (await client(f, 'audi')('/api/v1/log?format=jsonl')).text();
    const rec = JSON.parse(audi.trimEnd().split('\n')[0]) as { dest: string; owner: string };
    expect(rec.dest).toBe(pseudonymOf(key, '+4930123456'));
    expect(audi).not.toContain('4930123456');
    expect(rec.owner).toBe('alice');
    expect(await lastEvent()).toMatchObject({
      type: 'log.read',
      actor: 'audi',
      details: { pseudonymised: true },
    });
    const csv = await (await client(f, 'audi')('/api/v1/log?format=csv')).text();
    expect(csv).not.toContain('4930123456');
    const po = await (await client(f, 'po')('/api/v1/log?format=jsonl')).text();
    expect(po).toContain('"dest":"+4930123456"');
    expect((await lastEvent()).details).not.toHaveProperty('pseudonymised');
  });
});
