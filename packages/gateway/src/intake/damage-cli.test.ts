// faxgate send on a fax file with a damaged page (the CLI as a process, the API, PostgreSQL,
// Redis): exit 2 with one `faxgate: …` line naming page and rows and nothing queued;
// --accept-damaged sends it and the submit event names the pages; no rights come with it.
import fs from 'node:fs';
import path from 'node:path';
import { grants, mailboxes, users } from '@faxgate/store';
import { testRedisPrefix } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testTiff } from '../test-support/api-fixture.js';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';
import { deleteKeys } from '../test-support/pipeline-fixture.js';

const prefix = testRedisPrefix();
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const routing = `
redis:
  keyPrefix: "${prefix}"
routing:
  numbering: { countryCode: "49", areaCode: "30", localNumberLength: 7 }
  inbound: { default: postoffice }
`;

// The CLI runs as processes of its own: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });

let f: CliApiFixture;
let redis: Redis;
let scan: string;

const outgoing = async () => Number((await f.db('faxes').where({ direction: 'out' }).count('* as n'))[0].n);

beforeAll(async () => {
  f = await cliApiFixture(`logging:\n  level: warn\n${routing}`);
  redis = new Redis(redisUrl);
  await users.add(f.db, { name: 'alice', roles: ['user'] });
  await users.add(f.db, { name: 'bob', roles: ['user'] });
  await mailboxes.add(f.db, { name: 'alice-out', kind: 'outgoing', numbers: ['+49301234567'] });
  await mailboxes.add(f.db, { name: 'postoffice', kind: 'incoming' });
  await grants.grant(f.db, { user: 'alice', mailbox: 'alice-out', right: 'out.send' });
  // an MMR page (its strip starts at byte 8) with zero bytes in the middle: EOFB, rows missing
  const tiff = new Uint8Array(testTiff(1, 300));
  tiff.fill(0, 8 + 60, 8 + 80);
  scan = path.join(f.dir, 'scan.tif');
  fs.writeFileSync(scan, tiff);
}, 120_000);
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await f?.close();
});

describe('faxgate send with a damaged page', () => {
  it('refuses with exit 2 and one line naming page and rows; nothing is queued', async () => {
    const before = await outgoing();
    const r = await f.as('alice', ['send', '-d', '030 5551234', scan]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^faxgate: page 1: \d+ of 300 rows damaged \(rows \d+–299\); send with acceptDamaged=true \(faxgate send --accept-damaged\) to send it anyway\n$/,
    );
    expect(await outgoing()).toBe(before);
  });

  it('sends it with --accept-damaged; the submit event names the damaged page and its counts', async () => {
    const r = await f.as('alice', ['send', '--json', '--accept-damaged', '-d', '030 5551234', scan]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = JSON.parse(r.stdout).id as number;
    const ev = (await auditEvents(f.db)).find((e) => e.type === 'job.create' && e.subject === `fax:${id}`);
    expect(ev?.details).toMatchObject({
      acceptedDamaged: true,
      damagedPages: [expect.objectContaining({ page: 1, file: 'scan.tif', rows: 300 })],
    });
  });

  it('gives no rights: bob without out.send is refused (exit 2) and the refusal is audited', async () => {
    const r = await f.as('bob', [
      'send',
      '--accept-damaged',
      '--mailbox',
      'alice-out',
      '-d',
      '030 5551234',
      scan,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faxgate: bob may not send from mailbox \d+\n$/);
    const denied = (await auditEvents(f.db)).filter((e) => e.type === 'access.denied' && e.actor === 'bob');
    expect(denied).toHaveLength(1);
    expect(denied[0].details).toMatchObject({ permission: 'out.send' });
  });
});
