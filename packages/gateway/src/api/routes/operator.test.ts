// Operator job control over real HTTP (PostgreSQL, Redis): hold, release, requeue, stop and
// reprioritise any fax with queue.manage; the sender keeps its own rights; a role without
// them gets 403 and an access.denied event; each action is audited with the operator as actor.
import { describe, expect, it } from 'vitest';
import { client, faxForm, testTiff, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();

interface FaxJson {
  id: number;
  state: string;
  priority: number;
  cause: string | null;
}

async function json<T>(r: Response, status: number): Promise<T> {
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** A fax of alice's that waits an hour (the fixture runs no worker anyway). */
async function queued(): Promise<FaxJson> {
  const sendAt = new Date(Date.now() + 3_600_000).toISOString();
  const r = await client(f, 'alice')('/api/v1/faxes', {
    method: 'POST',
    body: faxForm({ number: '030 5551000', sendAt }, [{ name: 'fax.tif', data: testTiff(1) }]),
  });
  return (await json<{ fax: FaxJson }>(r, 201)).fax;
}

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details', 'fax_id');
}

const post = (user: string, path: string, body: unknown = {}) =>
  client(f, user)(`/api/v1${path}`, { method: 'POST', json: body });

describe('operator job control', () => {
  it('the operator holds and releases alice’s fax; each on record with the operator as actor', async () => {
    const fax = await queued();
    const held = await json<{ fax: FaxJson }>(
      await post('op', `/faxes/${fax.id}/hold`, { reason: 'line maintenance' }),
      200,
    );
    expect(held.fax).toMatchObject({ state: 'suspended', cause: 'held' });
    expect(await lastEvent()).toMatchObject({ type: 'job.suspend', actor: 'op', fax_id: fax.id });
    const released = await json<{ fax: FaxJson; enqueued: boolean }>(
      await post('op', `/faxes/${fax.id}/release`),
      200,
    );
    expect(released).toMatchObject({ fax: { state: 'pending' }, enqueued: true });
    expect(await lastEvent()).toMatchObject({ type: 'job.resume', actor: 'op' });
    // Releasing again is a state conflict, not a silent success.
    expect((await post('op', `/faxes/${fax.id}/release`)).status).toBe(409);
  });

  it('the operator reprioritises and stops any fax, but may not change its number', async () => {
    const fax = await queued();
    const mod = await json<{ fax: FaxJson; changed: string[] }>(
      await client(f, 'op')(`/api/v1/faxes/${fax.id}`, { method: 'PATCH', json: { priority: 3 } }),
      200,
    );
    expect(mod).toMatchObject({ fax: { priority: 3 }, changed: ['priority'] });
    expect(await lastEvent()).toMatchObject({ type: 'job.modify', actor: 'op' });
    const renumber = await client(f, 'op')(`/api/v1/faxes/${fax.id}`, {
      method: 'PATCH',
      json: { number: '030 5551001' },
    });
    expect(renumber.status).toBe(403);
    expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: 'op' });
    const stop = await json<{ was: string; fax: FaxJson }>(await post('op', `/faxes/${fax.id}/stop`), 200);
    expect(stop).toMatchObject({ was: 'waiting', fax: { state: 'failed' } });
  });

  it('the operator requeues a failed fax', async () => {
    const fax = await queued();
    await json(await post('alice', `/faxes/${fax.id}/stop`), 200);
    const r = await json<{ fax: FaxJson; enqueued: boolean }>(
      await post('op', `/faxes/${fax.id}/requeue`),
      200,
    );
    expect(r).toMatchObject({ fax: { state: 'pending' }, enqueued: true });
    expect(await lastEvent()).toMatchObject({
      type: 'job.retry',
      actor: 'op',
      details: { decision: 'requeue' },
    });
  });

  it('the sender keeps its own rights: alice holds, releases and requeues her fax', async () => {
    const fax = await queued();
    await json(await post('alice', `/faxes/${fax.id}/hold`), 200);
    await json(await post('alice', `/faxes/${fax.id}/release`), 200);
    await json(await post('alice', `/faxes/${fax.id}/stop`), 200);
    await json(await post('alice', `/faxes/${fax.id}/requeue`), 200);
  });

  it('refuses a role without queue.manage with 403 and access.denied, for every action', async () => {
    const fax = await queued();
    for (const action of ['hold', 'release', 'requeue', 'stop']) {
      const r = await post('audi', `/faxes/${fax.id}/${action}`);
      expect(r.status, action).toBe(403);
      expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: 'audi' });
    }
    const pri = await client(f, 'audi')(`/api/v1/faxes/${fax.id}`, {
      method: 'PATCH',
      json: { priority: 1 },
    });
    expect(pri.status).toBe(403);
    expect(await lastEvent()).toMatchObject({ type: 'access.denied', actor: 'audi' });
    // bob does not even see alice's fax.
    expect((await post('bob', `/faxes/${fax.id}/hold`)).status).toBe(404);
  });
});
