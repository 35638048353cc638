// A fax file with damaged pages at the API (real PostgreSQL, Redis, decode threads): refused
// with 422 damaged_pages naming page and rows and nothing stored; sent with acceptDamaged, the
// fax's submit event names the pages and counts; the flag gives no rights (403, audited).
import { describe, expect, it } from 'vitest';
import { client, faxForm, testTiff, useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture();

/** testTiff's MMR page with zero bytes in the middle of its strip (it starts at byte 8): EOFB early. */
function damagedTiff(): Uint8Array {
  const t = testTiff(1, 300);
  const d = new Uint8Array(t);
  d.fill(0, 8 + 60, 8 + 80);
  return d;
}

async function submit(user: string, fields: Record<string, string>) {
  return client(f, user)('/api/v1/faxes', {
    method: 'POST',
    body: faxForm(fields, [{ name: 'scan.tif', data: damagedTiff() }]),
  });
}

describe('damaged fax files at submission', () => {
  it('refuses a page beyond intake.damage with 422, naming page and rows, and stores nothing', async () => {
    const before = Number((await f.db('faxes').count({ n: '*' }))[0].n);
    const r = await submit('alice', { number: '030 5551000' });
    const body = (await r.json()) as {
      error: { code: string; message: string; details: { damagedPages: unknown[] } };
    };
    expect(r.status).toBe(422);
    expect(body.error.code).toBe('damaged_pages');
    expect(body.error.message).toMatch(
      /^page 1: \d+ of 300 rows damaged \(rows \d+–299\); send with acceptDamaged=true \(faxgate send --accept-damaged\) to send it anyway$/,
    );
    expect(body.error.details.damagedPages).toHaveLength(1);
    expect(Number((await f.db('faxes').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('sends it with acceptDamaged=true and records the pages and counts in the submit event', async () => {
    const r = await submit('alice', { number: '030 5551000', acceptDamaged: 'true' });
    const text = await r.text();
    expect(r.status, text).toBe(201);
    const fax = (JSON.parse(text) as { fax: { id: number } }).fax;
    const ev = await f.db('audit_events').where({ type: 'job.create', fax_id: fax.id }).first();
    expect(ev.details.acceptedDamaged).toBe(true);
    expect(ev.details.damagedPages).toEqual([
      expect.objectContaining({ page: 1, file: 'scan.tif', rows: 300, lastBadRow: 299 }),
    ]);
    expect(ev.details.damagedPages[0].badLines).toBeGreaterThan(3);
  });

  it('gives no right to send: without out.send on the mailbox it is 403, and the refusal is audited', async () => {
    const r = await submit('bob', { number: '030 5551000', mailbox: 'alice-out', acceptDamaged: 'true' });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const denied = await f.db('audit_events').where({ type: 'access.denied', actor: 'bob' }).first();
    expect(denied.details).toMatchObject({ permission: 'out.send', via: 'api' });
  });

  it('refuses a malformed flag', async () => {
    const r = await submit('alice', { number: '030 5551000', acceptDamaged: 'yes' });
    expect(r.status).toBe(400);
  });
});
