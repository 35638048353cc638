// GET /api/v1/console/admin/pilot against real PostgreSQL (the API fixture, in pilot mode):
// the admin reads the state; the post office (administration view, no config.read), the
// auditor (config.read, no administration view) and a user are refused 403, each audited.
import { describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture({ mode: 'pilot' });

describe('GET /api/v1/console/admin/pilot', () => {
  it("answers this node's pilot state to an admin", async () => {
    const r = await client(f, 'admin')('/api/v1/console/admin/pilot');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      node: f.config.node.name,
      mode: 'pilot',
      configured: 'pilot',
      release: null,
    });
  });

  it('refuses the post office, the auditor and a user (403), each refusal audited', async () => {
    for (const [user, why] of [
      ['po', 'config.read'],
      ['audi', 'administration'],
      ['alice', 'administration'],
    ] as const) {
      const before = await f
        .db('audit_events')
        .where({ type: 'access.denied', actor: user })
        .orderBy('id')
        .select('details');
      const r = await client(f, user)('/api/v1/console/admin/pilot');
      expect(r.status, user).toBe(403);
      const after = await f
        .db('audit_events')
        .where({ type: 'access.denied', actor: user })
        .orderBy('id')
        .select('details');
      expect(after.length - before.length, user).toBe(1);
      const details = after[after.length - 1].details as { view?: string; permission?: string };
      expect(why === 'administration' ? details.view : details.permission, user).toBe(why);
    }
  });

  it('needs a login', async () => {
    expect((await client(f)('/api/v1/console/admin/pilot')).status).toBe(401);
  });
});
