// The Faxes view's endpoints against real PostgreSQL (the API fixture): a fax's history only
// for whoever may see the fax, unread marks per user with in.read, the destination check with
// the submission's policy and right — each wrong caller refused (403 + access.denied, or 404
// for a fax it may not see, as GET /faxes/:id).
import { appendAuditEvent, recordXfer } from '@faxgate/audit';
import { faxes, users } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, PASSWORD, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();
let sent: number;
let received: number;
let carolToken: string;

const denials = (actor: string) => f.db('audit_events').where({ type: 'access.denied', actor });

beforeAll(async () => {
  const alice = await f.db('users').where({ name: 'alice' }).first('id');
  sent = (
    await faxes.insert(f.db, {
      direction: 'out',
      state: 'done',
      mailboxId: f.aliceOut,
      ownerUserId: alice.id,
      remoteNumber: '+49305551000',
      pagesTotal: 1,
    })
  ).id;
  received = (
    await faxes.insert(f.db, {
      direction: 'in',
      state: 'received',
      mailboxId: f.salesIn,
      remoteNumber: '+4989123',
    })
  ).id;
  await f.db.transaction(async (trx) => {
    await appendAuditEvent(trx, { type: 'job.create', actor: 'alice', faxId: sent, details: { pages: 1 } });
    await appendAuditEvent(trx, { type: 'fax.read', actor: 'alice', subject: `fax:${sent}`, details: {} });
    await appendAuditEvent(trx, { type: 'fax.route', actor: 'system', faxId: received, details: {} });
    await recordXfer(trx, {
      type: 'SEND',
      time: new Date(),
      faxId: sent,
      dest: '5551000',
      npages: 1,
      reason: '',
    });
  });
  // carol: a user without any right (no Faxes view)
  await users.add(f.db, { name: 'carol', roles: ['user'], password: PASSWORD });
  const r = await fetch(`${f.base}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'carol', password: PASSWORD }),
  });
  carolToken = ((await r.json()) as { token: string }).token;
});

const carol = (path: string, init: RequestInit = {}) =>
  client({ base: f.base, tokens: { carol: carolToken } }, 'carol')(path, init);

describe('GET /api/v1/console/faxes/:id/history', () => {
  it('answers the audit events and log rows about the fax, oldest first, to whoever may see it', async () => {
    for (const user of ['alice', 'op', 'admin']) {
      const r = await client(f, user)(`/api/v1/console/faxes/${sent}/history`);
      expect(r.status, user).toBe(200);
      const body = (await r.json()) as {
        events: Array<{ type: string }>;
        log: Array<{ type: string; remote: string }>;
      };
      expect(body.events.map((e) => e.type)).toEqual(['job.create', 'fax.read']);
      expect(body.log.map((l) => [l.type, l.remote])).toEqual([['SEND', '5551000']]);
      // content: the owner and the admin read a sent fax's pages, the operator does not
      expect((body as unknown as { content: boolean }).content, user).toBe(user !== 'op');
    }
  });
  it('is 404 for a fax the caller may not see, 403 and audited without the Faxes view', async () => {
    expect((await client(f, 'bob')(`/api/v1/console/faxes/${sent}/history`)).status).toBe(404);
    expect((await client(f, 'alice')(`/api/v1/console/faxes/${received}/history`)).status).toBe(404);
    const before = (await denials('carol')).length;
    expect((await carol(`/api/v1/console/faxes/${sent}/history`)).status).toBe(403);
    expect(await denials('carol')).toHaveLength(before + 1);
  });
});

describe('unread marks', () => {
  const inbox = async (user: string) => {
    const r = await client(f, user)('/api/v1/console/inbox');
    expect(r.status).toBe(200);
    return (await r.json()) as {
      mailboxes: Array<{ name: string; rights: string[]; unread: number }>;
      unread: number[];
    };
  };
  it('counts received faxes a user with in.read has not opened; opening marks them for that user only', async () => {
    const admin0 = await inbox('admin');
    expect(admin0.unread).toContain(received);
    let bob = await inbox('bob');
    expect(bob.mailboxes).toEqual([{ id: f.salesIn, name: 'sales-in', rights: ['in.read'], unread: 1 }]);
    expect(bob.unread).toEqual([received]);
    const opened = await client(f, 'bob')(`/api/v1/console/faxes/${received}/opened`, {
      method: 'POST',
      headers: { 'x-faxgate-request': '1' },
    });
    expect(opened.status).toBe(204);
    bob = await inbox('bob');
    expect(bob.mailboxes[0].unread).toBe(0);
    expect(bob.unread).toEqual([]);
    expect((await inbox('admin')).unread).toContain(received);
    // Opening twice is fine.
    expect(
      (
        await client(f, 'bob')(`/api/v1/console/faxes/${received}/opened`, {
          method: 'POST',
          headers: { 'x-faxgate-request': '1' },
        })
      ).status,
    ).toBe(204);
  });
  it('refuses opening without in.read (403 + access.denied), a sent fax (409), the inbox without the view (403)', async () => {
    // the auditor sees the fax's metadata but may not read it
    const before = (await denials('audi')).length;
    const r = await client(f, 'audi')(`/api/v1/console/faxes/${received}/opened`, {
      method: 'POST',
      headers: { 'x-faxgate-request': '1' },
    });
    expect(r.status).toBe(403);
    expect(await denials('audi')).toHaveLength(before + 1);
    expect((await f.db('fax_reads').where({ fax_id: received })).length).toBe(1);
    const sentOpened = await client(f, 'alice')(`/api/v1/console/faxes/${sent}/opened`, {
      method: 'POST',
      headers: { 'x-faxgate-request': '1' },
    });
    expect(sentOpened.status).toBe(409);
    expect((await inbox('alice')).mailboxes).toEqual([]);
    const c0 = (await denials('carol')).length;
    expect((await carol('/api/v1/console/inbox')).status).toBe(403);
    expect(await denials('carol')).toHaveLength(c0 + 1);
  });
});

describe('GET /api/v1/console/outboxes', () => {
  it('answers the outgoing mailboxes I may send from, none without out.send; 403 and audited without the view', async () => {
    const mine = async (user: string) =>
      ((await (await client(f, user)('/api/v1/console/outboxes')).json()) as { mailboxes: unknown[] })
        .mailboxes;
    expect(await mine('alice')).toEqual([{ id: f.aliceOut, name: 'alice-out' }]);
    expect(await mine('bob')).toEqual([]);
    const before = (await denials('carol')).length;
    expect((await carol('/api/v1/console/outboxes')).status).toBe(403);
    expect(await denials('carol')).toHaveLength(before + 1);
  });
});

describe('POST /api/v1/console/numbers/check', () => {
  const check = (user: string, json: unknown) =>
    client(f, user)('/api/v1/console/numbers/check', {
      method: 'POST',
      headers: { 'x-faxgate-request': '1' },
      json,
    });
  it('answers the destination policy of a submission: dial, internal, refuse, invalid', async () => {
    const ok = await check('alice', { number: '5551000' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      allowed: true,
      action: 'dial',
      number: '+49305551000',
      kind: 'local',
    });
    expect(await (await check('alice', { number: '3001', mailbox: 'alice-out' })).json()).toMatchObject({
      allowed: true,
      action: 'internal',
      mailbox: 'sales-in',
    });
    const intl = (await (await check('alice', { number: '+1 212 555 0100' })).json()) as Record<
      string,
      unknown
    >;
    expect(intl).toMatchObject({ allowed: false, action: 'refuse', kind: 'international' });
    expect(String(intl.reason)).toMatch(/international/);
    expect(await (await check('alice', { number: '112' })).json()).toMatchObject({
      allowed: false,
      action: 'refuse',
    });
    expect(await (await check('alice', { number: 'abc' })).json()).toMatchObject({
      allowed: false,
      action: 'invalid',
    });
    // a check stores nothing and puts nothing on record as a refused submission
    expect(await f.db('audit_events').where({ type: 'policy.reject' })).toEqual([]);
  });
  it('needs out.send on the mailbox: refused 403 and audited', async () => {
    const before = (await denials('bob')).length;
    const r = await check('bob', { number: '5551000', mailbox: 'alice-out' });
    expect(r.status).toBe(403);
    expect(await denials('bob')).toHaveLength(before + 1);
    expect((await check('alice', { number: '' })).status).toBe(400);
  });
});
