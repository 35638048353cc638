// GET /api/v1/audit/trail over real HTTP (PostgreSQL): audit.read only (403 + access.denied
// otherwise); filters by type (and family), actor, fax, mailbox, time; keyset paging; the
// read on record with its filters.
import { appendAuditEvent } from '@faxgate/audit';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();

interface Item {
  id: number;
  type: string;
  actor: string;
  faxId: number | null;
  mailboxId: number | null;
}

beforeAll(async () => {
  await f.db.transaction(async (trx) => {
    for (let i = 0; i < 5; i++)
      await appendAuditEvent(trx, {
        type: 'job.retry',
        actor: 'trail-olga',
        subject: 'fax:900',
        details: { i },
      });
    await appendAuditEvent(trx, {
      type: 'job.suspend',
      actor: 'trail-olga',
      subject: 'fax:901',
      mailboxId: f.aliceOut,
      details: {},
    });
    await appendAuditEvent(trx, {
      type: 'line.out_of_service',
      actor: 'trail-ops',
      subject: 'line:controller-1',
      details: {},
    });
  });
});

const trail = (user: string, q: string) => client(f, user)(`/api/v1/audit/trail?${q}`);

async function items(r: Response): Promise<{ items: Item[]; next: number | null }> {
  const text = await r.text();
  expect(r.status, text).toBe(200);
  return JSON.parse(text);
}

describe('GET /api/v1/audit/trail', () => {
  it('refuses roles without audit.read with 403 and access.denied', async () => {
    for (const user of ['alice', 'op', 'po']) {
      const r = await trail(user, '');
      expect(r.status, user).toBe(403);
      const last = await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor');
      expect(last).toMatchObject({ type: 'access.denied', actor: user });
    }
  });

  it('filters by actor and type family, and pages newest first', async () => {
    const first = await items(await trail('audi', 'actor=trail-olga&type=job.*&limit=4'));
    expect(first.items.map((i) => i.type)).toEqual(['job.suspend', 'job.retry', 'job.retry', 'job.retry']);
    expect(first.next).toBe(first.items[3].id);
    const second = await items(
      await trail('audi', `actor=trail-olga&type=job.*&limit=4&before=${first.next}`),
    );
    expect(second.items.map((i) => i.type)).toEqual(['job.retry', 'job.retry']);
    expect(second.next).toBeNull();
    const last = await f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'details');
    expect(last).toMatchObject({
      type: 'audit.read',
      actor: 'audi',
      details: { filters: { actor: 'trail-olga', type: 'job.*' }, rows: 2 },
    });
  });

  it('filters by mailbox (name or id), exact types and time', async () => {
    const byName = await items(await trail('audi', 'mailbox=alice-out&actor=trail-olga'));
    expect(byName.items).toEqual([expect.objectContaining({ type: 'job.suspend', mailboxId: f.aliceOut })]);
    const byId = await items(await trail('admin', `mailbox=${f.aliceOut}&actor=trail-olga`));
    expect(byId.items).toHaveLength(1);
    const types = await items(await trail('audi', 'type=line.out_of_service,job.suspend&actor=trail-ops'));
    expect(types.items.map((i) => i.type)).toEqual(['line.out_of_service']);
    const future = await items(await trail('audi', `from=${new Date(Date.now() + 60_000).toISOString()}`));
    expect(future.items).toEqual([]);
  });

  it('refuses bad filters with 400', async () => {
    for (const q of ['type=DROP TABLE', 'mailbox=nope', 'limit=501', 'fax=0', 'bogus=1']) {
      expect((await trail('audi', q)).status, q).toBe(400);
    }
  });
});
