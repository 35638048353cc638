// GET /api/v1/audit/events over real HTTP: audit.read only (403 + access.denied otherwise),
// JSON lines or CSV with hashes, the range applied, and the export itself on record.
import { describe, expect, it } from 'vitest';
import { client, useApiFixture } from '../../test-support/api-fixture.js';

const f = useApiFixture();

async function lastEvents(n: number) {
  return (
    await f.db('audit_events').orderBy('id', 'desc').limit(n).select('type', 'actor', 'details')
  ).reverse();
}

describe('GET /api/v1/audit/events', () => {
  it('refuses every role without audit.read with 403 and an access.denied event', async () => {
    for (const user of ['op', 'alice', 'po']) {
      const r = await client(f, user)('/api/v1/audit/events');
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      const [ev] = await lastEvents(1);
      expect(ev).toMatchObject({ type: 'access.denied', actor: user });
    }
    expect((await client(f)('/api/v1/audit/events')).status).toBe(401);
  });

  it('streams JSON lines with hashes to the auditor and records the export', async () => {
    const r = await client(f, 'audi')('/api/v1/audit/events?format=jsonl');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await r.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && typeof e.prevHash === 'string')).toBe(true);
    const [ev] = await lastEvents(1);
    expect(ev).toMatchObject({
      type: 'audit.export',
      actor: 'audi',
      details: { format: 'jsonl', rows: lines.length },
    });
  });

  it('applies from/to and answers CSV; a bad range is 400 without reading', async () => {
    const r = await client(f, 'admin')('/api/v1/audit/events?format=csv&to=2000-01-01T00:00:00Z');
    expect(r.status).toBe(200);
    expect((await r.text()).trimEnd().split('\n')).toHaveLength(1);
    const before = await f.db('audit_events').count({ n: '*' });
    for (const q of [
      'from=yesterday',
      'from=2026-03-03T00:00:00Z&to=2026-03-01T00:00:00Z',
      'format=xml',
      'x=1',
    ]) {
      const bad = await client(f, 'audi')(`/api/v1/audit/events?${q}`);
      expect(bad.status).toBe(400);
    }
    expect(await f.db('audit_events').count({ n: '*' })).toEqual(before);
  });
});

describe('the routes the CLI needs are documented', () => {
  it('lists /audit/events, /log and /listing/faxes in /openapi.json with their query parameters', async () => {
    const spec = (await (await fetch(`${f.base}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string }>; summary?: string } }>;
    };
    const params = (p: string) => spec.paths[p]?.get?.parameters?.map((x) => x.name).sort();
    expect(params('/api/v1/audit/events')).toEqual(['format', 'from', 'to']);
    expect(params('/api/v1/log')).toEqual(['fax', 'format', 'from', 'timeZone', 'to']);
    expect(params('/api/v1/listing/faxes')).toEqual([
      'direction',
      'from',
      'limit',
      'mailbox',
      'number',
      'right',
      'state',
      'to',
    ]);
    for (const p of ['/api/v1/audit/events', '/api/v1/log', '/api/v1/listing/faxes'])
      expect(spec.paths[p].get?.summary).toMatch(/\w/);
  });
});
