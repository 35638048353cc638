// The console's server side against real PostgreSQL and Redis (the API fixture): which views
// each role gets, refusal and audit of a forbidden view, the event stream fed by NOTIFY, and
// the page's headers and language.
import { faxes, users } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import { client, PASSWORD, useApiFixture } from '../../test-support/api-fixture.js';
import { STREAMS_PER_USER } from './routes.js';
import { actionsFor, viewsFor } from './views.js';

const f = useApiFixture();

describe('viewsFor (pure)', () => {
  it('gives each view only to the rights it needs', () => {
    expect(viewsFor({ capabilities: [], mailboxRights: [] })).toEqual([]);
    expect(viewsFor({ capabilities: [], mailboxRights: ['in.read'] })).toEqual(['faxes']);
    expect(viewsFor({ capabilities: ['queue.read', 'line.read'], mailboxRights: [] })).toEqual([
      'faxes',
      'operations',
    ]);
    expect(viewsFor({ capabilities: ['audit.read'], mailboxRights: [] })).toEqual(['auditor']);
    expect(viewsFor({ capabilities: ['user.manage'], mailboxRights: [] })).toEqual(['administration']);
  });
  it('offers sending only with out.send, and directory operations by capability', () => {
    expect(actionsFor({ capabilities: [], mailboxRights: ['out.send'] })).toEqual(['fax.send']);
    const po = actionsFor({ capabilities: ['user.manage'], mailboxRights: [] });
    expect(po).toEqual(expect.arrayContaining(['user.manage', 'user.create', 'grant.user']));
    expect(po).not.toContain('mailbox.create');
  });
});

describe('GET /api/v1/console/views', () => {
  const views = async (user: string) => {
    const r = await client(f, user)('/api/v1/console/views');
    expect(r.status).toBe(200);
    return (await r.json()) as { views: string[]; actions: string[] };
  };
  it("answers each role's views from its rights", async () => {
    expect((await views('admin')).views).toEqual(['faxes', 'operations', 'auditor', 'administration']);
    expect((await views('po')).views).toEqual(['faxes', 'operations', 'administration']);
    expect((await views('op')).views).toEqual(['faxes', 'operations']);
    expect((await views('audi')).views).toEqual(['faxes', 'operations', 'auditor']);
    expect((await views('alice')).views).toEqual(['faxes']);
    expect((await views('bob')).views).toEqual(['faxes']);
    expect((await views('alice')).actions).toContain('fax.send');
    expect((await views('bob')).actions).not.toContain('fax.send');
    expect((await views('op')).actions).toEqual(expect.arrayContaining(['queue.manage', 'line.manage']));
  });
  it('needs a login', async () => {
    expect((await client(f)('/api/v1/console/views')).status).toBe(401);
  });
});

describe('GET /api/v1/console/views/:view', () => {
  it('opens a view the rights give', async () => {
    const r = await client(f, 'admin')('/api/v1/console/views/administration');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ view: 'administration' });
    expect((await client(f, 'alice')('/api/v1/console/views/faxes')).status).toBe(200);
  });
  it('refuses a view the rights do not give (403) and records the refusal', async () => {
    for (const [user, view] of [
      ['alice', 'operations'],
      ['alice', 'administration'],
      ['op', 'auditor'],
      ['audi', 'administration'],
      ['po', 'auditor'],
    ]) {
      const r = await client(f, user)(`/api/v1/console/views/${view}`);
      expect(r.status, `${user} ${view}`).toBe(403);
      const denied = await f
        .db('audit_events')
        .where({ type: 'access.denied', actor: user })
        .whereRaw(`details->>'view' = ?`, [view]);
      expect(denied.length, `${user} ${view}`).toBe(1);
    }
  });
  it('refuses an unknown view as bad input', async () => {
    expect((await client(f, 'admin')('/api/v1/console/views/secrets')).status).toBe(400);
  });
});

