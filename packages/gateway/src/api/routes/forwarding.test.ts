// POST /api/v1/faxes/{id}/forward over real HTTP (PostgreSQL, Redis): each target (mailbox
// copy, a user's personal mailbox, a fax number queued or delivered internally), the rights
// (in.forward; out.send for a number; 403 + access.denied, 404 for a fax not visible), the
// post office distributing from the default mailbox, the destination policy, the original's
// state and its fax.forward event, and the endpoint in the OpenAPI document.
import { faxes, faxPages, grants, groups, mailboxes, users } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, PASSWORD, testTiff, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture({
  routing: {
    numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
    destinations: { deny: ['+49305559'] },
    inbound: { default: 'postoffice' },
  },
});

const ids = { archive: 0, dave: 0, postoffice: 0 };

beforeAll(async () => {
  ids.archive = (
    await mailboxes.add(f.db, { name: 'archive-in', kind: 'incoming', numbers: ['+49303009'] })
  ).id;
  ids.dave = (await mailboxes.add(f.db, { name: 'dave-in', kind: 'incoming' })).id;
  ids.postoffice = (await mailboxes.get(f.db, 'postoffice')).id;
  await users.add(f.db, { name: 'dave', roles: ['user'], password: PASSWORD });
  await grants.grant(f.db, { user: 'dave', mailbox: 'dave-in', right: 'in.read' });
  await users.add(f.db, { name: 'erin', roles: ['user'], password: PASSWORD });
  const login = await fetch(`${f.base}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'dave', password: PASSWORD }),
  });
  f.tokens.dave = ((await login.json()) as { token: string }).token;
});

/** A received fax of `pages` pages in `mailboxId`. */
async function received(mailboxId: number, pages = 2) {
  const fax = await faxes.insert(f.db, {
    direction: 'in',
    state: 'received',
    mailboxId,
    remoteNumber: '+49891234567',
    remoteStationId: '+49 89 1234567',
    pagesTotal: pages,
    pagesDone: pages,
    resolution: 98,
    completedAt: new Date(),
  });
  for (let i = 1; i <= pages; i++)
    await faxPages.add(f.db, fax.id, { pageNo: i, tiff: testTiff(1, 200 + i * 10) });
  return fax;
}

// biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read field by field below
type Json = Record<string, any>;

async function forward(user: string, id: number, body: unknown) {
  const r = await client(f, user)(`/api/v1/faxes/${id}/forward`, { method: 'POST', json: body });
  return { status: r.status, body: (await r.json()) as Json };
}

async function lastEvent(type: string) {
  return f
    .db('audit_events')
    .where({ type })
    .orderBy('id', 'desc')
    .first('type', 'actor', 'subject', 'details');
}

async function eventsOf(faxId: number, type: string) {
  return f.db('audit_events').where({ type, fax_id: faxId }).orderBy('id').select('actor', 'details');
}

async function hashes(faxId: number): Promise<string[]> {
  return (await faxPages.list(f.db, faxId)).map((p) => p.sha256);
}

describe('POST /api/v1/faxes/{id}/forward — rights', () => {
  it('refuses a reader without in.forward (bob: in.read on sales-in) with 403 and access.denied; nothing changes', async () => {
    const fax = await received(f.salesIn);
    const r = await forward('bob', fax.id, { to: { mailbox: 'archive-in' } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect(await lastEvent('access.denied')).toMatchObject({
      actor: 'bob',
      subject: `forward fax ${fax.id}`,
      details: { permission: 'in.forward', mailboxId: f.salesIn, via: 'api' },
    });
    expect((await faxes.get(f.db, fax.id)).state).toBe('received');
    expect(await eventsOf(fax.id, 'fax.forward')).toEqual([]);
  });

  it('refuses the auditor (sees every fax, forwards none) with 403 and access.denied', async () => {
    const fax = await received(f.salesIn);
    const r = await forward('audi', fax.id, { to: { mailbox: 'archive-in' } });
    expect(r.status).toBe(403);
    expect(await lastEvent('access.denied')).toMatchObject({
      actor: 'audi',
      subject: `forward fax ${fax.id}`,
    });
  });

  it('answers 404 for a fax the caller cannot see (alice, operator), as GET does', async () => {
    const fax = await received(f.salesIn);
    for (const user of ['alice', 'op']) {
      const r = await forward(user, fax.id, { to: { mailbox: 'archive-in' } });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    expect((await forward('bob', 987654, { to: { mailbox: 'archive-in' } })).status).toBe(404);
    expect((await faxes.get(f.db, fax.id)).state).toBe('received');
  });

  it('refuses a bad target before anything is looked at (400)', async () => {
    const fax = await received(f.salesIn);
    for (const body of [
      {},
      { to: {} },
      { to: { mailbox: 'archive-in', user: 'dave' } },
      { to: { fax: '123' } },
      { to: { mailbox: '' } },
      { to: { mailbox: 'archive-in' }, extra: 1 },
      { to: { mailbox: 'archive-in' }, fromMailbox: 'alice-out' },
    ]) {
      const r = await forward('po', fax.id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await faxes.get(f.db, fax.id)).state).toBe('received');
  });
});

describe('POST /api/v1/faxes/{id}/forward — mailbox and user targets', () => {
  beforeAll(async () => {
    await grants.grant(f.db, { user: 'bob', mailbox: 'sales-in', right: 'in.forward' });
  });

  it('copies the fax into the mailbox: same pages, the original delivered, fax.forward and fax.deliver on record', async () => {
    const fax = await received(f.salesIn);
    const r = await forward('bob', fax.id, { to: { mailbox: 'archive-in' }, note: 'for the files' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      target: 'mailbox:archive-in',
      outcome: 'delivered',
      sentFaxId: null,
      mailId: null,
    });
    expect(r.body.fax).toMatchObject({ id: fax.id, state: 'delivered' });
    const copy = await faxes.get(f.db, r.body.deliveredFaxId);
    expect(copy).toMatchObject({
      direction: 'in',
      state: 'received',
      mailboxId: ids.archive,
      remoteNumber: '+49891234567',
      pagesDone: 2,
    });
    expect(copy.metadata).toMatchObject({
      forwardedFrom: fax.id,
      forwardedBy: 'bob',
      forwardNote: 'for the files',
    });
    expect(await hashes(copy.id)).toEqual(await hashes(fax.id));
    expect((await faxes.get(f.db, fax.id)).metadata.forwards).toEqual([
      expect.objectContaining({ to: 'mailbox:archive-in', by: 'bob', faxId: copy.id }),
    ]);
    expect(await eventsOf(fax.id, 'fax.forward')).toEqual([
      {
        actor: 'bob',
        details: expect.objectContaining({
          to: 'mailbox:archive-in',
          kind: 'mailbox',
          deliveredFax: copy.id,
          note: 'for the files',
        }),
      },
    ]);
    expect(await eventsOf(copy.id, 'fax.deliver')).toEqual([
      { actor: 'bob', details: expect.objectContaining({ forwarded: true, fromFax: fax.id }) },
    ]);
    // The copy is the target mailbox's: only its readers see it, and deleting the original leaves it.
    expect((await client(f, 'dave')(`/api/v1/faxes/${copy.id}`)).status).toBe(404);
    expect((await client(f, 'bob')(`/api/v1/faxes/${copy.id}`)).status).toBe(404);
    expect((await client(f, 'po')(`/api/v1/faxes/${fax.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await hashes(copy.id)).toHaveLength(2);
  });

  it('forwards an already forwarded fax again, and refuses the mailbox it is in, a deleted and a sent fax', async () => {
    const fax = await received(f.salesIn);
    expect((await forward('bob', fax.id, { to: { mailbox: 'archive-in' } })).status).toBe(201);
    expect((await forward('bob', fax.id, { to: { mailbox: 'dave-in' } })).status).toBe(201);
    expect((await faxes.get(f.db, fax.id)).metadata.forwards).toHaveLength(2);
    const same = await forward('bob', fax.id, { to: { mailbox: 'sales-in' } });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toMatch(/already in mailbox sales-in/);
    expect((await forward('bob', fax.id, { to: { mailbox: 'alice-out' } })).status).toBe(400);
    expect((await forward('bob', fax.id, { to: { mailbox: 'no-such' } })).status).toBe(404);
    expect((await client(f, 'po')(`/api/v1/faxes/${fax.id}`, { method: 'DELETE' })).status).toBe(200);
    const gone = await forward('bob', fax.id, { to: { mailbox: 'archive-in' } });
    expect(gone.status).toBe(409);
    expect(gone.body.error.message).toMatch(/was deleted/);
    const sent = await faxes.insert(f.db, {
      direction: 'out',
      state: 'done',
      mailboxId: f.aliceOut,
      ownerUserId: null,
    });
    expect((await forward('po', sent.id, { to: { mailbox: 'archive-in' } })).status).toBe(409);
  });

  it("delivers to a user's personal mailbox (in.read granted to them directly), refuses a user without one", async () => {
    const fax = await received(f.salesIn, 1);
    const r = await forward('bob', fax.id, { to: { user: 'dave' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ target: 'user:dave', outcome: 'delivered' });
    const copy = await faxes.get(f.db, r.body.deliveredFaxId);
    expect(copy.mailboxId).toBe(ids.dave);
    const seen = await client(f, 'dave')(`/api/v1/faxes/${copy.id}`);
    expect(seen.status).toBe(200);
    const none = await forward('bob', fax.id, { to: { user: 'erin' } });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/erin has no personal incoming mailbox/);
    expect((await forward('bob', fax.id, { to: { user: 'nobody' } })).status).toBe(404);
    // A mailbox read through a group is the group's, not erin's; two of her own: she must say which.
    await groups.add(f.db, { name: 'archivists' });
    await groups.addMember(f.db, 'archivists', 'erin');
    await grants.grant(f.db, { group: 'archivists', mailbox: 'archive-in', right: 'in.read' });
    expect((await forward('bob', fax.id, { to: { user: 'erin' } })).status).toBe(400);
    await mailboxes.add(f.db, { name: 'erin-a', kind: 'incoming' });
    await mailboxes.add(f.db, { name: 'erin-b', kind: 'incoming' });
    await grants.grant(f.db, { user: 'erin', mailbox: 'erin-a', right: 'in.read' });
    await grants.grant(f.db, { user: 'erin', mailbox: 'erin-b', right: 'in.read' });
    const two = await forward('bob', fax.id, { to: { user: 'erin' } });
    expect(two.status).toBe(400);
    expect(two.body.error.message).toMatch(/several incoming mailboxes \(erin-a, erin-b\)/);
    expect((await faxes.get(f.db, fax.id)).metadata.forwards).toHaveLength(1);
  });

  it('lets the post office distribute a fax from the default mailbox (postoffice role, no grant needed)', async () => {
    const fax = await received(ids.postoffice, 1);
    const r = await forward('po', fax.id, { to: { mailbox: 'sales-in' } });
    expect(r.status).toBe(201);
    expect((await faxes.get(f.db, r.body.deliveredFaxId)).mailboxId).toBe(f.salesIn);
    expect((await faxes.get(f.db, fax.id)).state).toBe('delivered');
    expect(await eventsOf(fax.id, 'fax.forward')).toEqual([
      { actor: 'po', details: expect.objectContaining({ to: 'mailbox:sales-in' }) },
    ]);
    // bob reads sales-in: the distributed fax is in his inbox now.
    expect((await client(f, 'bob')(`/api/v1/faxes/${r.body.deliveredFaxId}`)).status).toBe(200);
  });
});

