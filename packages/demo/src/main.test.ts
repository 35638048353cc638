// The demo as `npm start` runs it (main.ts, the faxgate-demo bin), as a child process:
// capi-sim, demo users, a fax each way, twice on the same database.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClient, spawnJob } from '@faxgate/gateway/testing';
import { faxes, mailboxes, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRedisPrefix } from './config.js';
import { DEMO_USERS } from './seed.js';

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

/** Deletes every Redis key under `prefix` (the demo's queue keys). */
async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

function spawnDemo(env: NodeJS.ProcessEnv, args: string[] = []) {
  return spawnJob('demo', entry, env, args);
}

describe('faxgate-demo --help', () => {
  it('says what the demo does and exits 0 without starting anything', async () => {
    const job = spawnDemo({ ...process.env, FAXGATE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, [
      '--help',
    ]);
    expect(await job.exited).toEqual({ code: 0, signal: null });
    expect(job.output().stdout).toMatch(/^usage: faxgate-demo/);
    expect(job.output().stdout).toContain('FAXGATE_DEMO_TIME_FACTOR');
  });
});

describe('the demo (npm start)', () => {
  let demoDb: TestDatabase;
  beforeAll(async () => {
    demoDb = await createTestDatabase('faxgate_demo');
  });
  afterAll(async () => {
    if (!demoDb) return;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    await deleteKeys(redis, demoRedisPrefix(demoDb.url)).finally(() => redis.disconnect());
    await demoDb.drop();
  });

  const startDemo = () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FAXGATE_DATABASE_URL: demoDb.url,
      FAXGATE_DEMO_TIME_FACTOR: '0.01',
      FAXGATE_DEMO_API_PORT: '0',
    };
    delete env.FAXGATE_CONFIG; // the demo never reads one; unset so nothing suggests it might
    return spawnDemo(env);
  };

  /** Runs the demo until both faxes are through; returns what it printed and the logins. */
  async function runOnce(stopWith: 'SIGINT' | 'SIGTERM') {
    const job = startDemo();
    const [, address] = await job.waitFor(/API: +(http:\/\/127\.0\.0\.1:\d+)/);
    const [, configFile] = await job.waitFor(/-c (\S+\/faxgate\.yaml) login --user demo-user/);
    const [, sentId] = await job.waitFor(/sent fax (\d+) to \+49 30 5551000: done, 2 pages confirmed/);
    const [, receivedId] = await job.waitFor(/received fax (\d+) from .* into mailbox demo-in: 1 page/);
    await job.waitFor(/both faxes are through/);
    const { stdout } = job.output();
    const logins = new Map(
      [...stdout.matchAll(/^ {4}(demo-[a-z]+) +(demo-[A-Za-z0-9_-]{12}) +([a-z]+):/gm)].map((m) => [
        m[1],
        { password: m[2], role: m[3] },
      ]),
    );
    expect(stdout).toContain(`docs ${address}/docs, spec ${address}/openapi.json`);
    // The console's address comes first, then the logins to use there.
    const banner = stdout.slice(stdout.indexOf('faxgate demo is running')).split('\n');
    expect(banner[1]).toMatch(new RegExp(`^ {2}console: +${address}/ `));
    expect(banner[2]).toMatch(/^ {2}logins /);
    expect(banner[3]).toMatch(/^ {4}demo-/);
    const page = await fetch(`${address}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script [^>]*src="\/assets\/app-/);
    expect(stdout).toContain(`curl -s -X POST ${address}/api/v1/sessions`);
    expect(fs.existsSync(configFile)).toBe(true);
    expect((await fetch(`${address}/health`)).status).toBe(200);
    // The HylaFAX listener on loopback, with a sendfax example; a real client sees the sent fax.
    const [, hylafaxPort] = /HylaFAX clients: 127\.0\.0\.1:(\d+)/.exec(stdout) ?? [];
    expect(stdout).toMatch(/FAXUSER=demo-user setsid sendfax -h 127\.0\.0\.1:\d+ -n -d 5551001 \S+\.pdf/);
    const done = await runClient('faxstat', ['-d'], {
      port: Number(hylafaxPort),
      user: 'demo-user',
      password: logins.get('demo-user')?.password ?? '',
    });
    // hfaxd's default JOBFMT shows 6 characters of the owner (%6.6o)
    expect(done.stdout).toMatch(new RegExp(`^${sentId}\\s+\\d+\\s+D\\s+demo-u`, 'm'));

    job.child.kill(stopWith);
    expect(await job.exited).toEqual({ code: 0, signal: null });
    expect(job.output().stdout).toContain('faxgate demo: stopped');
    expect(fs.existsSync(configFile)).toBe(false); // the demo's configuration goes with it
    // … and so does its whole private directory (spool, tmp, render work directory)
    expect(fs.existsSync(path.dirname(configFile))).toBe(false);
    expect(path.basename(path.dirname(configFile))).toMatch(/^faxgate-demo-/);
    return { stdout, logins, sentId: Number(sentId), receivedId: Number(receivedId) };
  }

  it('sends the sample PDF, receives a fax, prints logins and addresses, stops on SIGINT; a second run reuses and re-keys', async () => {
    const first = await runOnce('SIGINT');
    expect([...first.logins.keys()].sort()).toEqual(DEMO_USERS.map((u) => u.name).sort());
    expect(new Set([...first.logins.values()].map((l) => l.role))).toEqual(
      new Set(['admin', 'postoffice', 'operator', 'auditor', 'user']),
    );

    const db = openDatabase(demoDb.url, { poolMax: 2 });
    try {
      for (const [name, { password }] of first.logins) {
        expect((await users.verifyPassword(db, name, password)).ok, name).toBe(true);
      }
      expect(await faxes.get(db, first.sentId)).toMatchObject({
        direction: 'out',
        state: 'done',
        pagesDone: 2,
      });
      const inbox = await mailboxes.get(db, 'demo-in');
      expect(await faxes.get(db, first.receivedId)).toMatchObject({
        direction: 'in',
        state: 'received',
        mailboxId: inbox.id,
        pagesDone: 1,
      });

      // Same database again: users and mailboxes reused, new passwords, the old ones dead.
      const second = await runOnce('SIGTERM');
      expect(second.stdout).not.toContain('created');
      expect(second.sentId).toBeGreaterThan(first.receivedId);
      const demoUsers = await db('users')
        .where('name', 'like', 'demo-%')
        .count<{ count: number }[]>('* as count');
      expect(demoUsers[0].count).toBe(DEMO_USERS.length);
      const user = 'demo-user';
      expect(second.logins.get(user)?.password).not.toBe(first.logins.get(user)?.password);
      expect((await users.verifyPassword(db, user, first.logins.get(user)!.password)).ok).toBe(false);
      expect((await users.verifyPassword(db, user, second.logins.get(user)!.password)).ok).toBe(true);
    } finally {
      await db.destroy();
    }
  }, 300_000);
});
