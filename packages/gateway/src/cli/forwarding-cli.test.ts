// faxgate inbox forward as users run it: the real CLI in a child process with the user's
// token, against the gateway API on a real PostgreSQL and Redis (own key prefix). A refusal
// is one clear line and exit code 2, with the access.denied event on record.
import { faxes, faxPages, grants, mailboxes, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTiff } from '../test-support/api-fixture.js';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';
import { deleteKeys } from '../test-support/pipeline-fixture.js';

const prefix = testRedisPrefix();

// Every test runs the CLI as processes of their own: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });

let f: CliApiFixture;
const ids = { sales: 0, archive: 0, mine: 0 };

beforeAll(async () => {
  f = await cliApiFixture(`logging:
  level: warn
redis:
  keyPrefix: "${prefix}"
routing:
  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7 }
  inbound: { default: postoffice }
`);
  for (const name of ['alice', 'bob', 'dave']) await users.add(f.db, { name, roles: ['user'] });
  await mailboxes.add(f.db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] });
  ids.sales = (await mailboxes.add(f.db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] })).id;
  ids.archive = (await mailboxes.add(f.db, { name: 'archive-in', kind: 'incoming' })).id;
  ids.mine = (await mailboxes.add(f.db, { name: 'dave-in', kind: 'incoming' })).id;
  await mailboxes.add(f.db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(f.db, { user: 'alice', mailbox: 'alice-out', right: 'out.send' });
  for (const right of ['in.read', 'in.forward'] as const)
    await grants.grant(f.db, { user: 'alice', mailbox: 'sales-in', right });
  await grants.grant(f.db, { user: 'bob', mailbox: 'sales-in', right: 'in.read' });
  await grants.grant(f.db, { user: 'dave', mailbox: 'dave-in', right: 'in.read' });
}, 120_000);
afterAll(async () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, prefix).finally(() => redis.disconnect());
  await f?.close();
});

async function received(): Promise<number> {
  const fax = await faxes.insert(f.db, {
    direction: 'in',
    state: 'received',
    mailboxId: ids.sales,
    remoteNumber: '+49891234567',
    pagesTotal: 1,
    pagesDone: 1,
    completedAt: new Date(),
  });
  await faxPages.add(f.db, fax.id, { pageNo: 1, tiff: testTiff(1) });
  return fax.id;
}

describe('faxgate inbox forward', () => {
  it('refuses a user without in.forward: one line, exit 2, access.denied on record, nothing forwarded', async () => {
    const id = await received();
    const r = await f.as('bob', ['inbox', 'forward', String(id), '--to-mailbox', 'archive-in']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`bob may not forward fax ${id}`));
    const [denied] = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied').slice(-1);
    expect(denied).toMatchObject({ actor: 'bob', subject: `forward fax ${id}` });
    expect((await faxes.get(f.db, id)).state).toBe('received');
  });

  it('asks for exactly one target (exit 2, no request)', async () => {
    const none = await f.as('alice', ['inbox', 'forward', '1']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/exactly one of --to-mailbox, --to-user, --to-email, --to-number/);
    const two = await f.as('alice', ['inbox', 'forward', '1', '--to-mailbox', 'a', '--to-user', 'b']);
    expect(two.code).toBe(2);
  });

  it('forwards into a mailbox and to a user, and says where the copy is', async () => {
    const id = await received();
    const r = await f.as('alice', [
      'inbox',
      'forward',
      String(id),
      '--to-mailbox',
      'archive-in',
      '--note',
      'files',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const copy = Number(
      new RegExp(`^fax ${id} forwarded to mailbox:archive-in: delivered as fax ([0-9]+)$`, 'm').exec(
        r.stdout,
      )?.[1],
    );
    expect((await faxes.get(f.db, copy)).mailboxId).toBe(ids.archive);
    const j = await f.as('alice', ['inbox', 'forward', String(id), '--to-user', 'dave', '--json']);
    expect(j.code).toBe(0);
    const answer = JSON.parse(j.stdout);
    expect(answer).toMatchObject({ id, state: 'delivered', target: 'user:dave', outcome: 'delivered' });
    expect((await faxes.get(f.db, answer.deliveredFax)).mailboxId).toBe(ids.mine);
  });

  it('sends to a fax number from the one outgoing mailbox; bob without out.send is refused (exit 2)', async () => {
    const id = await received();
    const r = await f.as('alice', ['inbox', 'forward', String(id), '--to-number', '+49 89 7654321']);
    expect(r.code).toBe(0);
    const sent = Number(
      new RegExp(`^fax ${id} forwarded to number:\\+49 89 7654321: request id is ([0-9]+)$`, 'm').exec(
        r.stdout,
      )?.[1],
    );
    expect(await faxes.get(f.db, sent)).toMatchObject({
      direction: 'out',
      state: 'pending',
      remoteNumber: '+49897654321',
    });
    await grants.grant(f.db, { user: 'bob', mailbox: 'sales-in', right: 'in.forward' });
    const bob = await f.as('bob', ['inbox', 'forward', String(id), '--to-number', '+49 89 7654321']);
    expect(bob.code).toBe(2);
    expect(bob.stderr).toMatch(/bob may not forward fax [0-9]+ to a fax number/);
  });
});
