// The IMAP mailbox among the daemon's health checks (issue 19 item 5): with mailIntake enabled
// the `imap` check logs in to a real Dovecot, sends NOOP and finds the folders; a refused login
// fails it and raises the check.imap alert, which clears when the login works again.
import fs from 'node:fs';
import path from 'node:path';
import { auditMigrations } from '@faxgate/audit';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts } from '../alerts/alerts.js';
import { gatewayHealthChecks, runGatewayChecks } from '../checks/gateway-checks.js';
import { validateConfig } from '../config/load.js';
import type { FaxgateConfig } from '../config/schema.js';
import { type DovecotServer, startDovecot } from '../test-support/dovecot.js';
import { ensureFolders, imapClient } from './imap.js';

let t: MigratedTestDb;
let dovecot: DovecotServer;
let redis: Redis;
let config: FaxgateConfig;

beforeAll(async () => {
  t = await migratedTestDb({ extra: [...auditMigrations], poolMax: 4 });
  dovecot = await startDovecot();
  config = validateConfig(
    {
      checks: { timeoutSeconds: 20 },
      mailIntake: {
        enabled: true,
        host: dovecot.host,
        port: dovecot.port,
        tls: 'none',
        user: dovecot.user,
        passwordFile: dovecot.passwordFile,
      },
    },
    {},
  ).config;
  redis = new Redis(config.redis.url);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await dovecot?.stop();
  await t?.close();
});

const options = () => ({ config: () => config, db: t.knex, redis, actor: 'gateway:test' });

describe('imap health check', () => {
  it('is one of the checks only when the intake is enabled', () => {
    expect(gatewayHealthChecks(options()).map((c) => c.name)).toContain('imap');
    const off = { ...config, mailIntake: { ...config.mailIntake, enabled: false } };
    expect(gatewayHealthChecks({ ...options(), config: () => off }).map((c) => c.name)).not.toContain('imap');
  });

  it('fails while the folders are missing, passes once they are made; a refused login is alerted and cleared', async () => {
    const imap = (await runGatewayChecks(options())).find((r) => r.name === 'imap');
    expect(imap?.ok).toBe(false);
    expect(imap?.detail).toMatch(/folder faxgate-processed, faxgate-failed missing/);

    const client = imapClient(config.mailIntake);
    await client.connect();
    await ensureFolders(client, config.mailIntake);
    await client.logout();
    const ok = (await runGatewayChecks(options())).find((r) => r.name === 'imap');
    expect([ok?.ok, ok?.detail]).toEqual([true, expect.stringContaining('NOOP answered')]);
    expect(await openAlerts(t.knex, 'check.imap')).toEqual([]);

    const wrong = path.join(dovecot.dir, 'wrong.password');
    fs.writeFileSync(wrong, 'not-the-password\n');
    const good = config;
    config = { ...good, mailIntake: { ...good.mailIntake, passwordFile: wrong } };
    const refused = (await runGatewayChecks(options())).find((r) => r.name === 'imap');
    expect([refused?.ok, refused?.detail]).toEqual([false, expect.stringContaining('login refused')]);
    expect((await openAlerts(t.knex, 'check.imap')).map((a) => a.key)).toEqual(['check.imap']);

    config = good;
    expect((await runGatewayChecks(options())).find((r) => r.name === 'imap')?.ok).toBe(true);
    expect(await openAlerts(t.knex, 'check.imap')).toEqual([]);
  }, 60_000);
});
