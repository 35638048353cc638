// A received fax forwarded to a fax number is really sent: forwardFax → placeFax → the send
// worker dials the simulated remote over rcapi, which gets exactly the received pages. Real
// PostgreSQL, Redis (own key prefix) and capi-sim (pipeline fixture). forwardFax checks the
// rights itself too (the API checks first), so no other caller can skip them.
import { pagesEqual } from '@faxgate/fax-core';
import { type Fax, ForbiddenError, faxes, faxPages, grants, users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePages } from '../pipeline/pages.js';
import {
  type PipelineFixture,
  startPipelineFixture,
  testPage,
  waitTerminal,
} from '../test-support/pipeline-fixture.js';
import { forwardFax } from './forward.js';

let fx: PipelineFixture;
const pages = [testPage(3), testPage(4)];

beforeAll(async () => {
  fx = await startPipelineFixture({});
  await grants.grant(fx.db, { user: 'alice', mailbox: 'sales-in', right: 'in.read' });
  await grants.grant(fx.db, { user: 'alice', mailbox: 'sales-in', right: 'in.forward' });
  await users.add(fx.db, { name: 'bob', roles: ['user'] });
  await grants.grant(fx.db, { user: 'bob', mailbox: 'sales-in', right: 'in.forward' });
}, 60_000);
afterAll(async () => {
  await fx?.close();
});

async function received(): Promise<Fax> {
  const fax = await faxes.insert(fx.db, {
    direction: 'in',
    state: 'received',
    mailboxId: fx.inbox,
    remoteNumber: '+49891234567',
    pagesTotal: pages.length,
    pagesDone: pages.length,
    resolution: 98,
    completedAt: new Date(),
  });
  for (const row of encodePages(pages)) await faxPages.add(fx.db, fax.id, row);
  return fax;
}

const ctx = () => ({
  db: fx.db,
  queue: fx.pipeline.queue,
  router: fx.router,
  settings: fx.pipeline.settings,
});

describe('forward to a fax number', () => {
  it('dials the number through the simulator and the remote gets the received pages', async () => {
    const fax = await received();
    const before = fx.sim.remoteParty('5551000').received.length;
    const r = await forwardFax(ctx(), {
      actor: 'alice',
      faxId: fax.id,
      to: { number: '555 1000' },
      fromMailboxId: fx.outbox,
    });
    expect(r).toMatchObject({ outcome: 'queued', enqueued: true, target: 'number:555 1000' });
    expect(r.fax.state).toBe('delivered');
    const done = await waitTerminal(fx.db, r.sentFax!.id);
    expect(done).toMatchObject({ state: 'done', pagesDone: 2, remoteNumber: '+49305551000' });
    expect(fx.dialled).toContain('5551000');
    const got = fx.sim.remoteParty('5551000').received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0].pages.map((p, i) => pagesEqual(p, pages[i]))).toEqual([true, true]);
    const forward = await fx.db('audit_events').where({ type: 'fax.forward', fax_id: fax.id }).first();
    expect(forward).toMatchObject({ actor: 'alice' });
    expect(forward.details).toMatchObject({ kind: 'number', number: '+49305551000', sentFax: done.id });
  });

  it('refuses a forwarder without out.send on the outgoing mailbox, and one without in.forward', async () => {
    const fax = await received();
    await expect(
      forwardFax(ctx(), {
        actor: 'bob',
        faxId: fax.id,
        to: { number: '555 1000' },
        fromMailboxId: fx.outbox,
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await users.add(fx.db, { name: 'carol', roles: ['user'] });
    await grants.grant(fx.db, { user: 'carol', mailbox: 'sales-in', right: 'in.read' });
    await expect(
      forwardFax(ctx(), { actor: 'carol', faxId: fax.id, to: { mailbox: 'postoffice' } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await faxes.get(fx.db, fax.id)).state).toBe('received');
    expect(
      await fx
        .db('faxes')
        .where({ direction: 'out' })
        .whereRaw("metadata->>'forwardOf' = ?", [String(fax.id)]),
    ).toEqual([]);
  });
});
