// GET /api/v1/rights/review over real HTTP: audit.read only (403 + access.denied otherwise);
// rights through a direct grant, a group and a role; void grants marked; CSV; the read on record.
import { grants, groups, users } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RightRow } from '../../rights/review.js';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();

beforeAll(async () => {
  await groups.add(f.db, { name: 'sales' });
  await groups.addMember(f.db, 'sales', 'bob');
  await grants.grant(f.db, { group: 'sales', mailbox: 'alice-out', right: 'out.send' });
  await users.add(f.db, { name: 'gone', roles: ['user'], disabled: true });
  await grants.grant(f.db, { user: 'gone', mailbox: 'sales-in', right: 'in.read' });
  await grants.grant(f.db, { user: 'audi', mailbox: 'sales-in', right: 'in.read' });
});

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

describe('GET /api/v1/rights/review', () => {
  it('refuses roles without audit.read with 403 and access.denied', async () => {
    for (const user of ['alice', 'op', 'po']) {
      const r = await client(f, user)('/api/v1/rights/review');
      expect(r.status, user).toBe(403);
      expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
    }
  });

  it('lists each right with the user and what it comes through, and records the read', async () => {
    const r = await client(f, 'audi')('/api/v1/rights/review');
    expect(r.status).toBe(200);
    const { items } = (await r.json()) as { items: RightRow[] };
    const find = (q: Partial<RightRow>) =>
      items.filter((i) => Object.entries(q).every(([k, v]) => i[k as keyof RightRow] === v));
    expect(find({ mailbox: 'alice-out', right: 'out.send', user: 'alice' })).toEqual([
      expect.objectContaining({ via: 'user', group: null, effective: true }),
    ]);
    expect(find({ mailbox: 'alice-out', right: 'out.send', user: 'bob' })).toEqual([
      expect.objectContaining({ via: 'group', group: 'sales', effective: true }),
    ]);
    expect(find({ mailbox: 'sales-in', right: 'in.delete', user: 'po' })).toEqual([
      expect.objectContaining({ via: 'role', role: 'postoffice', effective: true }),
    ]);
    expect(find({ mailbox: '*', right: 'queue.manage', user: 'op' })).toEqual([
      expect.objectContaining({ via: 'role', role: 'operator' }),
    ]);
    expect(find({ user: 'gone' })[0]).toMatchObject({ effective: false, note: 'user disabled' });
    expect(find({ user: 'audi', mailbox: 'sales-in' })[0]).toMatchObject({
      effective: false,
      note: 'auditors hold no mailbox rights',
    });
    // bob holds no right on alice-out but through his group, and none on it to delete.
    expect(find({ mailbox: 'alice-out', right: 'out.delete', user: 'bob' })).toEqual([]);
    expect(await lastEvent()).toMatchObject({
      type: 'audit.read',
      actor: 'audi',
      subject: 'rights-review',
      details: { format: 'json', rows: items.length },
    });
  });

  it('answers CSV with a header, one line per row', async () => {
    const r = await client(f, 'admin')('/api/v1/rights/review?format=csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await r.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('mailbox,kind,right,user,via,group,role,effective,note');
    expect(lines).toContain('alice-out,outgoing,out.send,bob,group,sales,,yes,');
    expect((await client(f, 'admin')('/api/v1/rights/review?format=pdf')).status).toBe(400);
  });
});
