// faxgate modify | resubmit | settle as an operator runs them: the real CLI in a child process
// with the user's token, against the gateway API on a real PostgreSQL and Redis (own key
// prefix). No worker runs, so queued faxes and their BullMQ jobs stay as the commands leave them.
import fs from 'node:fs';
import path from 'node:path';
import { createPage, setPixel, writeFaxDocument } from '@faxgate/fax-core';
import { type Fax, faxes, faxPages, grants, mailboxes, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  auditEvents,
  type CliApiFixture,
  cliApiFixture,
  snapshot,
  startCliApi,
} from '../../test-support/cli-fixture.js';
import { deleteKeys } from '../../test-support/pipeline-fixture.js';

const prefix = testRedisPrefix();
const HOUR = 3_600_000;

// Every test runs the CLI as processes of their own, several times: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });

let f: CliApiFixture;
let redis: Redis;
let doc: string;
let outbox: number;

beforeAll(async () => {
  f = await cliApiFixture(`logging:
  level: warn
redis:
  keyPrefix: "${prefix}"
routing:
  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7 }
  destinations: { deny: ["+49305559"] }
  inbound: { default: postoffice }
`);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await users.add(f.db, { name: 'alice', roles: ['user'] });
  await users.add(f.db, { name: 'bob', roles: ['user'] });
  await users.add(f.db, { name: 'olga', roles: ['operator'] });
  // sees every fax (metadata.read) but may change none: her refusals are 403 and on record
  await users.add(f.db, { name: 'audrey', roles: ['auditor'] });
  outbox = (await mailboxes.add(f.db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] })).id;
  await mailboxes.add(f.db, { name: 'sales-in', kind: 'incoming', numbers: ['+49303001'] });
  await mailboxes.add(f.db, { name: 'postoffice', kind: 'incoming' });
  for (const right of ['out.send', 'out.stop', 'out.modify'] as const) {
    await grants.grant(f.db, { user: 'alice', mailbox: 'alice-out', right });
  }
  const page = createPage(1728, 200, 'standard');
  for (let x = 100; x < 1600; x += 3) setPixel(page, x, 50, true);
  doc = path.join(f.dir, 'letter.tif');
  fs.writeFileSync(doc, writeFaxDocument('tiff', [{ page }, { page }]));
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await f?.close();
});

const jobKey = (id: number) => `${prefix}:send:fax-${id}`;

/** The BullMQ job of a fax as Redis holds it: priority, and when it fires. */
async function job(id: number): Promise<{ priority: number; firesAt: number } | null> {
  const h = await redis.hgetall(jobKey(id));
  if (!h.opts) return null;
  const opts = JSON.parse(h.opts) as { priority?: number; delay?: number };
  return { priority: opts.priority ?? 0, firesAt: Number(h.timestamp) + (opts.delay ?? 0) };
}

