// Configuration history over real HTTP on PostgreSQL (issue 17 item 5): config.read only
// (403 + access.denied for every other role), author as person / OS account / system with
// node and reason, show, diff as key paths and text, export — and no secret ever leaves,
// not even one a version recorded before a redaction rule still holds.
import { configVersions } from '@faxgate/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordConfigVersion } from '../../config/record.js';
import type { FaxgateConfig } from '../../config/schema.js';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();
let v: { start: number; admin: number; other: number; legacy: number };

function withPort(c: FaxgateConfig, port: number, secretUrl?: string): FaxgateConfig {
  return {
    ...c,
    api: { ...c.api, port },
    notifications: {
      ...c.notifications,
      webhooks: secretUrl
        ? [{ ...({} as FaxgateConfig['notifications']['webhooks'][number]), url: secretUrl }]
        : [],
    },
  };
}

beforeAll(async () => {
  const base = f.config;
  const start = await recordConfigVersion(f.db, {
    config: withPort(base, 8025),
    author: 'gateway:faxgate@host1',
    authorKind: 'os',
    comment: 'gateway start (/etc/faxgate/faxgate.yaml)',
  });
  const admin = await recordConfigVersion(f.db, {
    config: withPort(base, 8026, 'https://hooks.example/fax?token=s3cr3t-token&x=1'),
    author: 'admin',
    reason: 'port moved for the proxy, see https://wiki.example/?access_token=wikis3cr3t',
  });
  const other = await recordConfigVersion(f.db, {
    config: { ...withPort(base, 9000), node: { ...base.node, name: 'node-b' } },
    author: 'system:SIGHUP',
    authorKind: 'system',
  });
  // Recorded by an older version of faxgate, before a redaction rule: the secret is in the row.
  const legacy = await configVersions.record(f.db, {
    author: 'gateway:root@old',
    authorKind: 'os',
    node: 'legacy',
    content: 'api:\n  sessionSecret: hunter2-legacy\ndatabase:\n  url: postgres://app:pw-legacy@db/faxgate\n',
  });
  v = { start: start.version, admin: admin.version, other: other.version, legacy: legacy.version };
});

async function lastEvent() {
  return f.db('audit_events').orderBy('id', 'desc').first('type', 'actor', 'subject', 'details');
}

const SECRETS = /s3cr3t-token|wikis3cr3t|hunter2-legacy|pw-legacy/;

