// faxgate mailbox mail as its users run it: the real CLI with a token against the gateway API
// on a real PostgreSQL. The post office lists, adds and removes recipients and sets the options
// (each audited naming it); a plain user is refused (exit 2) with the refusal on record and
// nothing changed; a bad address exits 2.
import { mailboxes, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';

vi.setConfig({ testTimeout: 240_000 });
let f: CliApiFixture;

beforeAll(async () => {
  f = await cliApiFixture('logging:\n  level: warn\n', { queue: false });
  await users.add(f.db, { name: 'postie', roles: ['postoffice'] });
  await users.add(f.db, { name: 'dave', roles: ['user'] });
  await mailboxes.add(f.db, { name: 'sales-in', kind: 'incoming' });
}, 60_000);
afterAll(async () => {
  await f?.close();
});

describe('faxgate mailbox mail', () => {
  it('adds, shows and removes recipients and sets the options, each audited', async () => {
    let r = await f.as('postie', ['mailbox', 'mail', 'add', 'sales-in', 'sales@example.org']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('received faxes mailed to sales@example.org');
    r = await f.as('postie', ['mailbox', 'mail', 'set', 'sales-in', '--delete-after-forward', 'yes']);
    expect(r.code).toBe(0);
    r = await f.as('postie', ['mailbox', 'mail', 'show', 'sales-in', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({
      mailbox: 'sales-in',
      recipients: ['sales@example.org'],
      attachTiff: false,
      deleteAfterForward: true,
    });
    r = await f.as('postie', ['mailbox', 'mail', 'remove', 'sales-in', 'sales@example.org']);
    expect(r.code).toBe(0);
    const ours = (await auditEvents(f.db)).filter((e) => e.type === 'admin.mailbox_modify');
    expect(ours.map((e) => [e.actor, e.subject, e.details])).toEqual([
      ['postie', 'mailbox:sales-in', { mailRecipientAdded: 'sales@example.org', via: 'api' }],
      ['postie', 'mailbox:sales-in', { mailDeleteAfterForward: true, via: 'api' }],
      ['postie', 'mailbox:sales-in', { mailRecipientRemoved: 'sales@example.org', via: 'api' }],
    ]);
  });

  it('refuses a user without mailbox.manage (exit 2, access.denied) and a bad address', async () => {
    for (const args of [
      ['mailbox', 'mail', 'add', 'sales-in', 'leak@example.org'],
      ['mailbox', 'mail', 'show', 'sales-in'],
      ['mailbox', 'mail', 'set', 'sales-in', '--attach-tiff', 'yes'],
    ]) {
      const r = await f.as('dave', args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^faxgate: dave may not /);
      expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'dave' });
    }
    expect(await f.db('mailbox_mail_recipients').count({ n: '*' })).toEqual([{ n: 0 }]);
    const bad = await f.as('postie', ['mailbox', 'mail', 'add', 'sales-in', 'Someone <s@example.org>']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a plain address/);
  });
});
