// faxgate send | status | stop | rm | inbox as an operator runs them: the real CLI in a child
// process, with the user's token, against the gateway API on a real PostgreSQL and Redis (own
// key prefix). No worker runs, so a sent fax stays queued and the queue state can be checked.
import fs from 'node:fs';
import path from 'node:path';
import { writeFaxDocument } from '@faxgate/fax-core';
import { type Fax, faxes, faxPages, grants, mailboxes, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture, startCliApi } from '../test-support/cli-fixture.js';
import { deleteKeys, testPage } from '../test-support/pipeline-fixture.js';

const prefix = testRedisPrefix();
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const routing = `
redis:
  keyPrefix: "${prefix}"
routing:
  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7 }
  destinations: { deny: ["+49305559"] }
  inbound: { default: postoffice }
`;

// Every test runs the CLI as processes of their own, several times: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });

let f: CliApiFixture;
let redis: Redis;
let doc: string;
let ids: { alice: number; out: number; sales: number; other: number };

beforeAll(async () => {
  f = await cliApiFixture(`logging:\n  level: warn\n${routing}`);
  redis = new Redis(redisUrl);
  const alice = await users.add(f.db, { name: 'alice', roles: ['user'] });
  await users.add(f.db, { name: 'bob', roles: ['user'] });
  await users.add(f.db, { name: 'olga', roles: ['operator'] });
  const out = await mailboxes.add(f.db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] });
  const sales = await mailboxes.add(f.db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] });
  const other = await mailboxes.add(f.db, { name: 'other-in', kind: 'incoming', numbers: ['+49303002'] });
  await mailboxes.add(f.db, { name: 'postoffice', kind: 'incoming' });
  for (const right of ['out.send', 'out.stop', 'out.delete'] as const) {
    await grants.grant(f.db, { user: 'alice', mailbox: 'alice-out', right });
  }
  await grants.grant(f.db, { user: 'alice', mailbox: 'sales-in', right: 'in.read' });
  ids = { alice: alice.id, out: out.id, sales: sales.id, other: other.id };
  doc = path.join(f.dir, 'letter.tif');
  fs.writeFileSync(doc, writeFaxDocument('tiff', [{ page: testPage(1, 200) }, { page: testPage(2, 200) }]));
}, 120_000);
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await f?.close();
});

const jobKey = (id: number) => `${prefix}:send:fax-${id}`;
const outgoingCount = async () =>
  Number((await f.db('faxes').where({ direction: 'out' }).count('* as n'))[0].n);

