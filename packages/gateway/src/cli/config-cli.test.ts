// faxgate config check / config record as an admin runs them.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, type CliFixture, cliFixture } from '../test-support/cli-fixture.js';

let f: CliFixture;
beforeAll(async () => {
  f = await cliFixture('api:\n  port: 8125\nlogging:\n  level: warn\n');
  expect((await f.run(['db', 'migrate'])).code).toBe(0);
});
afterAll(async () => {
  await f?.close();
});

describe('faxgate config check', () => {
  it('exits 0 with a summary of a valid file', async () => {
    const r = await f.run(['config', 'check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`configuration valid: ${f.configFile}`);
    expect(r.stdout).toContain('port: 8125');
  });

  it('exits 2 naming every bad key', async () => {
    const bad = `${f.dir}/bad.yaml`;
    fs.writeFileSync(bad, 'api:\n  port: abc\nlines:\n  transport: isdn4linux\nlockdwn: {}\n');
    const r = await f.run(['config', 'check', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('api.port: expected an integer 0..65535, got "abc"');
    expect(r.stderr).toContain('lines.transport: expected one of rcapi, native, got "isdn4linux"');
    expect(r.stderr).toContain('lockdwn: unknown key');
  });

  it('never prints a secret, also not in --json', async () => {
    const env = {
      ...f.env,
      FAXGATE_DATABASE_URL: 'postgres://fax:pa55word-xyz@127.0.0.1/db',
      FAXGATE_DATABASE_OWNER_URL: 'postgres://own:0wner-secret@127.0.0.1/db',
    };
    const { runFaxgate } = await import('../testing/run-cli.js');
    const r = await runFaxgate(['config', 'check', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('pa55word-xyz');
    expect(r.stdout).not.toContain('0wner-secret');
    expect(JSON.parse(r.stdout)).toMatchObject({
      valid: true,
      envOverrides: ['FAXGATE_DATABASE_URL', 'FAXGATE_DATABASE_OWNER_URL'],
      config: {
        database: {
          url: 'postgres://fax:<redacted>@127.0.0.1/db',
          ownerUrl: 'postgres://own:<redacted>@127.0.0.1/db',
        },
      },
    });
  });
});

describe('faxgate config record', () => {
  it('records a version with a config.change event only when the content changed', async () => {
    const first = await f.run(['config', 'record', '--comment', 'initial', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ changed: true, version: 1 });

    const again = await f.run(['config', 'record', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, version: 1 });

    fs.writeFileSync(
      f.configFile,
      'api:\n  port: 8126\nlogging:\n  level: warn\nlockdown:\n  mode: outgoing-only\n',
    );
    const changed = await f.run(['config', 'record', '--comment', 'outgoing only from now on']);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('configuration recorded as version 2');
    expect(changed.stdout).toContain('api.port: 8125 -> 8126');

    const versions = await f.db('config_versions').orderBy('version').select('version', 'author', 'diff');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1].diff).toContain('+  mode: outgoing-only');
    const events = (await auditEvents(f.db)).filter((e) => e.type === 'config.change');
    expect(events).toHaveLength(2);
    expect(events[1].details).toMatchObject({
      version: 2,
      previous: 1,
      // --comment is the older name of --reason; the comment says where the version came from
      comment: 'config record on the host',
      reason: 'outgoing only from now on',
      authorKind: 'os',
      changes: expect.arrayContaining([{ path: 'lockdown.mode', from: 'send-receive', to: 'outgoing-only' }]),
    });
    expect(events[1].actor).toBe(versions[1].author);
  });
});
