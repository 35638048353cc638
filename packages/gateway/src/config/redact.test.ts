// Secrets in URLs — the userinfo password and secret-looking query parameters — never reach
// a recorded configuration version, a config.change audit event, a log line or status.
import { auditMigrations } from '@faxgate/audit';
import { type MigratedTestDb, migratedTestDb } from '@faxgate/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from './load.js';
import { recordConfigVersion } from './record.js';
import { configDocument, isSecretParam, redactRequestTarget, redactUrl, redactUrlsIn } from './redact.js';

describe('redactUrl', () => {
  it.each([
    ['https://h.example/hook?token=abc', 'https://h.example/hook?token=<redacted>'],
    [
      'https://h.example/hook?a=1&Access_Token=abc&b=2',
      'https://h.example/hook?a=1&Access_Token=<redacted>&b=2',
    ],
    ['https://h.example/?API-KEY=abc', 'https://h.example/?API-KEY=<redacted>'],
    ['https://h.example/?sig=abc&signature=abc', 'https://h.example/?sig=<redacted>&signature=<redacted>'],
    ['https://h.example/?password=abc;key=abc', 'https://h.example/?password=<redacted>;key=<redacted>'],
    ['https://h.example/?X-Amz-Signature=abc', 'https://h.example/?X-Amz-Signature=<redacted>'],
    [
      'https://h.example/?auth=abc&client_secret=abc',
      'https://h.example/?auth=<redacted>&client_secret=<redacted>',
    ],
    ['https://u:abc@h.example/?page=2&author=me', 'https://u:<redacted>@h.example/?page=2&author=me'],
    ['redis://:abc@127.0.0.1:6379/0', 'redis://:<redacted>@127.0.0.1:6379/0'],
    [
      'postgres://app:abc@db:5432/fax?sslmode=require',
      'postgres://app:<redacted>@db:5432/fax?sslmode=require',
    ],
    ['https://h.example/cb#access_token=abc', 'https://h.example/cb#<redacted>'],
  ])('%s → %s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });

  it('keeps harmless parameters and names, and redacts what is not a URL at all', () => {
    expect(redactUrl('https://h.example/?name=token&mailbox=3')).toBe(
      'https://h.example/?name=token&mailbox=3',
    );
    expect(redactUrl('not a url abc')).toBe('<redacted>');
    expect(isSecretParam('keyword')).toBe(false);
    expect(isSecretParam('refresh_token')).toBe(true);
  });

  it('redacts URLs inside text and request targets for the access log', () => {
    expect(redactUrlsIn('POST https://h.example/x?token=abc failed: 500')).toBe(
      'POST https://h.example/x?token=<redacted> failed: 500',
    );
    expect(redactRequestTarget('/api/v1/faxes?mailbox=3&access_token=abc')).toBe(
      '/api/v1/faxes?mailbox=3&access_token=<redacted>',
    );
    expect(redactRequestTarget('/status')).toBe('/status');
  });
});

describe('recorded configuration', () => {
  let t: MigratedTestDb;
  beforeAll(async () => {
    t = await migratedTestDb({ extra: [...auditMigrations] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const SECRET = 'tok3n-Zq81xW';
  const withHook = (url: string) =>
    validateConfig(
      {
        database: { url: `postgres://app:${SECRET}p@127.0.0.1:5432/fax?password=${SECRET}q` },
        notifications: { webhooks: [{ name: 'crm', url, events: ['fax.sent'] }] },
      },
      {},
    ).config;

  it('a webhook token in the query string is in no config version and no config.change event', async () => {
    const config = withHook(`https://crm.example/hook?tenant=7&token=${SECRET}`);
    expect(configDocument(config)).not.toContain(SECRET);
    const first = await recordConfigVersion(t.knex, { config, author: 'test' });
    expect(first.changed).toBe(true);
    // A change of the URL (and its token) is recorded as a change, still without the token.
    const second = await recordConfigVersion(t.knex, {
      config: withHook(`https://crm.example/hook?tenant=8&token=${SECRET}x`),
      author: 'test',
    });
    expect(second.changed).toBe(true);

    const versions = await t.knex('config_versions').select('*');
    expect(versions).toHaveLength(2);
    const events = await t.knex('audit_events').where({ type: 'config.change' }).select('*');
    expect(events).toHaveLength(2);
    const stored = JSON.stringify([versions, events]);
    expect(stored).toContain('tenant=8'); // the change itself is visible
    expect(stored).not.toContain(SECRET);
  });

  it('an old version that still holds a token does not leak it into the next change event', async () => {
    await t.knex('config_versions').insert({
      author: 'old-build',
      content: `notifications:\n  webhooks:\n    - url: https://crm.example/hook?token=${SECRET}old\n`,
      sha256: 'f'.repeat(64),
      diff: '',
    });
    await recordConfigVersion(t.knex, {
      config: withHook('https://crm.example/hook?tenant=9'),
      author: 'test',
    });
    const [event] = await t
      .knex('audit_events')
      .where({ type: 'config.change' })
      .orderBy('id', 'desc')
      .limit(1);
    expect(JSON.stringify(event)).toContain('tenant=9');
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });
});