describe('configuration history API', () => {
  it('refuses every role without config.read with 403 and an access.denied event, on every endpoint', async () => {
    const paths = [
      '/config/versions',
      `/config/versions/${v?.admin ?? 1}`,
      '/config/diff?from=1&to=2',
      '/config/export',
    ];
    for (const user of ['po', 'op', 'alice']) {
      for (const p of paths) {
        const r = await client(f, user)(`/api/v1${p}`);
        expect(r.status, `${user} ${p}`).toBe(403);
        const body = await r.text();
        expect(body).not.toMatch(SECRETS);
        expect(await lastEvent()).toMatchObject({
          type: 'access.denied',
          actor: user,
          details: { permission: 'config.read', via: 'api' },
        });
      }
    }
  });

  it('lists the versions newest first with author kind, node, source and reason; the read is recorded', async () => {
    const r = await client(f, 'audi')('/api/v1/config/versions');
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).not.toMatch(SECRETS);
    const { versions } = JSON.parse(text) as { versions: Array<Record<string, unknown>> };
    expect(versions.map((x) => x.version)).toEqual([v.legacy, v.other, v.admin, v.start]);
    expect(versions[3]).toMatchObject({
      author: 'gateway:faxgate@host1',
      authorKind: 'os',
      node: f.config.node.name,
      reason: '',
    });
    expect(versions[2]).toMatchObject({ author: 'admin', authorKind: 'user' });
    expect(versions[2].reason).toMatch(
      /^port moved for the proxy, see https:\/\/wiki\.example\/\?access_token=<redacted>$/,
    );
    expect(versions[1]).toMatchObject({ author: 'system:SIGHUP', authorKind: 'system', node: 'node-b' });
    expect(versions[0]).not.toHaveProperty('content');
    expect(await lastEvent()).toMatchObject({
      type: 'config.read',
      actor: 'audi',
      subject: 'config_versions',
      details: { what: 'history', rows: 4 },
    });

    const paged = await client(f, 'admin')(`/api/v1/config/versions?before=${v.admin}&limit=5`);
    expect(
      ((await paged.json()) as { versions: Array<{ version: number }> }).versions.map((x) => x.version),
    ).toEqual([v.start]);
    const node = await client(f, 'admin')('/api/v1/config/versions?node=node-b');
    expect(
      ((await node.json()) as { versions: Array<{ version: number }> }).versions.map((x) => x.version),
    ).toEqual([v.other]);
  });

  it('shows one version, redacting a secret an old version still holds, and answers 404 for none', async () => {
    const r = await client(f, 'audi')(`/api/v1/config/versions/${v.admin}`);
    expect(r.status).toBe(200);
    const one = (await r.json()) as { content: string; diff: string; version: number };
    expect(one.content).toMatch(/port: 8026/);
    expect(one.content).toMatch(/url: https:\/\/hooks\.example\/fax\?token=<redacted>&x=1/);
    expect(one.diff).toMatch(/-\s+port: 8025/);
    expect(await lastEvent()).toMatchObject({ type: 'config.read', subject: `config:v${v.admin}` });

    const legacy = await client(f, 'audi')(`/api/v1/config/versions/${v.legacy}`);
    const text = await legacy.text();
    expect(text).not.toMatch(SECRETS);
    expect(text).toMatch(/sessionSecret: <redacted>/);
    expect(text).toMatch(/postgres:\/\/app:<redacted>@db\/faxgate/);

    expect((await client(f, 'audi')('/api/v1/config/versions/999999')).status).toBe(404);
    expect((await client(f, 'audi')('/api/v1/config/versions/abc')).status).toBe(400);
  });

  it('compares two versions as key paths and as text', async () => {
    const r = await client(f, 'audi')(`/api/v1/config/diff?from=${v.start}&to=${v.admin}`);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).not.toMatch(SECRETS);
    const d = JSON.parse(text) as {
      changes: Array<{ path: string; from?: unknown; to?: unknown }>;
      text: string;
    };
    expect(d.changes).toContainEqual({ path: 'api.port', from: 8025, to: 8026 });
    expect(d.changes.find((c) => c.path === 'notifications.webhooks')?.to).toEqual([
      expect.objectContaining({ url: 'https://hooks.example/fax?token=<redacted>&x=1' }),
    ]);
    expect(d.text).toMatch(/^--- version \d+\n\+\+\+ version \d+/);
    expect(d.text).toMatch(/\+\s+port: 8026/);
    expect(await lastEvent()).toMatchObject({
      type: 'config.read',
      subject: `config:v${v.start}..v${v.admin}`,
      details: { what: 'diff', changes: d.changes.length },
    });
    expect((await client(f, 'audi')(`/api/v1/config/diff?from=${v.start}&to=999999`)).status).toBe(404);
    expect((await client(f, 'audi')(`/api/v1/config/diff?from=${v.start}`)).status).toBe(400);
  });

  it('exports every version oldest first with content, recorded as config.export', async () => {
    const r = await client(f, 'audi')('/api/v1/config/export');
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).not.toMatch(SECRETS);
    const e = JSON.parse(text) as {
      exportedBy: string;
      versions: Array<{ version: number; content: string }>;
    };
    expect(e.exportedBy).toBe('audi');
    expect(e.versions.map((x) => x.version)).toEqual([v.start, v.admin, v.other, v.legacy]);
    expect(e.versions[0].content).toMatch(/port: 8025/);
    expect(await lastEvent()).toMatchObject({ type: 'config.export', actor: 'audi', details: { rows: 4 } });
  });
});
