// The daemon's checkpoints: at start, after N sealed events, after the interval when the head
// moved (not for its own events), at stop; a key others can read turns them off loudly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  appendAuditEvent,
  auditMigrations,
  readCheckpoints,
  sealAuditTrail,
  verifyAgainstCheckpoints,
} from '@faxgate/audit';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load.js';
import type { Logger } from '../logger.js';
import { startAuditCheckpointer } from './checkpointer.js';

let t: MigratedTestDb;
let dir: string;
const logged: string[] = [];
const log = {
  error: (m: string) => logged.push(`error ${m}`),
  warn: (m: string) => logged.push(`warn ${m}`),
  info: (m: string) => logged.push(`info ${m}`),
  http: () => {},
  debug: () => {},
} as unknown as Logger;
const syslog: string[] = [];
const sink = { record: async (l: string) => void syslog.push(l) };

const auditConfig = (extra: Record<string, unknown> = {}) =>
  validateConfig(
    {
      audit: {
        checkpointDir: path.join(dir, 'cp'),
        checkpointKeyFile: path.join(dir, 'key', 'audit-checkpoint.key'),
        ...extra,
      },
    },
    {},
  ).config.audit;
const append = (n: number) =>
  t.knex.transaction(async (trx) => {
    for (let i = 0; i < n; i++) await appendAuditEvent(trx, { type: 'auth.login', actor: `u${i}` });
  });
const files = () => fs.readdirSync(path.join(dir, 'cp')).filter((f) => f.endsWith('.json'));
const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

beforeAll(async () => {
  t = await migratedTestDb({ extra: auditMigrations, poolMax: 4 });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-cpd-'));
  logged.length = 0;
  syslog.length = 0;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('daemon checkpoints', () => {
  it('at start, every N events, after the interval when the head moved, and at stop; all verify', async () => {
    await append(3);
    const cp = await startAuditCheckpointer({
      db: t.knex,
      config: auditConfig({ checkpointEveryEvents: 10 }),
      log,
      actor: 'gateway:test',
      sink,
      pollMs: 20,
      intervalMs: 400,
    });
    try {
      expect(cp.enabled).toBe(true);
      expect(fs.statSync(path.join(dir, 'key', 'audit-checkpoint.key')).mode & 0o777).toBe(0o600);
      expect(files()).toHaveLength(1); // at start
      // Only its own audit.checkpoint event since: no new checkpoint by time.
      await new Promise((r) => setTimeout(r, 700));
      await sealAuditTrail(t.knex);
      await new Promise((r) => setTimeout(r, 100));
      expect(files()).toHaveLength(1);
      await append(12);
      await sealAuditTrail(t.knex);
      await waitFor('the count checkpoint', () => files().length === 2);
      await append(1); // the head moved: the interval gives the next one
      await sealAuditTrail(t.knex);
      await waitFor('the interval checkpoint', () => files().length === 3, 5000);
    } finally {
      await cp.stop();
    }
    expect(files().length).toBeGreaterThanOrEqual(4); // at stop
    expect(syslog).toHaveLength(files().length);
    expect(syslog[0]).toMatch(/^faxgate audit checkpoint seq=3 /);
    const set = readCheckpoints(path.join(dir, 'cp'));
    const v = await verifyAgainstCheckpoints(t.knex, set.checkpoints, set.publicKeys);
    expect(v.ok).toBe(true);
    expect(v.matched).toBe(files().length);
    const events = await t.knex('audit_events').where({ type: 'audit.checkpoint' });
    expect(events).toHaveLength(files().length);
    expect(events[0]).toMatchObject({ actor: 'gateway:test', subject: 'audit_events' });
  });

  it('a key file group or others can read: no checkpoints, and the log says why', async () => {
    const keyFile = path.join(dir, 'key', 'audit-checkpoint.key');
    fs.mkdirSync(path.dirname(keyFile));
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    fs.writeFileSync(keyFile, pem, { mode: 0o644 });
    fs.chmodSync(keyFile, 0o644);
    await append(1);
    const cp = await startAuditCheckpointer({ db: t.knex, config: auditConfig(), log, actor: 'gw', sink });
    await cp.stop();
    expect(cp.enabled).toBe(false);
    expect(fs.existsSync(path.join(dir, 'cp'))).toBe(false);
    expect(logged.join('\n')).toMatch(/error audit checkpoints are off: .*mode 0644.*refused/);
  });

  it('audit.checkpoints: false writes none and says so', async () => {
    const cp = await startAuditCheckpointer({
      db: t.knex,
      config: auditConfig({ checkpoints: false }),
      log,
      actor: 'gw',
      sink,
    });
    await cp.stop();
    expect(cp.enabled).toBe(false);
    expect(fs.existsSync(path.join(dir, 'cp'))).toBe(false);
    expect(logged).toEqual([expect.stringMatching(/^warn audit checkpoints are off/)]);
  });
});