/** Reads server-sent events from a streamed response until `until` returns true. */
async function readEvents(r: Response, until: (events: Array<{ event: string; data: string }>) => boolean) {
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Array<{ event: string; data: string }> = [];
  let buf = '';
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let at = buf.indexOf('\n\n');
      while (at >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) events.push({ event, data });
        at = buf.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

describe('GET /api/v1/console/events', () => {
  it("streams a fax's state changes to those who may see it, and only to them", async () => {
    const alice = await client(f, 'alice')('/api/v1/console/events');
    const bob = await client(f, 'bob')('/api/v1/console/events');
    expect(alice.status).toBe(200);
    expect(alice.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const aliceSeen = readEvents(alice, (e) => e.some((x) => x.event === 'fax' && x.data.includes('"done"')));
    const bobSeen = readEvents(bob, (e) => e.some((x) => x.event === 'fax'));
    const fax = await faxes.insert(f.db, {
      direction: 'out',
      state: 'pending',
      mailboxId: f.aliceOut,
      remoteNumber: '+4930555',
    });
    await faxes.updateState(f.db, fax.id, 'running');
    await faxes.updateState(f.db, fax.id, 'done');
    const events = (await aliceSeen).filter((e) => e.event === 'fax').map((e) => JSON.parse(e.data).fax);
    expect(events.map((x) => [x.id, x.state])).toEqual([
      [fax.id, 'pending'],
      [fax.id, 'running'],
      [fax.id, 'done'],
    ]);
    // The list's columns only: no metadata, no owner id.
    expect(Object.keys(events[0]).sort()).toEqual(
      [
        'direction',
        'id',
        'mailboxId',
        'pagesDone',
        'pagesTotal',
        'remoteNumber',
        'state',
        'updatedAt',
      ].sort(),
    );
    // Bob (in.read on sales-in only) sees nothing of alice's fax; an incoming fax of his reaches him.
    await faxes.insert(f.db, { direction: 'in', state: 'receiving', mailboxId: f.salesIn });
    const bobEvents = (await bobSeen).filter((e) => e.event === 'fax').map((e) => JSON.parse(e.data).fax);
    expect(bobEvents.map((x) => x.direction)).toEqual(['in']);
  });
  it('holds at most STREAMS_PER_USER streams per user; a closed one frees its place', async () => {
    const streams: Response[] = [];
    for (let i = 0; i < STREAMS_PER_USER; i++) {
      const r = await client(f, 'bob')('/api/v1/console/events');
      expect(r.status).toBe(200);
      streams.push(r);
    }
    expect((await client(f, 'bob')('/api/v1/console/events')).status).toBe(429);
    await streams.pop()!.body!.cancel();
    let again: Response | undefined;
    const deadline = Date.now() + 10_000; // a bound: the server sees the close asynchronously
    while (again?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`no place freed: ${again?.status}`);
      await again?.body?.cancel();
      again = await client(f, 'bob')('/api/v1/console/events');
    }
    streams.push(again!);
    for (const r of streams) await r.body!.cancel();
  });

  it('refuses a user without the faxes view (403, audited)', async () => {
    await users.add(f.db, { name: 'carol', roles: ['user'], password: PASSWORD });
    const login = await fetch(`${f.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const carol = client({ base: f.base, tokens: { carol: token } }, 'carol');
    expect(await (await carol('/api/v1/console/views')).json()).toMatchObject({ views: [] });
    expect((await carol('/api/v1/console/events')).status).toBe(403);
    const denied = await f.db('audit_events').where({ type: 'access.denied', actor: 'carol' });
    expect(denied.map((e) => e.details.view)).toEqual(['faxes']);
  });
});

describe('the console page', () => {
  it('is served at / and the view paths with a strict CSP, nosniff and the language of Accept-Language', async () => {
    const en = await fetch(`${f.base}/operations`);
    expect(en.status).toBe(200);
    expect(en.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(en.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
    expect(en.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await en.text();
    expect(page).toContain('<html lang="en">');
    expect(page).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const de = await fetch(`${f.base}/`, { headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } });
    expect(await de.text()).toContain('<html lang="de">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    const js = await fetch(f.base + script);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${f.base}/assets/..%2Fpackage.json`)).status).toBe(404);
  });
  it('answers the paths below a view with the same page, and nothing else outside the views', async () => {
    const deep = await fetch(`${f.base}/faxes/42`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<html lang="en">');
    expect((await fetch(`${f.base}/auditor/log/export`)).status).toBe(200);
    expect((await fetch(`${f.base}/elsewhere/faxes`)).status).toBe(404);
  });
});
