// Retention and legal holds over real HTTP: retention.manage only (admin, postoffice) — every
// other role 403 with an access.denied event on every route —, holds set and cleared on
// record, a dry run changing nothing, `now` ahead of the clock refused for a real run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';
import { finishedFax, payloadState } from '../../test-support/retention-faxes.js';

const archiveDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-ret-api-')), 'archive');
afterAll(() => fs.rmSync(path.dirname(archiveDir), { recursive: true, force: true }));
const f = useApiFixture({ archive: { dir: archiveDir } });

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details', 'fax_id');
}

const routes = (faxId: number): Array<[string, string, unknown?]> => [
  ['POST', '/api/v1/retention/runs', { dryRun: true }],
  ['GET', '/api/v1/legal-holds'],
  ['PUT', `/api/v1/legal-holds/faxes/${faxId}`, { reason: 'case 1' }],
  ['DELETE', `/api/v1/legal-holds/faxes/${faxId}`],
  ['PUT', '/api/v1/legal-holds/mailboxes/sales-in', { reason: 'case 1' }],
  ['DELETE', '/api/v1/legal-holds/mailboxes/sales-in'],
];

describe('retention API', () => {
  let heldBefore = 0;
  it('refuses every role without retention.manage with 403 and an access.denied event, on every route', async () => {
    const fax = await finishedFax(f.db, {
      direction: 'in',
      state: 'received',
      mailboxId: f.salesIn,
      daysAgo: 200,
    });
    for (const user of ['op', 'audi', 'alice', 'bob']) {
      for (const [method, url, json] of routes(fax.id)) {
        const r = await client(f, user)(url, { method, json });
        expect(r.status, `${user} ${method} ${url}`).toBe(403);
        const ev = await lastEvent();
        expect(ev, `${user} ${method} ${url}`).toMatchObject({ type: 'access.denied', actor: user });
        expect(ev.details).toMatchObject({ permission: 'retention.manage', via: 'api' });
      }
    }
    expect(await payloadState(f.db, [fax.id])).toEqual({ [fax.id]: 'received/2' });
    expect(Number((await f.db('legal_holds').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('lets the post office hold a fax (audited), refuses a second hold, lists it and clears it (audited)', async () => {
    const fax = await finishedFax(f.db, {
      direction: 'out',
      state: 'done',
      mailboxId: f.aliceOut,
      daysAgo: 100,
    });
    heldBefore = fax.id;
    const po = client(f, 'po');
    const set = await po(`/api/v1/legal-holds/faxes/${fax.id}`, {
      method: 'PUT',
      json: { reason: 'court case 4711' },
    });
    expect(set.status).toBe(201);
    expect(await set.json()).toMatchObject({
      faxId: fax.id,
      reason: 'court case 4711',
      setBy: 'po',
      clearedAt: null,
    });
    expect(await lastEvent()).toMatchObject({
      type: 'retention.hold',
      actor: 'po',
      fax_id: fax.id,
      details: { reason: 'court case 4711' },
    });
    const again = await po(`/api/v1/legal-holds/faxes/${fax.id}`, { method: 'PUT', json: { reason: 'x' } });
    expect(again.status).toBe(409);
    const list = (await (await client(f, 'admin')('/api/v1/legal-holds')).json()) as Array<{ faxId: number }>;
    expect(list.map((h) => h.faxId)).toContain(fax.id);

    // Held: a run leaves it alone.
    const run = await client(f, 'admin')('/api/v1/retention/runs', { method: 'POST', json: {} });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ held: 1 });
    expect(await payloadState(f.db, [fax.id])).toEqual({ [fax.id]: 'done/2' });

    const clear = await po(`/api/v1/legal-holds/faxes/${fax.id}`, { method: 'DELETE' });
    expect(clear.status).toBe(200);
    expect(await clear.json()).toMatchObject({ faxId: fax.id, clearedBy: 'po' });
    expect(await lastEvent()).toMatchObject({ type: 'retention.release', actor: 'po' });
    const none = await po(`/api/v1/legal-holds/faxes/${fax.id}`, { method: 'DELETE' });
    expect(none.status).toBe(404);
    const unknown = await po('/api/v1/legal-holds/mailboxes/no-such-box', {
      method: 'PUT',
      json: { reason: 'x' },
    });
    expect(unknown.status).toBe(404);
  });

  it('dry run changes nothing; `now` ahead of the clock only in a dry run; a real run deletes and archives', async () => {
    const fax = await finishedFax(f.db, {
      direction: 'out',
      state: 'done',
      mailboxId: f.aliceOut,
      daysAgo: 10,
    });
    const admin = client(f, 'admin');
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const dry = await admin('/api/v1/retention/runs', {
      method: 'POST',
      json: { dryRun: true, now: future },
    });
    expect(dry.status).toBe(200);
    const body = (await dry.json()) as { dryRun: boolean; faxes: Array<{ id: number }> };
    expect(body.dryRun).toBe(true);
    expect(body.faxes.map((x) => x.id)).toContain(fax.id);
    expect(await payloadState(f.db, [fax.id])).toEqual({ [fax.id]: 'done/2' });

    const refused = await admin('/api/v1/retention/runs', { method: 'POST', json: { now: future } });
    expect(refused.status).toBe(400);
    expect(await payloadState(f.db, [fax.id])).toEqual({ [fax.id]: 'done/2' });

    // Now: the fax held before (100 days, hold cleared) is due, the 10-day one is not (30 days).
    const real = await admin('/api/v1/retention/runs', { method: 'POST', json: {} });
    expect(await real.json()).toMatchObject({ dryRun: false, deleted: 1, archived: 1 });
    expect(await payloadState(f.db, [fax.id, heldBefore])).toEqual({
      [fax.id]: 'done/2',
      [heldBefore]: 'deleted/0',
    });
    expect(await lastEvent()).toMatchObject({ type: 'retention.run', actor: 'admin' });
    expect(fs.existsSync(path.join(archiveDir, `fax-${heldBefore}`, 'MANIFEST.sha256'))).toBe(true);
  });
});
