// POST /api/v1/lines/:controller/out-of-service | in-service and GET /lines/service over real
// HTTP (PostgreSQL): line.manage only (403 + access.denied otherwise), the row and the audit
// event together, idempotent, unknown controllers 404. The daemon's following of the row is
// lines/line-service.test.ts.
import { describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture({ lines: { controllers: [1, 2] } });

const post = (user: string, p: string, body: unknown = {}) =>
  client(f, user)(`/api/v1${p}`, { method: 'POST', json: body });

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

describe('line service', () => {
  it('refuses roles without line.manage with 403 and access.denied, changing nothing', async () => {
    for (const user of ['alice', 'audi']) {
      for (const action of ['out-of-service', 'in-service']) {
        const r = await post(user, `/lines/1/${action}`);
        expect(r.status, `${user} ${action}`).toBe(403);
        expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: user });
      }
    }
    expect(await f.db('line_service').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await client(f, 'alice')('/api/v1/lines/service')).status).toBe(403);
  });

  it('the operator takes a line out of service and back, each once on record', async () => {
    const out = await post('op', '/lines/2/out-of-service', { reason: 'exchange works' });
    expect(out.status).toBe(200);
    expect(await out.json()).toMatchObject({
      controller: 2,
      inService: false,
      changed: true,
      outOfService: { controller: 2, reason: 'exchange works', setBy: 'op' },
    });
    expect(await lastEvent()).toMatchObject({
      type: 'line.out_of_service',
      actor: 'op',
      subject: 'line:controller-2',
      details: { controller: 2, reason: 'exchange works' },
    });
    const again = await post('po', '/lines/2/out-of-service');
    expect(await again.json()).toMatchObject({ changed: false, outOfService: { setBy: 'op' } });
    expect(await lastEvent()).toMatchObject({ type: 'line.out_of_service', actor: 'op' });
    const list = await client(f, 'audi')('/api/v1/lines/service');
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ controller: 2, setBy: 'op' }),
    ]);
    const back = await post('op', '/lines/2/in-service');
    expect(await back.json()).toMatchObject({
      controller: 2,
      inService: true,
      changed: true,
      outOfService: null,
    });
    expect(await lastEvent()).toMatchObject({ type: 'line.in_service', actor: 'op' });
    expect(await f.db('line_service').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('answers 404 for a controller the gateway does not use, 400 for a bad one', async () => {
    expect((await post('op', '/lines/9/out-of-service')).status).toBe(404);
    expect((await post('op', '/lines/0/out-of-service')).status).toBe(400);
    expect((await post('op', '/lines/1/out-of-service', { reason: 'x'.repeat(201) })).status).toBe(400);
  });
});
