import { describe, expect, it } from 'vitest';
import { client, PASSWORD, useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture();

const status = async (r: Promise<Response>) => (await r).status;

describe('REST API users, groups, mailboxes and grants', () => {
  it('lets the post office manage users but only an admin hand out power', async () => {
    const po = client(f, 'po');
    expect(
      await status(
        po('/api/v1/users', { method: 'POST', json: { name: 'carol', password: 'long enough pw' } }),
      ),
    ).toBe(201);
    expect(
      await status(po('/api/v1/users', { method: 'POST', json: { name: 'eve', roles: ['admin'] } })),
    ).toBe(403);
    expect(await status(po('/api/v1/users/admin', { method: 'PATCH', json: { disabled: true } }))).toBe(403);
    expect(
      await status(po('/api/v1/users/carol', { method: 'PATCH', json: { roles: ['user', 'operator'] } })),
    ).toBe(403);
    const admin = client(f, 'admin');
    const carol = await admin('/api/v1/users/carol', {
      method: 'PATCH',
      json: { roles: ['operator'], displayName: 'Carol C.' },
    });
    expect(await carol.json()).toMatchObject({ name: 'carol', roles: ['operator'], displayName: 'Carol C.' });
    expect(await status(client(f, 'alice')('/api/v1/users'))).toBe(403);
    expect(await status(client(f, 'audi')('/api/v1/users', { method: 'POST', json: { name: 'x1' } }))).toBe(
      403,
    );
    const names = ((await (await po('/api/v1/users')).json()) as Array<{ name: string }>).map((u) => u.name);
    expect(names).toContain('carol');
    expect(await status(po('/api/v1/users', { method: 'POST', json: { name: 'carol' } }))).toBe(409);
    expect(await status(po('/api/v1/users', { method: 'POST', json: { name: 'bad name!' } }))).toBe(400);
    expect(await status(po('/api/v1/users', { method: 'POST', json: { name: 'x2', isAdmin: true } }))).toBe(
      400,
    );
  });

  it('lets users change their own password with the old one, ending their other sessions and tokens', async () => {
    const alice = client(f, 'alice');
    const token = (await (
      await alice('/api/v1/tokens', { method: 'POST', json: { name: 'script' } })
    ).json()) as { token: string };
    const other = await fetch(`${f.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    const otherSession = ((await other.json()) as { token: string }).token;
    const as = (secret: string) =>
      fetch(`${f.base}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    // Without the old password: 400; with a wrong one: 403 and audited; nothing changes.
    expect(
      await status(
        alice('/api/v1/users/alice', { method: 'PATCH', json: { password: 'a new long password' } }),
      ),
    ).toBe(400);
    expect(
      await status(
        alice('/api/v1/users/alice', {
          method: 'PATCH',
          json: { password: 'a new long password', oldPassword: 'not the password' },
        }),
      ),
    ).toBe(403);
    expect((await as(token.token)).status).toBe(200);
    const denied = await f
      .db('audit_events')
      .where({ type: 'access.denied', actor: 'alice' })
      .select('details');
    expect(denied.map((e) => e.details.reason)).toContain('the old password is wrong');
    expect(
      await status(
        alice('/api/v1/users/alice', {
          method: 'PATCH',
          json: { password: 'a new long password', oldPassword: PASSWORD },
        }),
      ),
    ).toBe(200);
    // The session of the change stays; the other session and the API token end at once.
    expect(await status(alice('/api/v1/me'))).toBe(200);
    expect((await as(otherSession)).status).toBe(401);
    expect((await as(token.token)).status).toBe(401);
    const login = await fetch(`${f.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'a new long password' }),
    });
    expect(login.status).toBe(201);
    f.tokens.alice = ((await login.json()) as { token: string }).token;
    expect(
      await status(
        client(f, 'alice')('/api/v1/users/bob', { method: 'PATCH', json: { password: 'x'.repeat(10) } }),
      ),
    ).toBe(403);
  });

  it('creates groups, mailboxes, numbers and grants — and rights follow at once', async () => {
    const po = client(f, 'po');
    expect(await status(po('/api/v1/groups', { method: 'POST', json: { name: 'sales' } }))).toBe(201);
    expect(await status(po('/api/v1/groups/sales/members/bob', { method: 'PUT' }))).toBe(200);
    const groups = (await (await po('/api/v1/groups')).json()) as Array<{ name: string; members: string[] }>;
    expect(groups.find((g) => g.name === 'sales')?.members).toEqual(['bob']);

    const created = await po('/api/v1/mailboxes', {
      method: 'POST',
      json: { name: 'sales-out', kind: 'outgoing', numbers: ['+49303002'] },
    });
    expect(created.status).toBe(201);
    expect(await status(po('/api/v1/mailboxes/sales-out/numbers/+49303003', { method: 'PUT' }))).toBe(200);
    expect(await status(po('/api/v1/mailboxes/sales-out/numbers/+49303001', { method: 'PUT' }))).toBe(200);
    expect(await status(po('/api/v1/mailboxes/sales-in/numbers/+49303002', { method: 'PUT' }))).toBe(200);
    expect(
      await status(
        client(f, 'op')('/api/v1/mailboxes', { method: 'POST', json: { name: 'x', kind: 'incoming' } }),
      ),
    ).toBe(403);

    const bob = client(f, 'bob');
    const before = (await (await bob('/api/v1/me')).json()) as {
      mailboxes: Array<{ mailbox: { name: string } }>;
    };
    expect(before.mailboxes.map((m) => m.mailbox.name)).toEqual(['sales-in']);
    const g = await po('/api/v1/grants', {
      method: 'POST',
      json: { group: 'sales', mailbox: 'sales-out', right: 'out.send' },
    });
    const grant = (await g.json()) as { grant: { id: number; right: string }; created: boolean };
    expect(grant).toMatchObject({ created: true, grant: { right: 'out.send' } });
    const after = (await (await bob('/api/v1/me')).json()) as {
      mailboxes: Array<{ mailbox: { name: string }; rights: string[] }>;
    };
    expect(after.mailboxes.find((m) => m.mailbox.name === 'sales-out')?.rights).toEqual(['out.send']);
    expect(
      await status(
        po('/api/v1/grants', {
          method: 'POST',
          json: { group: 'sales', mailbox: 'sales-out', right: 'in.read' },
        }),
      ),
    ).toBe(400);
    const listed = (await (await po('/api/v1/grants?user=bob')).json()) as Array<{ right: string }>;
    expect(listed.map((x) => x.right).sort()).toEqual(['in.read', 'out.send']);
    expect(await status(po(`/api/v1/grants/${grant.grant.id}`, { method: 'DELETE' }))).toBe(204);
    const gone = (await (await bob('/api/v1/me')).json()) as {
      mailboxes: Array<{ mailbox: { name: string } }>;
    };
    expect(gone.mailboxes.map((m) => m.mailbox.name)).toEqual(['sales-in']);
    expect(await status(client(f, 'alice')('/api/v1/grants?mailbox=sales-in'))).toBe(403);

    const events = (
      await f
        .db('audit_events')
        .whereIn('type', [
          'admin.grant',
          'admin.revoke',
          'admin.member_add',
          'admin.mailbox_add',
          'admin.number_add',
        ])
        .select('type')
    ).map((e) => e.type);
    expect(events.sort()).toEqual([
      'admin.grant',
      'admin.mailbox_add',
      'admin.member_add',
      'admin.number_add',
      'admin.number_add',
      'admin.number_add',
      'admin.revoke',
    ]);
  });

  it('answers unknown names and short passwords with clear messages (404, 400)', async () => {
    const admin = client(f, 'admin');
    const noGroup = await admin('/api/v1/groups/nogroup/members/bob', { method: 'PUT' });
    expect(noGroup.status).toBe(404);
    expect(((await noGroup.json()) as { error: { message: string } }).error.message).toBe(
      'group "nogroup" does not exist',
    );
    const noUser = await admin('/api/v1/users/nobody', { method: 'PATCH', json: { displayName: 'x' } });
    expect(noUser.status).toBe(404);
    const short = await admin('/api/v1/users/bob', { method: 'PATCH', json: { password: 'short' } });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: { message: string } }).error.message).toBe(
      'password must be at least 8 characters',
    );
  });
});
