// faxgate audit export / log export: the real CLI with a user's token against the gateway
// API (GET /api/v1/audit/events, GET /api/v1/log). The right is the token user's; a refusal
// is exit 2 with an access.denied event, and every read is an audit event naming the reader.
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture, snapshot } from '../test-support/cli-fixture.js';
import { recordSampleSend } from '../test-support/send-record.js';

// Every test runs the CLI as processes of their own, several times: slow on a busy machine.
vi.setConfig({ testTimeout: 240_000 });
let f: CliApiFixture;

async function ok(user: string, args: string[]) {
  const r = await f.as(user, args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

beforeAll(async () => {
  f = await cliApiFixture('logging:\n  level: warn\n', { queue: false });
  await users.add(f.db, { name: 'olga', roles: ['auditor'] });
  await users.add(f.db, { name: 'uwe', roles: ['user'] });
  await recordSampleSend(f.db, 'uwe');
}, 60_000);
afterAll(async () => {
  await f?.close();
});

describe('faxgate log export', () => {
  it('refuses a user without log.read, records the refusal and writes no log line', async () => {
    const before = (await auditEvents(f.db)).length;
    const r = await f.as('uwe', ['log', 'export', '--format', 'xferfaxlog']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faxgate: uwe may not read the send/receive log\n');
    expect(r.stdout).toBe('');
    const after = await auditEvents(f.db);
    expect(after.slice(before).map((e) => [e.type, e.actor])).toEqual([['access.denied', 'uwe']]);
  });

  it('lets an auditor export xferfaxlog lines, and the read is an audit event', async () => {
    const r = await ok('olga', ['log', 'export', '--format', 'xferfaxlog']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const cols = lines[0].split('\t');
    expect(cols.slice(0, 5)).toEqual(['03/02/26 10:15', 'SEND', '00000042', 'c1b1', '42']);
    expect(cols[7]).toBe('"+4930123456"');
    const read = (await auditEvents(f.db)).at(-1);
    expect(read).toMatchObject({ type: 'log.read', actor: 'olga', subject: 'xfer_log' });
    expect(read?.details).toMatchObject({ format: 'xferfaxlog', rows: 1 });
  });

  it('--format xferfaxlog-19: HylaFAX 6.0 lines for an auditor; refused to a user, on record', async () => {
    const r = await ok('olga', ['log', 'export', '--format', 'xferfaxlog-19']);
    const cols = r.stdout.replace(/\n$/, '').split('\t');
    expect(cols).toHaveLength(19);
    expect(cols.slice(0, 5)).toEqual(['03/02/26 10:15', 'SEND', '00000042', 'c1b1', '42']);
    expect((await auditEvents(f.db)).at(-1)?.details).toMatchObject({ format: 'xferfaxlog-19', rows: 1 });
    const before = (await auditEvents(f.db)).length;
    const refused = await f.as('uwe', ['log', 'export', '--format', 'xferfaxlog-19']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect((await auditEvents(f.db)).slice(before).map((e) => [e.type, e.actor])).toEqual([
      ['access.denied', 'uwe'],
    ]);
  });

  it('filters by --from/--to, takes --time-zone, and refuses bad input without reading', async () => {
    const later = await ok('olga', ['log', 'export', '--format', 'jsonl', '--from', '2026-03-03']);
    expect(later.stdout).toBe('');
    const berlin = await ok('olga', ['log', 'export', '--time-zone', 'Europe/Berlin']);
    expect(berlin.stdout.split('\t')[0]).toBe('03/02/26 11:15');
    const before = await snapshot(f.db, ['credentials']);
    for (const [args, message] of [
      [['--from', 'yesterday'], /--from: expected an ISO 8601 date/],
      [['--from', '2026-03-03', '--to', '2026-03-01'], /--from must be before --to/],
      [['--time-zone', 'Mars/Olympus'], /--time-zone: unknown time zone "Mars\/Olympus"/],
    ] as const) {
      const bad = await f.as('olga', ['log', 'export', ...args]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
      expect(bad.stdout).toBe('');
    }
    expect(await snapshot(f.db, ['credentials'])).toEqual(before);
  });
});

describe('faxgate audit export', () => {
  it('writes JSON lines with hashes for an auditor, recorded; refuses a plain user', async () => {
    const r = await ok('olga', ['audit', 'export', '--format', 'jsonl']);
    const events = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(2);
    expect(events.map((e) => e.seq)).toEqual([...events.keys()].map((i) => i + 1));
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    expect(events.some((e) => e.type === 'log.read' && e.actor === 'olga')).toBe(true);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'audit.export', actor: 'olga' });
    const csv = await ok('olga', ['audit', 'export', '--format', 'csv', '--to', '2000-01-01']);
    expect(csv.stdout.trimEnd().split('\n')).toEqual([
      'seq,time,type,actor,actor_id,subject,mailbox_id,fax_id,details,prev_hash,hash',
    ]);
    const before = (await auditEvents(f.db)).length;
    const denied = await f.as('uwe', ['audit', 'export']);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toBe('faxgate: uwe may not export the audit trail\n');
    expect(denied.stdout).toBe('');
    const after = await auditEvents(f.db);
    expect(after.slice(before).map((e) => [e.type, e.actor])).toEqual([['access.denied', 'uwe']]);
  });
});
