// GET /api/v1/listing/faxes over real HTTP: only the faxes the caller may see (as GET
// /faxes), oldest first, with owner and mailbox names; bad input is 400/404, never 500.
import { faxes } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();
let out: number[];
let received: number;

beforeAll(async () => {
  const alice = await f.db('users').where({ name: 'alice' }).first('id');
  out = [];
  for (const state of ['pending', 'done'] as const) {
    const fax = await faxes.insert(f.db, {
      direction: 'out',
      state,
      mailboxId: f.aliceOut,
      ownerUserId: alice.id,
      remoteNumber: '+49305551000',
      pagesTotal: 1,
    });
    out.push(fax.id);
  }
  received = (
    await faxes.insert(f.db, {
      direction: 'in',
      state: 'received',
      mailboxId: f.salesIn,
      remoteNumber: '+4989123',
    })
  ).id;
});

type Listing = { items: Array<{ fax: { id: number }; owner: string | null; mailbox: string | null }> };
const list = async (user: string, q: string) => {
  const r = await client(f, user)(`/api/v1/listing/faxes?${q}`);
  return { status: r.status, body: (await r.json()) as Listing };
};

describe('GET /api/v1/listing/faxes', () => {
  it('lists the outgoing faxes oldest first with owner and mailbox names for whoever may see them', async () => {
    const all = await list('op', 'direction=out&state=pending,done');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i) => [i.fax.id, i.owner, i.mailbox])).toEqual([
      [out[0], 'alice', 'alice-out'],
      [out[1], 'alice', 'alice-out'],
    ]);
    expect((await list('alice', 'direction=out&state=pending')).body.items.map((i) => i.fax.id)).toEqual([
      out[0],
    ]);
    expect((await list('bob', 'direction=out')).body.items).toEqual([]);
  });

  it('lists received faxes only to those with a right on their mailbox; --mailbox by name', async () => {
    expect((await list('bob', 'direction=in&mailbox=sales-in')).body.items.map((i) => i.fax.id)).toEqual([
      received,
    ]);
    expect((await list('alice', 'direction=in')).body.items).toEqual([]);
    // the auditor sees every fax's metadata, but reads none: its inbox (in.read) is empty
    expect((await list('audi', 'direction=in')).body.items.map((i) => i.fax.id)).toEqual([received]);
    expect((await list('audi', 'direction=in&right=in.read')).body.items).toEqual([]);
    expect((await list('bob', 'direction=in&right=in.read')).body.items.map((i) => i.fax.id)).toEqual([
      received,
    ]);
  });

  it('narrows by digits of the remote number (separators ignored) and by creation time', async () => {
    const ids = async (q: string) => (await list('op', `direction=out&${q}`)).body.items.map((i) => i.fax.id);
    expect(await ids('number=555 10')).toEqual(out);
    expect(await ids('number=%2B49 (30) 555')).toEqual(out);
    expect(await ids('number=4989')).toEqual([]);
    expect((await list('bob', 'direction=in&number=89123')).body.items.map((i) => i.fax.id)).toEqual([
      received,
    ]);
    const created = (await f.db('faxes').where({ id: out[1] }).first('created_at')).created_at as Date;
    const later = new Date(created.getTime() + 1).toISOString();
    expect(await ids(`to=${encodeURIComponent(later)}`)).toEqual(out);
    expect(await ids(`from=${encodeURIComponent(later)}`)).toEqual([]);
  });

  it('answers 400 for bad input and 404 for a mailbox of the wrong kind, never 500', async () => {
    for (const q of [
      '',
      'direction=sideways',
      'direction=in&state=flying',
      'direction=in&limit=0',
      'direction=in&state=A',
      'direction=in&right=fly',
      'direction=in&number=abc',
      'direction=in&number=--',
      'direction=in&from=yesterday',
      'direction=in&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
    ]) {
      expect((await list('op', q)).status).toBe(400);
    }
    expect((await list('op', 'direction=in&mailbox=alice-out')).status).toBe(404);
    expect((await list('op', 'direction=in&mailbox=99999999999999999999')).status).toBe(404);
  });
});