async function send(...args: string[]): Promise<Fax> {
  const r = await f.as('alice', ['send', '--json', ...args, doc]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return faxes.get(f.db, JSON.parse(r.stdout).id);
}

/** A fax held as the reconciler holds a call cut off by a crash. */
async function held(): Promise<Fax> {
  const fax = await faxes.insert(f.db, {
    direction: 'out',
    state: 'suspended',
    mailboxId: outbox,
    remoteNumber: '+49305551000',
    priority: 127,
    pagesTotal: 2,
    pagesDone: 1,
    dials: 1,
    cause: 'outcome-unknown',
    killAt: new Date(Date.now() + HOUR),
    metadata: { owner: 'alice', dialString: '5551000' },
  });
  for (const pageNo of [1, 2]) await faxPages.add(f.db, fax.id, { pageNo, tiff: new Uint8Array([pageNo]) });
  return fax;
}

describe('faxgate modify', () => {
  it('moves the queued job to the new send time and priority (-a, -k, -P)', async () => {
    const fax = await send('-d', '030 5551234', '-a', 'now + 2 hours');
    expect((await job(fax.id))?.priority).toBe(128);
    const r = await f.as('alice', [
      'modify',
      String(fax.id),
      '-a',
      'now + 3 hours',
      '-k',
      'now + 6 hours',
      '-P',
      '10',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^fax ${fax.id} modified: .*priority`));
    const after = await faxes.get(f.db, fax.id);
    expect(after.priority).toBe(10);
    const j = await job(fax.id);
    expect(j?.priority).toBe(11);
    expect(Math.abs((j?.firesAt ?? 0) - (after.notBefore?.getTime() ?? 0))).toBeLessThanOrEqual(50);
    expect((after.notBefore?.getTime() ?? 0) - Date.now()).toBeGreaterThan(3 * HOUR - 60_000);
    const ev = (await auditEvents(f.db)).filter(
      (e) => e.type === 'job.modify' && e.subject === `fax:${fax.id}`,
    );
    expect(ev).toHaveLength(1);
    expect(ev[0].actor).toBe('alice');
  });

  it('refuses a blocked number, a user without out.modify and bad input with exit 2, nothing changed', async () => {
    const fax = await send('-d', '030 5551234', '-a', 'now + 2 hours');
    const before = await faxes.get(f.db, fax.id);
    const blocked = await f.as('alice', ['modify', String(fax.id), '-d', '030 5559123']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/\+49305559123 refused.*nothing changed/);
    const bob = await f.as('bob', ['modify', String(fax.id), '-P', '1']);
    expect(bob.code).toBe(2);
    expect(bob.stderr).toBe(`faxgate: fax ${fax.id} does not exist or is not visible to bob\n`);
    const audrey = await f.as('audrey', ['modify', String(fax.id), '-P', '1']);
    expect(audrey.code).toBe(2);
    expect(audrey.stderr).toBe(`faxgate: audrey may not modify fax ${fax.id}\n`);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'audrey' });
    const late = await f.as('alice', ['modify', String(fax.id), '-a', 'now + 9 hours']);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/is not before the kill time/);
    const nothing = await f.as('alice', ['modify', String(fax.id)]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/give what to change/);
    expect(await faxes.get(f.db, fax.id)).toEqual(before);
    expect((await job(fax.id))?.priority).toBe(128);
  });

  it('refuses a fax that is finished, saying to resubmit it', async () => {
    const fax = await send('-d', '030 5551234', '-a', 'now + 2 hours');
    expect((await f.as('alice', ['stop', String(fax.id)])).code).toBe(0);
    const r = await f.as('alice', ['modify', String(fax.id), '-P', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is failed: a finished fax is not modified; resubmit it instead/);
  });

  it('keeps the change when the gateway cannot reach its queue and says the reconciler moves the job', async () => {
    const fax = await send('-d', '030 5551234', '-a', 'now + 2 hours');
    const api = await startCliApi(f.db, f.config, { queue: false });
    try {
      const r = await f.as('alice', ['modify', String(fax.id), '-P', '20'], undefined, {
        FAXGATE_API_URL: api.base,
      });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /not reachable now; the change is stored, the gateway's reconciler moves the job/,
      );
    } finally {
      await api.close();
    }
    const after = await faxes.get(f.db, fax.id);
    expect(after.priority).toBe(20);
    expect(after.metadata.queueSync).toEqual(expect.any(String));
  });
});

describe('faxgate resubmit', () => {
  it('sends a finished fax again as a new queued fax with the same pages', async () => {
    const fax = await send('-d', '030 5551234', '-a', 'now + 2 hours');
    expect((await f.as('alice', ['stop', String(fax.id)])).code).toBe(0);
    const r = await f.as('alice', ['resubmit', String(fax.id), '-d', '030 5551235', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: number; resubmitOf: number; outcome: string; number: string };
    expect(out).toMatchObject({ resubmitOf: fax.id, outcome: 'queued', number: '+49305551235' });
    const hashes = async (id: number) => (await faxPages.list(f.db, id)).map((p) => p.sha256);
    expect(await hashes(out.id)).toEqual(await hashes(fax.id));
    expect(await redis.exists(jobKey(out.id))).toBe(1);
    expect((await faxes.get(f.db, out.id)).metadata).toMatchObject({ resubmitOf: fax.id });

    const queued = await f.as('alice', ['resubmit', String(out.id)]);
    expect(queued.code).toBe(2);
    expect(queued.stderr).toMatch(/is pending: only a finished fax/);
    const audrey = await f.as('audrey', ['resubmit', String(fax.id)]);
    expect(audrey.code).toBe(2);
    expect(audrey.stderr).toBe(`faxgate: audrey may not resubmit fax ${fax.id}\n`);
  });
});

describe('faxgate settle', () => {
  it('resend queues a held fax again; sent and failed close it; each on record with who decided', async () => {
    const a = await held();
    const resend = await f.as('olga', ['settle', String(a.id), 'resend']);
    expect(resend.stderr).toBe('');
    expect(resend.code).toBe(0);
    expect(resend.stdout).toMatch(/queued again/);
    expect((await faxes.get(f.db, a.id)).state).toBe('pending');
    expect(await redis.exists(jobKey(a.id))).toBe(1);

    const b = await held();
    const sent = await f.as('alice', ['settle', String(b.id), 'sent']);
    expect(sent.code).toBe(0);
    expect(await faxes.get(f.db, b.id)).toMatchObject({ state: 'done', pagesDone: 1 });

    const c = await held();
    expect((await f.as('olga', ['settle', String(c.id), 'failed'])).code).toBe(0);
    expect((await faxes.get(f.db, c.id)).state).toBe('failed');

    const ev = await auditEvents(f.db);
    const of = (id: number) => ev.filter((e) => e.subject === `fax:${id}`).at(-1);
    expect(of(a.id)).toMatchObject({ type: 'job.retry', actor: 'olga', details: { decision: 'resend' } });
    expect(of(b.id)).toMatchObject({ type: 'job.settle', actor: 'alice', details: { decision: 'sent' } });
    expect(of(c.id)).toMatchObject({ type: 'job.settle', actor: 'olga', details: { decision: 'failed' } });
  });

  it('refuses with exit 2 and nothing changed: no right, no such decision, nothing to decide', async () => {
    const fax = await held();
    const before = await snapshot(f.db, ['credentials']);
    const bob = await f.as('bob', ['settle', String(fax.id), 'sent']);
    expect(bob.code).toBe(2);
    expect(bob.stderr).toMatch(/not visible to bob/);
    const audrey = await f.as('audrey', ['settle', String(fax.id), 'sent']);
    expect(audrey.code).toBe(2);
    expect(audrey.stderr).toBe(`faxgate: audrey may not settle fax ${fax.id}\n`);
    const denied = (await auditEvents(f.db)).at(-1);
    expect(denied).toMatchObject({ type: 'access.denied', actor: 'audrey' });
    const after = await snapshot(f.db, ['credentials']);
    expect({ ...after, audit_events: '', audit_head: '' }).toEqual({
      ...before,
      audit_events: '',
      audit_head: '',
    });

    const maybe = await f.as('olga', ['settle', String(fax.id), 'maybe']);
    expect(maybe.code).toBe(2);
    expect(maybe.stderr).toMatch(/decision must be resend, sent or failed/);
    const queued = await send('-d', '030 5551234', '-a', 'now + 2 hours');
    const pending = await f.as('olga', ['settle', String(queued.id), 'sent']);
    expect(pending.code).toBe(2);
    expect(pending.stderr).toMatch(/not waiting for a decision on its outcome/);
    expect((await faxes.get(f.db, fax.id)).state).toBe('suspended');
  });
});
