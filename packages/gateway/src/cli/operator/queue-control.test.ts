// faxgate queue hold | release | requeue | priority | stop as an operator runs them: the real CLI in a
// child process with the user's token, against the gateway API on a real PostgreSQL and
// Redis (own key prefix). No worker runs, so a queued fax stays as the commands leave it.
import fs from 'node:fs';
import path from 'node:path';
import { createPage, setPixel, writeFaxDocument } from '@faxgate/fax-core';
import { type Fax, faxes, grants, mailboxes, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../../test-support/cli-fixture.js';
import { deleteKeys } from '../../test-support/pipeline-fixture.js';

const prefix = testRedisPrefix();
vi.setConfig({ testTimeout: 240_000 });

let f: CliApiFixture;
let redis: Redis;
let doc: string;

beforeAll(async () => {
  f = await cliApiFixture(`logging:
  level: warn
redis:
  keyPrefix: "${prefix}"
routing:
  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7 }
  inbound: { default: postoffice }
`);
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await users.add(f.db, { name: 'alice', roles: ['user'] });
  await users.add(f.db, { name: 'olga', roles: ['operator'] });
  await users.add(f.db, { name: 'audrey', roles: ['auditor'] });
  await mailboxes.add(f.db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] });
  await mailboxes.add(f.db, { name: 'postoffice', kind: 'incoming' });
  for (const right of ['out.send', 'out.stop'] as const)
    await grants.grant(f.db, { user: 'alice', mailbox: 'alice-out', right });
  const page = createPage(1728, 200, 'standard');
  for (let x = 100; x < 1600; x += 3) setPixel(page, x, 50, true);
  doc = path.join(f.dir, 'letter.tif');
  fs.writeFileSync(doc, writeFaxDocument('tiff', [{ page }]));
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await f?.close();
});

async function send(): Promise<Fax> {
  const r = await f.as('alice', ['send', '--json', '-d', '030 5551234', '-a', 'now + 2 hours', doc]);
  expect(r.code, r.stderr).toBe(0);
  return faxes.get(f.db, JSON.parse(r.stdout).id);
}

describe('faxgate queue hold | release | requeue | priority | stop', () => {
  it('the operator holds, reprioritises, releases, stops and requeues alice’s fax, each on record', async () => {
    const fax = await send();
    const id = String(fax.id);
    const h = await f.as('olga', ['queue', 'hold', id, '--reason', 'recipient on holiday']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toBe(`fax ${id} held: it is not dialled until released (faxgate queue release ${id})\n`);
    expect(await faxes.get(f.db, fax.id)).toMatchObject({ state: 'suspended', cause: 'held' });
    const p = await f.as('olga', ['queue', 'priority', id, '7']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toBe(`fax ${id}: priority 7\n`);
    expect((await f.as('olga', ['queue', 'release', id])).code).toBe(0);
    expect(await faxes.get(f.db, fax.id)).toMatchObject({ state: 'pending', priority: 7 });
    expect((await f.as('olga', ['queue', 'stop', id])).code).toBe(0);
    const q = await f.as('olga', ['queue', 'requeue', id]);
    expect(q.code, q.stderr).toBe(0);
    expect((await faxes.get(f.db, fax.id)).state).toBe('pending');
    const mine = (await auditEvents(f.db)).filter((e) => e.subject === `fax:${id}` && e.actor === 'olga');
    expect(mine.map((e) => e.type)).toEqual([
      'job.suspend',
      'job.modify',
      'job.resume',
      'job.kill',
      'job.retry',
    ]);
  });

  it('refuses a user without queue.manage (and without the mailbox right) with exit 2 and access.denied', async () => {
    const fax = await send();
    const id = String(fax.id);
    for (const args of [
      ['hold', id],
      ['release', id],
      ['requeue', id],
      ['priority', id, '1'],
      ['stop', id],
    ]) {
      const r = await f.as('audrey', ['queue', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^faxgate: audrey may not /);
      expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'audrey' });
    }
    // alice has no out.modify here: holding her own fax is refused too.
    expect((await f.as('alice', ['queue', 'hold', id])).code).toBe(2);
    expect((await faxes.get(f.db, fax.id)).state).toBe('pending');
  });

  it('refuses a bad priority before asking the gateway', async () => {
    const r = await f.as('olga', ['queue', 'priority', '1', '256']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/priority must be 0 \(most urgent\) \.\. 255/);
  });
});
