// The operations dashboard's server side against real PostgreSQL and Redis: its aggregates
// from real fax rows, the refusal (403, access.denied) of a user without the view, the
// lines stream, and the channel pool's change events that feed that stream in the daemon.
import { faxes } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { ChannelPool } from '../../pipeline/channel-pool.js';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();

interface Answer {
  queue: Array<{ state: string; count: number; oldestAt: string }>;
  faxes: Array<{ id: number; state: string; remoteNumber: string | null }>;
  failed: Array<{ id: number; cause: string | null }>;
  finished: Record<string, number>;
  failures: Array<{ direction: string; cause: string; count: number; example: string | null }>;
  perHour: Array<{ hour: string; sent: number; failed: number; received: number }>;
  lines: { transport: string; controllers: number[] } | null;
  health: { checks: unknown[]; disk: unknown } | null;
}

describe('GET /api/v1/console/operations', () => {
  it('counts the queue by state, the last 24 h by outcome, cause and hour', async () => {
    // One call per number at a time (a database rule): each fax its own number.
    let n = 0;
    const out = () => ({ direction: 'out' as const, mailboxId: f.aliceOut, remoteNumber: `+4930555${n++}` });
    const waiting = await faxes.insert(f.db, { ...out(), state: 'waiting' });
    await faxes.insert(f.db, { ...out(), state: 'waiting' });
    await faxes.insert(f.db, { ...out(), state: 'suspended' });
    const done = await faxes.insert(f.db, { ...out(), state: 'running' });
    await faxes.updateState(f.db, done.id, 'done', { completedAt: new Date() });
    for (const cause of ['busy', 'busy', 'no-answer']) {
      const x = await faxes.insert(f.db, { ...out(), state: 'running' });
      await faxes.updateState(f.db, x.id, 'failed', {
        cause,
        causeText: `line ${cause}`,
        completedAt: new Date(),
      });
    }
    // Finished two days ago: in no 24-hour figure.
    const old = await faxes.insert(f.db, { ...out(), state: 'running' });
    await faxes.updateState(f.db, old.id, 'failed', {
      cause: 'busy',
      completedAt: new Date(Date.now() - 2 * 86400_000),
    });

    const r = await client(f, 'op')('/api/v1/console/operations');
    expect(r.status).toBe(200);
    const a = (await r.json()) as Answer;
    expect(a.queue.map((q) => [q.state, q.count])).toEqual([
      ['suspended', 1],
      ['waiting', 2],
    ]);
    expect(new Date(a.queue[1]!.oldestAt).getTime()).toBe(new Date(waiting.createdAt).getTime());
    expect(a.faxes.map((x) => x.state)).toEqual(['waiting', 'waiting', 'suspended']);
    expect(a.faxes[0]).toMatchObject({ id: waiting.id, remoteNumber: '+49305550' });
    // The latest failed first (the old one too: it is listed for a requeue, not counted).
    expect(a.failed.map((x) => x.cause)).toEqual(['busy', 'no-answer', 'busy', 'busy']);
    expect(a.finished).toEqual({ 'out.done': 1, 'out.failed': 3 });
    expect(a.failures.map((x) => [x.direction, x.cause, x.count, x.example])).toEqual([
      ['out', 'busy', 2, 'line busy'],
      ['out', 'no-answer', 1, 'line no-answer'],
    ]);
    expect(a.perHour).toHaveLength(24);
    const last = a.perHour[23]!;
    expect([last.sent, last.failed, last.received]).toEqual([1, 3, 0]);
    expect(a.perHour.slice(0, 23).every((h) => h.sent + h.failed + h.received === 0)).toBe(true);
    // The operator holds line.read: lines and health are in the answer.
    expect(a.lines).toMatchObject({ transport: expect.any(String), controllers: expect.any(Array) });
    expect(a.health).toMatchObject({ checks: expect.any(Array) });
  });

  it('refuses a user without the operations view (403) and records the refusal', async () => {
    const r = await client(f, 'alice')('/api/v1/console/operations');
    expect(r.status).toBe(403);
    const denied = await f
      .db('audit_events')
      .where({ type: 'access.denied', actor: 'alice' })
      .whereRaw(`details->>'view' = 'operations'`);
    expect(denied).toHaveLength(1);
    expect((await client(f)('/api/v1/console/operations')).status).toBe(401);
  });
});

describe('GET /api/v1/console/operations/events', () => {
  it('starts with the lines now', async () => {
    const r = await client(f, 'audi')('/api/v1/console/operations/events');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    expect(text).toMatch(/^retry: 1000\nevent: lines\ndata: \{"transport":/);
  });

  it('refuses a user without the operations view (403, audited)', async () => {
    expect((await client(f, 'bob')('/api/v1/console/operations/events')).status).toBe(403);
    const denied = await f.db('audit_events').where({ type: 'access.denied', actor: 'bob' });
    expect(denied.map((e) => e.details.view)).toEqual(['operations']);
  });
});

describe('ChannelPool change events (what the daemon pushes to the stream)', () => {
  it('tells of a channel taken, labelled and released', () => {
    const pool = new ChannelPool([{ controller: 1, channels: 2 }], 0);
    let changes = 0;
    pool.on('change', () => changes++);
    const send = pool.acquire(7);
    expect(changes).toBe(1);
    const rx = pool.occupy(1);
    pool.label(rx, 9);
    expect(changes).toBe(3);
    expect(pool.snapshot()[0]!.slots).toEqual([
      { channel: 1, state: 'sending', faxId: 7 },
      { channel: 2, state: 'receiving', faxId: 9 },
    ]);
    send!.release();
    rx.release();
    expect(changes).toBe(5);
  });
});
