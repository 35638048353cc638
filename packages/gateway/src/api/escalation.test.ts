// The attacks of issue 13 part 3 over real HTTP: a post office (user.manage) cannot lift
// itself or anyone else above its own roles, nor act as an admin or an auditor — and every
// refusal leaves an access.denied event naming what was refused.
import { describe, expect, it } from 'vitest';
import { client, PASSWORD, useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture();

async function deniedSince(
  seq: number,
): Promise<Array<{ actor: string; subject: string; details: Record<string, unknown> }>> {
  return f
    .db('audit_events')
    .where({ type: 'access.denied' })
    .andWhere('id', '>', seq)
    .orderBy('id')
    .select('actor', 'subject', 'details');
}
async function lastId(): Promise<number> {
  const row = await f.db('audit_events').max('id as id').first();
  return Number(row?.id ?? 0);
}

describe('no escalation through the API', () => {
  const attacks: Array<[string, string, string, unknown]> = [
    ['a token for the admin', 'POST', '/api/v1/tokens', { name: 'mine now', user: 'admin' }],
    ['a token for the auditor', 'POST', '/api/v1/tokens', { name: 'mine now', user: 'audi' }],
    ["the auditor's password", 'PATCH', '/api/v1/users/audi', { password: 'taken over!!' }],
    ["the admin's password", 'PATCH', '/api/v1/users/admin', { password: 'taken over!!' }],
    ['admin for itself', 'PATCH', '/api/v1/users/po', { roles: ['postoffice', 'admin'] }],
    ['auditor for itself', 'PATCH', '/api/v1/users/po', { roles: ['postoffice', 'auditor'] }],
    [
      'a new admin',
      'POST',
      '/api/v1/users',
      { name: 'mallory', roles: ['admin'], password: 'long enough pw' },
    ],
    [
      'a new operator (a role it does not hold)',
      'POST',
      '/api/v1/users',
      { name: 'oscar', roles: ['operator'] },
    ],
    ['disabling the admin', 'PATCH', '/api/v1/users/admin', { disabled: true }],
    ['renaming the auditor', 'PATCH', '/api/v1/users/audi', { displayName: 'nobody' }],
    ['the admin into a group', 'PUT', '/api/v1/groups/crew/members/admin', undefined],
    [
      'a grant to the auditor',
      'POST',
      '/api/v1/grants',
      { user: 'audi', mailbox: 'sales-in', right: 'in.read' },
    ],
    ["the admin's tokens", 'GET', '/api/v1/tokens?user=admin', undefined],
  ];

  it.each(attacks)(
    'the post office cannot get %s (403, access.denied)',
    async (_what, method, path, json) => {
      const po = client(f, 'po');
      if (path.includes('/groups/crew'))
        await po('/api/v1/groups', { method: 'POST', json: { name: 'crew' } });
      const before = await lastId();
      const r = await po(path, { method, ...(json === undefined ? {} : { json }) });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      const denied = await deniedSince(before);
      expect(denied).toHaveLength(1);
      expect(denied[0].actor).toBe('po');
      expect(denied[0].details.via).toBe('api');
    },
  );

  it('nothing of it happened: roles, passwords and tokens are as before', async () => {
    const roles = async (name: string) =>
      (
        await f
          .db('user_roles as r')
          .join('users as u', 'u.id', 'r.user_id')
          .where('u.name', name)
          .select('r.role')
      ).map((x) => x.role);
    expect(await roles('po')).toEqual(['postoffice']);
    expect(await f.db('users').whereIn('name', ['mallory', 'oscar']).select('id')).toEqual([]);
    const login = await fetch(`${f.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'audi', password: PASSWORD }),
    });
    expect(login.status).toBe(201);
    const adminTokens = await f
      .db('credentials as c')
      .join('users as u', 'u.id', 'c.user_id')
      .where({ 'u.name': 'admin', 'c.kind': 'token' });
    expect(adminTokens).toEqual([]);
  });

  it('the post office still manages plain users and post offices; the admin manages everyone', async () => {
    const po = client(f, 'po');
    expect(
      (await po('/api/v1/users', { method: 'POST', json: { name: 'dora', password: 'long enough pw' } }))
        .status,
    ).toBe(201);
    expect(
      (await po('/api/v1/tokens', { method: 'POST', json: { name: 'for dora', user: 'dora' } })).status,
    ).toBe(201);
    expect(
      (await po('/api/v1/users/dora', { method: 'PATCH', json: { password: 'reset by po!' } })).status,
    ).toBe(200);
    expect(
      (await po('/api/v1/users', { method: 'POST', json: { name: 'po2', roles: ['postoffice'] } })).status,
    ).toBe(201);
    const admin = client(f, 'admin');
    expect(
      (await admin('/api/v1/users/audi', { method: 'PATCH', json: { displayName: 'The Auditor' } })).status,
    ).toBe(200);
    expect(
      (await admin('/api/v1/tokens', { method: 'POST', json: { name: 'audit job', user: 'audi' } })).status,
    ).toBe(201);
    expect(
      (await admin('/api/v1/users/dora', { method: 'PATCH', json: { roles: ['operator'] } })).status,
    ).toBe(200);
    // dora is an operator now: out of the post office's reach.
    expect((await po('/api/v1/users/dora', { method: 'PATCH', json: { disabled: true } })).status).toBe(403);
    // An operator holds no user.manage at all: not even a plain user's token.
    expect(
      (await client(f, 'op')('/api/v1/tokens', { method: 'POST', json: { name: 'x', user: 'alice' } }))
        .status,
    ).toBe(403);
  });

  it('without user.manage, other accounts are refused before they are looked up (403 whether they exist or not)', async () => {
    const alice = client(f, 'alice');
    for (const who of ['bob', 'no-such-user']) {
      const before = await lastId();
      expect(
        (await alice(`/api/v1/users/${who}`, { method: 'PATCH', json: { displayName: 'x' } })).status,
      ).toBe(403);
      expect((await alice(`/api/v1/tokens?user=${who}`)).status).toBe(403);
      expect((await alice('/api/v1/tokens', { method: 'POST', json: { name: 'x', user: who } })).status).toBe(
        403,
      );
      expect(await deniedSince(before)).toHaveLength(3);
    }
  });
});