describe('POST /api/v1/faxes/{id}/forward — number target', () => {
  it('refuses a forwarder without out.send on any outgoing mailbox with 403 and access.denied', async () => {
    const fax = await received(f.salesIn, 1);
    const r = await forward('bob', fax.id, { to: { number: '+49 89 7654321' } });
    expect(r.status).toBe(403);
    expect(await lastEvent('access.denied')).toMatchObject({
      actor: 'bob',
      details: { permission: 'out.send', mailboxId: f.aliceOut },
    });
    expect(await eventsOf(fax.id, 'fax.forward')).toEqual([]);
    expect((await faxes.get(f.db, fax.id)).state).toBe('received');
  });

  it('queues an outgoing fax with the received pages from the only outgoing mailbox', async () => {
    const fax = await received(ids.postoffice, 2);
    const r = await forward('po', fax.id, { to: { number: '+49 89 7654321' }, note: 'to the branch' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      target: 'number:+49 89 7654321',
      outcome: 'queued',
      deliveredFaxId: null,
      enqueued: true,
    });
    const out = await faxes.get(f.db, r.body.sentFaxId);
    expect(out).toMatchObject({
      direction: 'out',
      state: 'pending',
      mailboxId: f.aliceOut,
      remoteNumber: '+49897654321',
      pagesTotal: 2,
    });
    expect(out.metadata).toMatchObject({ forwardOf: fax.id, owner: 'po' });
    expect(await hashes(out.id)).toEqual(await hashes(fax.id));
    expect(await f.queue.getJob(`fax-${out.id}`)).toBeTruthy();
    expect(await eventsOf(fax.id, 'fax.forward')).toEqual([
      {
        actor: 'po',
        details: expect.objectContaining({
          kind: 'number',
          number: '+49897654321',
          fromMailbox: 'alice-out',
          sentFax: out.id,
        }),
      },
    ]);
    expect(await eventsOf(out.id, 'job.create')).toEqual([
      { actor: 'po', details: expect.objectContaining({ forwardOf: fax.id }) },
    ]);
  });

  it('delivers one of our own numbers internally, without a call', async () => {
    const fax = await received(ids.postoffice, 1);
    const r = await forward('po', fax.id, { to: { number: '030 3009' }, fromMailbox: 'alice-out' });
    expect(r.status).toBe(201);
    expect(r.body.outcome).toBe('internal');
    expect((await faxes.get(f.db, r.body.deliveredFaxId)).mailboxId).toBe(ids.archive);
    expect(await f.queue.getJob(`fax-${r.body.sentFaxId}`)).toBeFalsy();
  });

  it('applies the destination policy: a refused number is 422, policy.reject, nothing stored', async () => {
    const fax = await received(ids.postoffice, 1);
    const before = Number((await f.db('faxes').count({ n: '*' }))[0].n);
    const r = await forward('po', fax.id, { to: { number: '030 5559123' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('destination_refused');
    expect(await lastEvent('policy.reject')).toMatchObject({
      actor: 'po',
      details: { via: 'forward', forwardOf: fax.id },
    });
    expect(Number((await f.db('faxes').count({ n: '*' }))[0].n)).toBe(before);
    expect((await faxes.get(f.db, fax.id)).state).toBe('received');
  });

  it('asks which outgoing mailbox when the caller may send from several (400), and refuses one without out.send', async () => {
    await mailboxes.add(f.db, { name: 'po-out', kind: 'outgoing' });
    const fax = await received(ids.postoffice, 1);
    const r = await forward('po', fax.id, { to: { number: '+49 89 7654321' } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/give mailbox: po may send from alice-out, po-out/);
    expect(
      (await forward('po', fax.id, { to: { number: '+49 89 7654321' }, fromMailbox: 'po-out' })).status,
    ).toBe(201);
    // bob may send from neither of the two: refused on record, not asked to choose.
    const bobsFax = await received(f.salesIn, 1);
    const none = await forward('bob', bobsFax.id, { to: { number: '+49 89 7654321' } });
    expect(none.status).toBe(403);
    expect(await lastEvent('access.denied')).toMatchObject({
      actor: 'bob',
      subject: `forward fax ${bobsFax.id} to a fax number`,
      details: { permission: 'out.send' },
    });
    await grants.grant(f.db, { user: 'bob', mailbox: 'po-out', right: 'out.stop' });
    const bob = await forward('bob', (await received(f.salesIn, 1)).id, {
      to: { number: '+49 89 7654321' },
      fromMailbox: 'po-out',
    });
    expect(bob.status).toBe(403);
    expect(await lastEvent('access.denied')).toMatchObject({
      actor: 'bob',
      details: { permission: 'out.send' },
    });
  });
});

describe('OpenAPI', () => {
  it('documents the endpoint with its four targets and its answers', async () => {
    const spec = (await (await fetch(`${f.base}/openapi.json`)).json()) as Json;
    const op = spec.paths['/api/v1/faxes/{id}/forward'].post;
    const body = op.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['to']);
    expect(body.properties.to.oneOf.map((s: Json) => Object.keys(s.properties)[0])).toEqual([
      'mailbox',
      'user',
      'email',
      'number',
    ]);
    expect(Object.keys(body.properties)).toEqual(['to', 'note', 'fromMailbox']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '403', '404', '409', '422']));
  });
});
