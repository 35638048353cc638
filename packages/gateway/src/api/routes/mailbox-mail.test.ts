// The e-mail settings over real HTTP (PostgreSQL): a mailbox's recipients and mail options for
// mailbox.manage only (403 + access.denied otherwise, nothing changed), each change audited,
// bad addresses refused; users set their own address and opt-in, admins anyone's, a plain
// user nobody else's (403 + access.denied).
import { describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();

const call = (user: string, method: string, p: string, json?: unknown) =>
  client(f, user)(`/api/v1${p}`, { method, ...(json === undefined ? {} : { json }) });

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

describe('mailbox e-mail recipients and options', () => {
  it('refuses roles without mailbox.manage with 403 and access.denied, changing nothing', async () => {
    for (const user of ['alice', 'op', 'audi']) {
      for (const [method, p, body] of [
        ['GET', '/mailboxes/sales-in/mail'],
        ['PUT', '/mailboxes/sales-in/mail/recipients/sales@example.org'],
        ['DELETE', '/mailboxes/sales-in/mail/recipients/sales@example.org'],
        ['PATCH', '/mailboxes/sales-in/mail', { deleteAfterForward: true }],
      ] as const) {
        const r = await call(user, method, p, body);
        expect(r.status, `${user} ${method} ${p}`).toBe(403);
        expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
      }
    }
    expect(await f.db('mailbox_mail_recipients').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await f.db('mailboxes').where({ name: 'sales-in' }).first()).mail_delete_after_forward).toBe(
      false,
    );
  });

  it('the post office adds and removes recipients and sets the options, each on record', async () => {
    let r = await call('po', 'PUT', '/mailboxes/sales-in/mail/recipients/Sales@Example.ORG');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      mailbox: 'sales-in',
      recipients: ['Sales@example.org'],
      attachTiff: false,
      deleteAfterForward: false,
    });
    expect(await lastEvent()).toMatchObject({
      type: 'admin.mailbox_modify',
      actor: 'po',
      subject: 'mailbox:sales-in',
      details: { mailRecipientAdded: 'Sales@example.org' },
    });
    r = await call('admin', 'PATCH', '/mailboxes/sales-in/mail', {
      attachTiff: true,
      deleteAfterForward: true,
    });
    expect(await r.json()).toMatchObject({ attachTiff: true, deleteAfterForward: true });
    expect(await lastEvent()).toMatchObject({
      details: { mailAttachTiff: true, mailDeleteAfterForward: true },
    });
    r = await call('po', 'DELETE', '/mailboxes/sales-in/mail/recipients/Sales@example.org');
    expect(await r.json()).toMatchObject({ recipients: [] });
    expect(await lastEvent()).toMatchObject({ details: { mailRecipientRemoved: 'Sales@example.org' } });
  });

  it('refuses an address that is not a plain one (400), unknown mailboxes 404', async () => {
    for (const bad of [
      'no-at-sign',
      'a@b',
      'Name%20%3Ca%40example.org%3E',
      'a%40example.org%0D%0ABcc%3A%20x%40y.org',
    ]) {
      const r = await call('po', 'PUT', `/mailboxes/sales-in/mail/recipients/${bad}`);
      expect(r.status, bad).toBe(400);
    }
    expect((await call('po', 'GET', '/mailboxes/nowhere/mail')).status).toBe(404);
  });
});

describe('users e-mail address and opt-in', () => {
  it('a user sets their own address and opt-in; the change is audited', async () => {
    const r = await call('alice', 'PATCH', '/users/alice', { email: 'alice@example.org', mailOptIn: true });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ name: 'alice', email: 'alice@example.org', mailOptIn: true });
    expect(await lastEvent()).toMatchObject({
      type: 'admin.user_modify',
      actor: 'alice',
      subject: 'user:alice',
      details: { email: 'alice@example.org', mailOptIn: true },
    });
    expect((await call('alice', 'PATCH', '/users/alice', { email: 'not an address' })).status).toBe(400);
    const cleared = await call('alice', 'PATCH', '/users/alice', { email: null, mailOptIn: false });
    expect(await cleared.json()).toMatchObject({ email: null, mailOptIn: false });
  });

  it("a plain user may not set someone else's address (403 + access.denied); an admin may", async () => {
    const r = await call('alice', 'PATCH', '/users/bob', { email: 'evil@example.org', mailOptIn: true });
    expect(r.status).toBe(403);
    expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: 'alice' });
    expect(await f.db('users').where({ name: 'bob' }).first('email', 'mail_opt_in')).toEqual({
      email: null,
      mail_opt_in: false,
    });
    const ok = await call('admin', 'PATCH', '/users/bob', { email: 'bob@example.org', mailOptIn: true });
    expect(await ok.json()).toMatchObject({ email: 'bob@example.org', mailOptIn: true });
    expect(await lastEvent()).toMatchObject({
      type: 'admin.user_modify',
      actor: 'admin',
      subject: 'user:bob',
    });
  });
});
