import { verifyAuditChain } from '@faxgate/audit';
import { readTiff } from '@faxgate/fax-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jobIdOf } from '../pipeline/queue.js';
import { client, faxForm, testTiff, useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture();

interface FaxJson {
  id: number;
  state: string;
  direction: string;
  remoteNumber: string;
  priority: number;
  pagesTotal: number;
  mailboxId: number;
}

async function submit(
  user: string,
  fields: Record<string, string>,
  files = [{ name: 'fax.tif', data: testTiff(2) }],
) {
  return client(f, user)('/api/v1/faxes', { method: 'POST', body: faxForm(fields, files) });
}

async function json<T>(r: Response, status: number): Promise<T> {
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return JSON.parse(text) as T;
}

describe('REST API faxes', () => {
  let queued: FaxJson;

  it('accepts a fax, stores it and queues one job for it', async () => {
    const r = await submit('alice', { number: '030 5551000', priority: '100', subject: 'Angebot' });
    const body = await json<{ fax: FaxJson; outcome: string; enqueued: boolean }>(r, 201);
    expect(r.headers.get('location')).toBe(`/api/v1/faxes/${body.fax.id}`);
    expect(body).toMatchObject({ outcome: 'queued', enqueued: true });
    expect(body.fax).toMatchObject({
      direction: 'out',
      state: 'pending',
      remoteNumber: '+49305551000',
      priority: 100,
      pagesTotal: 2,
    });
    expect((await f.queue.getJob(jobIdOf(body.fax.id)))?.data).toEqual({ faxId: body.fax.id });
    queued = body.fax;
  });

  it('answers a retried submission with the first fax (Idempotency-Key), per user', async () => {
    const send = (user: string, key: string) =>
      client(f, user)('/api/v1/faxes', {
        method: 'POST',
        headers: { 'idempotency-key': key },
        body: faxForm({ number: '030 5551000' }, [{ name: 'fax.tif', data: testTiff() }]),
      });
    const first = await json<{ fax: FaxJson; replayed: boolean }>(await send('alice', 'order-4711'), 201);
    expect(first.replayed).toBe(false);
    const concurrent = await Promise.all([send('alice', 'order-4711'), send('alice', 'order-4711')]);
    for (const r of concurrent) {
      const again = await json<{ fax: FaxJson; replayed: boolean }>(r, 200);
      expect(again).toMatchObject({ replayed: true, fax: { id: first.fax.id } });
    }
    const raced = await Promise.all([send('alice', 'order-4712'), send('alice', 'order-4712')]);
    const ids = await Promise.all(raced.map(async (r) => ((await r.json()) as { fax: FaxJson }).fax.id));
    expect(ids[0]).toBe(ids[1]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 201]);
    const rows = await f.db('faxes').where('idempotency_key', 'like', '%:order-47%');
    expect(rows).toHaveLength(2);
    const bad = await send('alice', 'has space');
    expect((await json<{ error: { code: string } }>(bad, 400)).error.code).toBe('invalid_input');
  });

  it('renders documents through the sandbox (text)', async () => {
    const r = await submit('alice', { number: '+49 30 5551000' }, [
      {
        name: 'letter.txt',
        data: new TextEncoder().encode('Sehr geehrte Damen und Herren,\n\nanbei das Angebot.\n'),
      },
    ]);
    const body = await json<{ fax: FaxJson }>(r, 201);
    expect(body.fax.pagesTotal).toBe(1);
  }, 60_000);

  it('puts a cover page in front when asked', async () => {
    const r = await submit('alice', {
      number: '030 5551000',
      coverToName: 'Frau Weber',
      coverComment: 'Bitte rasch.',
    });
    const body = await json<{ fax: FaxJson }>(r, 201);
    expect(body.fax.pagesTotal).toBe(3);
    const none = await submit('alice', { number: '030 5551000', cover: 'false' });
    expect((await json<{ fax: FaxJson }>(none, 201)).fax.pagesTotal).toBe(2);
    const bad = await submit('alice', { number: '030 5551000', coverUrgency: 'soon' });
    expect((await json<{ error: { message: string } }>(bad, 400)).error.message).toMatch(/coverUrgency/);
  });

  it('refuses bad submissions with clear errors and stores nothing', async () => {
    const before = Number((await f.db('faxes').count({ n: '*' }))[0].n);
    const cases: Array<[Record<string, string>, Array<{ name: string; data: Uint8Array }>, number, string]> =
      [
        [{ number: '112' }, [{ name: 'a.tif', data: testTiff() }], 422, 'destination_refused'],
        [{ number: '0900123456' }, [{ name: 'a.tif', data: testTiff() }], 422, 'destination_refused'],
        [{ number: '030 5551000' }, [], 400, 'invalid_input'],
        [
          { number: '030 5551000', colour: 'yes' },
          [{ name: 'a.tif', data: testTiff() }],
          400,
          'invalid_input',
        ],
        [
          { number: '030 5551000', priority: '999' },
          [{ name: 'a.tif', data: testTiff() }],
          400,
          'invalid_input',
        ],
        [
          { number: '030 5551000', sendAt: 'tomorrow' },
          [{ name: 'a.tif', data: testTiff() }],
          400,
          'invalid_input',
        ],
        [{ number: 'abc' }, [{ name: 'a.tif', data: testTiff() }], 400, 'invalid_input'],
        [
          { number: '030 5551000' },
          [{ name: 'bad.tif', data: testTiff().slice(0, 60) }],
          422,
          'unsupported_document',
        ],
        [
          { number: '030 5551000' },
          [{ name: 'big.bin', data: new Uint8Array(1024 * 1024 + 10) }],
          413,
          'payload_too_large',
        ],
        [
          { number: '030 5551000' },
          Array.from({ length: 4 }, (_, i) => ({ name: `${i}.tif`, data: testTiff() })),
          413,
          'payload_too_large',
        ],
      ];
    for (const [fields, files, status, code] of cases) {
      const r = await submit('alice', fields, files);
      const body = await json<{ error: { code: string; message: string } }>(r, status);
      expect(body.error.code, JSON.stringify(fields)).toBe(code);
    }
    const json415 = await client(f, 'alice')('/api/v1/faxes', { method: 'POST', json: { number: '1' } });
    expect(json415.status).toBe(415);
    expect(Number((await f.db('faxes').count({ n: '*' }))[0].n)).toBe(before);
  }, 60_000);

  it('refuses a sender without out.send, and records the refusal', async () => {
    const r = await submit('bob', { number: '030 5551000', mailbox: 'alice-out' });
    expect((await json<{ error: { code: string } }>(r, 403)).error.code).toBe('forbidden');
    const denied = await f.db('audit_events').where({ type: 'access.denied', actor: 'bob' }).first();
    expect(denied.details).toMatchObject({ permission: 'out.send', via: 'api' });
  });

  it('delivers to an internal number without dialling, readable by the mailbox reader only', async () => {
    const r = await submit('alice', { number: '3001' });
    const body = await json<{ outcome: string; deliveredFaxId: number; fax: FaxJson }>(r, 201);
    expect(body.outcome).toBe('internal');
    expect(await f.queue.getJob(jobIdOf(body.fax.id))).toBeUndefined();
    const id = body.deliveredFaxId;

    const bob = client(f, 'bob');
    const inbox = await json<{ items: FaxJson[] }>(await bob('/api/v1/faxes?direction=in'), 200);
    expect(inbox.items.map((x) => x.id)).toEqual([id]);

    const png = await bob(`/api/v1/faxes/${id}/pages/1`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([1728, 300]);

    const pdf = Buffer.from(await (await bob(`/api/v1/faxes/${id}/document`)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(2);

    const tiff = await bob(`/api/v1/faxes/${id}/document?format=tiff`);
    const doc = readTiff(new Uint8Array(await tiff.arrayBuffer()));
    expect(doc.pages.map((p) => [p.page.width, p.page.height])).toEqual([
      [1728, 300],
      [1728, 300],
    ]);
    const reads = await f.db('audit_events').where({ type: 'fax.read', actor: 'bob' });
    expect(reads).toHaveLength(3);

    // alice sent it but holds no right on the incoming mailbox; the auditor sees metadata, never content.
    expect((await client(f, 'alice')(`/api/v1/faxes/${id}`)).status).toBe(404);
    expect((await client(f, 'audi')(`/api/v1/faxes/${id}`)).status).toBe(200);
    const denied = await client(f, 'audi')(`/api/v1/faxes/${id}/pages/1`);
    expect((await json<{ error: { code: string } }>(denied, 403)).error.code).toBe('forbidden');
  });

  it('lists only what a caller may see, with keyset paging', async () => {
    const alice = await json<{ items: FaxJson[]; next: number | null }>(
      await client(f, 'alice')('/api/v1/faxes?limit=2'),
      200,
    );
    expect(alice.items).toHaveLength(2);
    expect(alice.items.every((x) => x.mailboxId === f.aliceOut)).toBe(true);
    const rest = await json<{ items: FaxJson[] }>(
      await client(f, 'alice')(`/api/v1/faxes?before=${alice.next}`),
      200,
    );
    expect(rest.items.every((x) => x.id < (alice.next as number))).toBe(true);
    const bob = await json<{ items: FaxJson[] }>(await client(f, 'bob')('/api/v1/faxes?direction=out'), 200);
    expect(bob.items).toEqual([]);
    const po = await json<{ items: FaxJson[] }>(
      await client(f, 'po')('/api/v1/faxes?state=pending,done'),
      200,
    );
    expect(po.items.length).toBeGreaterThanOrEqual(3);
    expect((await client(f, 'alice')('/api/v1/faxes?limit=100000')).status).toBe(400);
    expect((await client(f, 'alice')('/api/v1/faxes?bogus=1')).status).toBe(400);
  });

  it('modifies, stops, deletes and resubmits through the job control', async () => {
    const alice = client(f, 'alice');
    const mod = await json<{ fax: FaxJson; changed: string[] }>(
      await alice(`/api/v1/faxes/${queued.id}`, { method: 'PATCH', json: { priority: 5 } }),
      200,
    );
    expect(mod.fax.priority).toBe(5);
    expect(mod.changed).toEqual(['priority']);
    const blocked = await alice(`/api/v1/faxes/${queued.id}`, { method: 'PATCH', json: { number: '110' } });
    expect((await json<{ error: { code: string } }>(blocked, 422)).error.code).toBe('destination_refused');
    expect((await client(f, 'bob')(`/api/v1/faxes/${queued.id}/stop`, { method: 'POST' })).status).toBe(404);

    const stop = await json<{ fax: FaxJson; was: string }>(
      await alice(`/api/v1/faxes/${queued.id}/stop`, { method: 'POST' }),
      200,
    );
    expect(stop.was).toBe('waiting');
    expect(stop.fax.state).toBe('failed');
    expect(await f.queue.getJob(jobIdOf(queued.id))).toBeUndefined();
    const again = await alice(`/api/v1/faxes/${queued.id}`, { method: 'PATCH', json: { priority: 7 } });
    expect((await json<{ error: { code: string } }>(again, 409)).error.code).toBe('state_conflict');

    const re = await json<{ fax: FaxJson; resubmitOf: number }>(
      await alice(`/api/v1/faxes/${queued.id}/resubmit`, { method: 'POST', json: {} }),
      201,
    );
    expect(re.resubmitOf).toBe(queued.id);
    expect(re.fax.state).toBe('pending');
    expect(re.fax.pagesTotal).toBe(2);

    const del = await json<{ fax: FaxJson; pagesDeleted: number }>(
      await alice(`/api/v1/faxes/${queued.id}`, { method: 'DELETE' }),
      200,
    );
    expect(del.fax.state).toBe('deleted');
    expect(del.pagesDeleted).toBe(2);
    expect((await alice(`/api/v1/faxes/${queued.id}/document`)).status).toBe(410);
    expect((await alice(`/api/v1/faxes/${queued.id}`)).status).toBe(200);
  });

  it('shows the queue with faxstat columns and refuses the line status to plain users', async () => {
    const q = await json<{ items: Array<{ jid: number; s: string; owner: string; pages: string }> }>(
      await client(f, 'op')('/api/v1/queue'),
      200,
    );
    expect(q.items.length).toBeGreaterThan(0);
    expect(q.items[0]).toMatchObject({ s: 'P', owner: 'alice' });
    expect((await client(f, 'alice')('/api/v1/lines')).status).toBe(403);
    expect((await client(f, 'op')('/api/v1/lines')).status).toBe(200);
    const summary = await json<Record<string, number>>(await client(f, 'op')('/api/v1/queue/summary'), 200);
    expect(summary.pending).toBeGreaterThan(0);
  });

  it('leaves an intact audit chain', async () => {
    expect((await verifyAuditChain(f.db)).ok).toBe(true);
  });
});
