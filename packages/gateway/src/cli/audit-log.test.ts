// audit verify / audit export / log export through the CLI, against a real PostgreSQL.
import { recordXfer } from '@faxgate/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, type CliFixture, cliFixture, snapshot } from '../test-support/cli-fixture.js';

let f: CliFixture;

async function ok(args: string[]) {
  const r = await f.run(args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

beforeAll(async () => {
  f = await cliFixture();
  await ok(['db', 'migrate']);
  await ok(['user', 'add', 'olga', '--role', 'auditor']);
  await ok(['user', 'add', 'uwe', '--role', 'user']);
  await ok(['group', 'add', 'sales']);
  await f.db.transaction((trx) =>
    recordXfer(trx, {
      type: 'SEND',
      time: new Date('2026-03-02T10:15:00Z'),
      commid: '00000042',
      device: 'c1b1',
      jobid: '42',
      dest: '+4930123456',
      remoteStation: '+49 30 123456',
      npages: 3,
      jobtimeSeconds: 75,
      conntimeSeconds: 61,
      reason: '',
      owner: 'uwe',
    }),
  );
});
afterAll(async () => {
  await f?.close();
});

describe('faxgate log export', () => {
  it('refuses a user without log.read, records the refusal and writes no log line', async () => {
    const before = (await auditEvents(f.db)).length;
    const r = await f.run(['--as', 'uwe', 'log', 'export', '--format', 'xferfaxlog']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uwe may not read the send\/receive log \(needs log\.read\)/);
    expect(r.stdout).toBe('');
    const after = await auditEvents(f.db);
    expect(after.slice(before).map((e) => [e.type, e.actor])).toEqual([['access.denied', 'uwe']]);
  });

  it('lets an auditor export xferfaxlog lines, and the read is an audit event', async () => {
    const r = await ok(['--as', 'olga', 'log', 'export', '--format', 'xferfaxlog']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const cols = lines[0].split('\t');
    expect(cols.slice(0, 5)).toEqual(['03/02/26 10:15', 'SEND', '00000042', 'c1b1', '42']);
    expect(cols[7]).toBe('"+4930123456"');
    const read = (await auditEvents(f.db)).at(-1);
    expect(read).toMatchObject({ type: 'log.read', actor: 'olga', subject: 'xfer_log' });
    expect(read?.details).toMatchObject({ format: 'xferfaxlog', rows: 1 });
  });

  it('filters by --from/--to and refuses a bad date without reading', async () => {
    const r = await ok(['--as', 'olga', 'log', 'export', '--format', 'jsonl', '--from', '2026-03-03']);
    expect(r.stdout).toBe('');
    const before = await snapshot(f.db);
    const bad = await f.run(['--as', 'olga', 'log', 'export', '--from', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from: expected an ISO 8601 date/);
    expect(await snapshot(f.db)).toEqual(before);
  });

  it('needs --as: a log read is attributed to a named faxgate user', async () => {
    const r = await f.run(['log', 'export']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/log export needs --as <user>/);
  });
});

describe('faxgate audit export', () => {
  it('writes JSON lines with hashes for an auditor; refuses a plain user', async () => {
    const r = await ok(['--as', 'olga', 'audit', 'export', '--format', 'jsonl']);
    const events = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ seq: 1, type: 'system.migrate' });
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'audit.export', actor: 'olga' });
    const csv = await ok(['--as', 'olga', 'audit', 'export', '--format', 'csv', '--to', '2000-01-01']);
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(1); // header only
    const denied = await f.run(['--as', 'uwe', 'audit', 'export']);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/needs audit\.read/);
  });
});

describe('faxgate audit verify', () => {
  it('exits 0 on an intact chain and records the check', async () => {
    const r = await ok(['audit', 'verify']);
    expect(r.stdout).toMatch(/audit trail intact: \d+ events checked/);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'audit.verify' });
  });

  it('exits 1 naming the first altered event when a superuser changed a row', async () => {
    const { rows } = await f.db.raw(`SELECT seq FROM audit_events WHERE type = 'admin.group_add'`);
    const seq = rows[0].seq as number;
    await f.db.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await trx.raw(`UPDATE audit_events SET actor = 'somebody-else' WHERE seq = ?`, [seq]);
      for (const t of ['unsealed', 'seal', 'append_only', 'no_truncate']) {
        await trx.raw(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_${t}`);
      }
    });
    const r = await f.run(['audit', 'verify']);
    expect(r.stderr).toMatch(new RegExp(`audit trail BROKEN at event ${seq} \\(altered\\)`));
    expect(r.code).toBe(1);
    const json = await f.run(['audit', 'verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBad: { seq, kind: 'altered' } });
  });
});