async function send(args: string[]): Promise<Fax> {
  const r = await f.as('alice', ['send', '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return faxes.get(f.db, JSON.parse(r.stdout).id);
}

describe('faxgate send', () => {
  it('queues the fax: a pending row with its pages, the audit event and a BullMQ job', async () => {
    const r = await f.as('alice', ['send', '-d', '030 5551234', '-P', '100', '--subject', 'offer', doc]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = Number(/^request id is ([0-9]+) \(2 pages to \+49305551234\)$/m.exec(r.stdout)?.[1]);
    const fax = await faxes.get(f.db, id);
    expect(fax).toMatchObject({
      state: 'pending',
      direction: 'out',
      mailboxId: ids.out,
      ownerUserId: ids.alice,
      remoteNumber: '+49305551234',
      priority: 100,
      subject: 'offer',
      pagesTotal: 2,
    });
    expect(await faxPages.list(f.db, id)).toHaveLength(2);
    expect(await redis.exists(jobKey(id))).toBe(1);
    const ev = (await auditEvents(f.db)).filter((e) => e.type === 'job.create' && e.subject === `fax:${id}`);
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('alice');
  });

  it('renders a text document through the render pool at the asked resolution', async () => {
    const txt = path.join(f.dir, 'note.txt');
    fs.writeFileSync(txt, 'Sehr geehrte Damen und Herren,\n\nanbei das Angebot.\n');
    const fax = await send(['-d', '+49 89 1234567', '-r', 'standard', txt]);
    expect(fax).toMatchObject({ state: 'pending', pagesTotal: 1, resolution: 98 });
    expect(await redis.exists(jobKey(fax.id))).toBe(1);
  });

  it('puts a cover page in front when asked (--cover, or any cover field)', async () => {
    const txt = path.join(f.dir, 'short.txt');
    fs.writeFileSync(txt, 'Kurz.\n');
    const fax = await send(['-d', '+49 89 1234567', '--to-name', 'Frau Weber', '--urgency', 'urgent', txt]);
    expect(fax.pagesTotal).toBe(2);
    const bad = await f.as('alice', ['send', '-d', '+49 89 1234567', '--urgency', 'soon', txt]);
    expect(bad.code).toBe(2);
  });

  it('delivers to one of our own numbers internally, without queueing a call', async () => {
    const archive = await mailboxes.add(f.db, {
      name: 'archive-in',
      kind: 'incoming',
      numbers: ['+49303009'],
    });
    const fax = await send(['-d', '030 3009', doc]);
    expect(fax).toMatchObject({ state: 'done', internal: true });
    expect(await redis.exists(jobKey(fax.id))).toBe(0);
    const delivered = await f.db('faxes').where({ direction: 'in', mailbox_id: archive.id }).first();
    expect(delivered?.metadata).toMatchObject({ internalFrom: fax.id });
  });

  it('refuses a blocked destination with exit 2: policy.reject on record, no row, no job', async () => {
    const before = await outgoingCount();
    const r = await f.as('alice', ['send', '-d', '030 5559123', doc]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\+49305559123 refused.*deny:\+49305559.*nothing queued/);
    expect(await outgoingCount()).toBe(before);
    const ev = (await auditEvents(f.db)).filter((e) => e.type === 'policy.reject');
    expect(ev.at(-1)?.subject).toBe('number:+49305559123');
  });

  it('refuses a user without out.send with exit 2 and records access.denied', async () => {
    const before = await outgoingCount();
    const r = await f.as('bob', ['send', '--mailbox', 'alice-out', '-d', '030 5551234', doc]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^faxgate: bob may not send from mailbox ${ids.out}\n$`));
    expect(await outgoingCount()).toBe(before);
    const denied = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied' && e.actor === 'bob');
    expect(denied).toHaveLength(1);
    expect(denied[0].details).toMatchObject({ permission: 'out.send' });
  });

  it('refuses a file that is no document with exit 2, nothing queued', async () => {
    const bad = path.join(f.dir, 'bad.tif');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('II*\0'), Buffer.alloc(64, 0xff)]));
    const before = await outgoingCount();
    const r = await f.as('alice', ['send', '-d', '030 5551234', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.tif: /);
    expect(await outgoingCount()).toBe(before);
  });

  it('accepts the fax when the gateway cannot queue it now and says the reconciler queues it', async () => {
    // A gateway whose send queue is not reachable (no queue): the fax is stored, not enqueued.
    const api = await startCliApi(f.db, f.config, { queue: false });
    try {
      const before = await outgoingCount();
      const r = await f.as('alice', ['send', '-d', '030 5551234', doc], undefined, {
        FAXGATE_API_URL: api.base,
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /not reachable now; fax [0-9]+ is accepted and stored, the gateway's reconciler queues it/,
      );
      expect(await outgoingCount()).toBe(before + 1);
    } finally {
      await api.close();
    }
  });
});

describe('faxgate status', () => {
  it('prints the faxstat table; TTS in local time with the zone stated; only visible faxes', async () => {
    const fax = await faxes.insert(f.db, {
      direction: 'out',
      state: 'sleeping',
      mailboxId: ids.out,
      ownerUserId: ids.alice,
      remoteNumber: '+49891234567',
      priority: 127,
      pagesTotal: 3,
      pagesDone: 1,
      dials: 2,
      maxDials: 12,
      notBefore: new Date('2030-01-15T07:30:00Z'),
      causeText: 'Busy signal detected from the remote side',
      metadata: { owner: 'alice' },
    });
    // JobFmt %-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s, times in Europe/Berlin (UTC+1 in January)
    const golden = `${String(fax.id).padEnd(4)} 127 S  alice +49891234567   1:3  2:12 15Jan30 Busy signal detected from`;
    const env = { TZ: 'Europe/Berlin' };
    const r = await f.as('olga', ['status'], undefined, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^times in Europe\/Berlin \(UTC\+0[12]:00\)$/);
    expect(lines[1]).toBe('JID  Pri S  Owner Number       Pages Dials     TTS Status');
    expect(lines).toContain(golden);

    const bob = await f.as('bob', ['status'], undefined, env);
    expect(bob.code).toBe(0);
    expect(bob.stdout.trimEnd().split('\n')).toHaveLength(2);

    const json = await f.as('alice', ['status', '--json'], undefined, env);
    const rows = JSON.parse(json.stdout) as Array<{ jid: number; stateLetter: string; tts: string | null }>;
    expect(rows.find((x) => x.jid === fax.id)).toMatchObject({
      stateLetter: 'S',
      tts: '2030-01-15T07:30:00.000Z',
    });
  });

  it('shows the same-day send time as HH:MM in the local zone', async () => {
    const fax = await send(['-d', '030 5551234', '-a', '+2 minutes', doc]);
    const r = await f.as('alice', ['status'], undefined, { TZ: 'Asia/Kolkata' });
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${fax.id} `));
    const hhmm = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(fax.notBefore as Date);
    // the next day in Kolkata when near midnight: then the date form is right instead
    expect(line).toMatch(
      new RegExp(
        `^${fax.id} +127 P  alice \\+49305551234   0:2  0:12 (  ${hhmm}|[0-9]{2}[A-Z][a-z]{2}[0-9]{2})$`,
      ),
    );
  });
});

describe('faxgate stop and rm', () => {
  it('stops a waiting fax (job removed) and then deletes it: pages gone, record kept, audited', async () => {
    const fax = await send(['-d', '030 5551234', '-a', 'now + 2 hours', doc]);
    expect(fax.state).toBe('pending');
    expect(await redis.exists(jobKey(fax.id))).toBe(1);

    const bobRm = await f.as('bob', ['rm', String(fax.id)]);
    expect(bobRm.code).toBe(2);
    // bob may not even see alice's fax: it is not found for him (no probing of other mailboxes)
    expect(bobRm.stderr).toBe(`faxgate: fax ${fax.id} does not exist or is not visible to bob\n`);

    const bobStop = await f.as('bob', ['stop', String(fax.id)]);
    expect(bobStop.code).toBe(2);
    expect((await faxes.get(f.db, fax.id)).state).toBe('pending');

    const stop = await f.as('alice', ['stop', String(fax.id)]);
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/stopped/);
    expect(await faxes.get(f.db, fax.id)).toMatchObject({ state: 'failed', cause: 'stopped' });
    expect(await redis.exists(jobKey(fax.id))).toBe(0);

    const rm = await f.as('alice', ['rm', String(fax.id)]);
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    const after = await faxes.get(f.db, fax.id);
    expect(after).toMatchObject({ state: 'deleted', remoteNumber: '+49305551234', pagesTotal: 2 });
    expect(after.metadata).toMatchObject({ deletedFrom: 'failed', deletedBy: 'alice', pagesDeleted: 2 });
    expect(await faxPages.list(f.db, fax.id)).toHaveLength(0);
    const ev = (await auditEvents(f.db)).filter(
      (e) => e.type === 'fax.delete' && e.subject === `fax:${fax.id}`,
    );
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('alice');

    const again = await f.as('alice', ['rm', String(fax.id)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is already deleted/);
  });

  it('rm of a waiting fax stops it first: no job left, record kept', async () => {
    const fax = await send(['-d', '030 5551234', '-a', 'now + 2 hours', doc]);
    expect(await redis.exists(jobKey(fax.id))).toBe(1);
    const rm = await f.as('alice', ['rm', String(fax.id)]);
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    expect(rm.stdout).toMatch(
      /stopped \(it was waiting; it will not be sent\) and deleted \(2 pages removed/,
    );
    expect(await redis.exists(jobKey(fax.id))).toBe(0);
    expect(await faxes.get(f.db, fax.id)).toMatchObject({ state: 'deleted', cause: 'stopped' });
    const types = (await auditEvents(f.db)).filter((e) => e.subject === `fax:${fax.id}`).map((e) => e.type);
    expect(types).toEqual(['job.create', 'job.kill', 'fax.delete']);
  });

  it('rm of a received fax needs in.delete on its mailbox', async () => {
    const fax = await faxes.insert(f.db, {
      direction: 'in',
      state: 'received',
      mailboxId: ids.sales,
      remoteNumber: '+49891112222',
      pagesTotal: 1,
      pagesDone: 1,
    });
    const refused = await f.as('alice', ['rm', String(fax.id)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`faxgate: alice may not delete fax ${fax.id}\n`);
    const rm = await f.as('olga', ['rm', String(fax.id)]);
    expect(rm.code).toBe(2); // an operator manages the queue, it does not delete content
    await grants.grant(f.db, { user: 'alice', mailbox: 'sales-in', right: 'in.delete' });
    const ok = await f.as('alice', ['rm', String(fax.id)]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect((await faxes.get(f.db, fax.id)).state).toBe('deleted');
    await grants.revoke(f.db, { user: 'alice', mailbox: 'sales-in', right: 'in.delete' });
  });
});

describe('faxgate inbox', () => {
  it('lists only received faxes of mailboxes the user may read', async () => {
    const mine = await faxes.insert(f.db, {
      direction: 'in',
      state: 'received',
      mailboxId: ids.sales,
      localNumber: '+49303001',
      remoteNumber: '+49891112222',
      remoteStationId: 'ACME SALES',
      pagesTotal: 2,
      pagesDone: 2,
      completedAt: new Date('2026-11-27T09:05:00Z'),
    });
    const notMine = await faxes.insert(f.db, {
      direction: 'in',
      state: 'received',
      mailboxId: ids.other,
      remoteNumber: '+49893334444',
      pagesTotal: 1,
      pagesDone: 1,
      completedAt: new Date('2026-11-27T09:06:00Z'),
    });
    const r = await f.as('alice', ['inbox'], undefined, { TZ: 'UTC' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('times in UTC (UTC+00:00)');
    expect(lines.slice(2)).toEqual([
      `${String(mine.id).padEnd(6)} 2026-11-27 09:05 +49891112222     ACME SALES               2 sales-in`,
    ]);
    const json = await f.as('olga', ['inbox', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([]);
    await grants.grant(f.db, { user: 'olga', mailbox: 'other-in', right: 'in.read' });
    const all = await f.as('olga', ['inbox', '--json', '--mailbox', 'other-in']);
    expect(JSON.parse(all.stdout).map((x: { id: number }) => x.id)).toEqual([notMine.id]);
  });

  it('lists a receive cut short with the pages it kept, marked partial; one that kept nothing is not listed', async () => {
    const partial = await faxes.insert(f.db, {
      direction: 'in',
      state: 'failed',
      mailboxId: ids.other,
      remoteNumber: '+49895556666',
      pagesTotal: 2,
      pagesDone: 2,
      cause: 'partial',
      causeText: 'receive ended early: 2 pages kept',
      completedAt: new Date('2026-11-27T10:00:00Z'),
    });
    await faxes.insert(f.db, {
      direction: 'in',
      state: 'failed',
      mailboxId: ids.other,
      remoteNumber: '+49897778888',
      pagesTotal: 0,
      pagesDone: 0,
      cause: 'interrupted',
      completedAt: new Date('2026-11-27T10:01:00Z'),
    });
    const json = await f.as('olga', ['inbox', '--json', '--mailbox', 'other-in']);
    const listed = JSON.parse(json.stdout) as Array<{ id: number; partial: boolean; note: string | null }>;
    expect(listed.find((x) => x.id === partial.id)).toMatchObject({
      partial: true,
      note: 'receive ended early: 2 pages kept',
    });
    expect(listed.filter((x) => x.partial).map((x) => x.id)).toEqual([partial.id]);
    const text = await f.as('olga', ['inbox', '--mailbox', 'other-in'], undefined, { TZ: 'UTC' });
    expect(text.stdout).toContain(
      `${String(partial.id).padEnd(6)} 2026-11-27 10:00 +49895556666                              2 other-in (partial: receive ended early: 2 pages kept)`,
    );
  });
});
