// `faxgate audit verify | checkpoint | checkpoints export` end to end through the real CLI:
// the issue's attack as a superuser (cut the trail and move the head back; alter an event and
// re-hash the rest) passes the chain check and is caught by the checkpoints; an edited
// checkpoint is a bad signature; an unsafe key is refused and recorded.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, type CliFixture, cliFixture } from '../test-support/cli-fixture.js';
import { runFaxgate } from '../testing/run-cli.js';

let f: CliFixture;
let cpDir: string;
let keyFile: string;

// As a superuser with the triggers off: what issue 13's attacker does.
async function superuser(sql: string): Promise<void> {
  await f.db.transaction(async (trx) => {
    await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await trx.raw('ALTER TABLE audit_head DISABLE TRIGGER USER');
    await trx.raw(sql);
    for (const t of ['unsealed', 'append_only', 'no_delete', 'no_truncate'])
      await trx.raw(`ALTER TABLE audit_events ENABLE ALWAYS TRIGGER audit_events_${t}`);
    for (const t of ['forward_only', 'no_truncate'])
      await trx.raw(`ALTER TABLE audit_head ENABLE ALWAYS TRIGGER audit_head_${t}`);
  });
}
const moveHeadToLast = `UPDATE audit_head SET (seq, hash) =
  (SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1)`;
const rehashFrom = (seq: number) => `DO $$ DECLARE e audit_events; h text; n text; BEGIN
  SELECT coalesce((SELECT hash FROM audit_events WHERE seq = ${seq - 1}), repeat('0', 64)) INTO h;
  FOR e IN SELECT * FROM audit_events WHERE seq >= ${seq} ORDER BY seq LOOP
    n := encode(sha256(decode(h, 'hex') || convert_to(faxgate_audit_canonical(e, e.seq), 'UTF8')), 'hex');
    UPDATE audit_events SET prev_hash = h, hash = n WHERE id = e.id; h := n;
  END LOOP; END $$`;

async function appendSome(n: number) {
  for (let i = 0; i < n; i++) {
    await f.db.raw(`INSERT INTO audit_events (type, actor, subject) VALUES ('admin.group_add', 'test', ?)`, [
      `group:g${i}`,
    ]);
  }
  await f.db.raw('SELECT faxgate_audit_seal_pending()');
}

beforeAll(async () => {
  f = await cliFixture('logging:\n  level: warn\n');
  cpDir = path.join(f.dir, 'checkpoints');
  keyFile = path.join(f.dir, 'key', 'audit-checkpoint.key');
  fs.appendFileSync(f.configFile, `audit:\n  checkpointDir: ${cpDir}\n  checkpointKeyFile: ${keyFile}\n`);
  expect((await f.run(['db', 'migrate'])).code).toBe(0);
  await appendSome(10);
});
afterAll(async () => {
  await f?.close();
});

describe('faxgate audit checkpoint / verify / checkpoints export', () => {
  it('without checkpoints: verify checks the chain and says nothing anchors it', async () => {
    const r = await f.run(['audit', 'verify']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/audit trail intact: \d+ events checked/);
    expect(r.stdout).toMatch(/no checkpoints: .* does not exist/);
  });

  it('no key yet: refused (exit 2, says how) and recorded as access.denied; --init-key makes it 0600', async () => {
    const r = await f.run(['audit', 'checkpoint']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist \(create it with: faxgate audit checkpoint --init-key\)/);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({
      type: 'access.denied',
      actor: expect.stringMatching(/^system:/),
      subject: 'audit checkpoint',
    });
    const ok = await f.run(['audit', 'checkpoint', '--init-key']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^checkpoint at event \d+ \(key [0-9a-f]{16}\): .*checkpoint-\d{16}-.*\.json\n$/,
    );
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(cpDir).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(cpDir, 'public-key.pem'))).toBe(true);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'audit.checkpoint' });
  });

  it('verify checks against the checkpoints and records the check', async () => {
    await appendSome(3);
    expect((await f.run(['audit', 'checkpoint'])).code).toBe(0);
    const r = await f.run(['audit', 'verify']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/checkpoints \(.*\): 2 of 2 match, the latest at event \d+/);
    const ev = (await auditEvents(f.db)).at(-1);
    expect(ev).toMatchObject({ type: 'audit.verify', details: { ok: true, checkpoints: { matched: 2 } } });
  });

  it('exports for an auditor: JSON lines with the public key, or a directory copy', async () => {
    const lines = await f.run(['audit', 'checkpoints', 'export']);
    expect(lines.code).toBe(0);
    const parsed = lines.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed[0]).toMatchObject({
      format: 'faxgate-audit-public-key/1',
      pem: expect.stringMatching(/PUBLIC KEY/),
    });
    expect(parsed.slice(1).map((c) => c.format)).toEqual([
      'faxgate-audit-checkpoint/1',
      'faxgate-audit-checkpoint/1',
    ]);
    fs.writeFileSync(path.join(f.dir, 'auditor.jsonl'), lines.stdout);
    fs.writeFileSync(path.join(f.dir, 'pinned.pem'), parsed[0].pem);
    const copy = await f.run(['audit', 'checkpoints', 'export', '--out', path.join(f.dir, 'auditor')]);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/2 checkpoints and the public key copied to/);
    expect(fs.readdirSync(path.join(f.dir, 'auditor')).sort()).toHaveLength(3);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({
      type: 'audit.export',
      subject: 'audit-checkpoints',
    });
  });

  it('rewritten: an event altered and every later hash recomputed → chain intact, checkpoint says rewritten (exit 1)', async () => {
    const { rows } = await f.db.raw(
      `SELECT seq FROM audit_events WHERE subject = 'group:g2' ORDER BY seq LIMIT 1`,
    );
    const seq = Number(rows[0].seq);
    await superuser(`UPDATE audit_events SET actor = 'mallory' WHERE seq = ${seq}`);
    await superuser(rehashFrom(seq));
    await superuser(moveHeadToLast);
    const r = await f.run([
      'audit',
      'verify',
      '--checkpoints',
      path.join(f.dir, 'auditor.jsonl'),
      '--public-key',
      path.join(f.dir, 'pinned.pem'),
    ]);
    expect(r.stdout).toMatch(/audit trail intact/); // the chain alone is fooled
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /audit trail BROKEN \(rewritten\): checkpoint .*auditor\.jsonl:2 \(seq \d+.*the trail was rewritten: event \d+ has hash/,
    );
    const json = await f.run(['audit', 'verify', '--json', '--checkpoints', path.join(f.dir, 'auditor')]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      checkpoints: { ok: false, checks: [{ status: 'rewritten' }, { status: 'rewritten' }] },
    });
  });

  it('truncated: the last events deleted and the head moved back → exit 1 naming the checkpoint and sequence', async () => {
    const head = Number((await f.db.raw('SELECT seq FROM audit_head')).rows[0].seq);
    await superuser(`DELETE FROM audit_events WHERE seq > ${head - 8}`);
    await superuser(moveHeadToLast);
    const r = await f.run(['audit', 'verify', '--checkpoints', path.join(f.dir, 'auditor')]);
    expect(r.stdout).toMatch(/audit trail intact/);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /BROKEN \(truncated\): checkpoint .* \(seq (\d+), .*the chain head is at \d+, behind the checkpoint's \1/,
    );
  });

  it('an edited checkpoint file: bad signature (exit 1); a missing --checkpoints path: exit 2', async () => {
    const file = fs.readdirSync(path.join(f.dir, 'auditor')).find((n) => n.endsWith('.json')) as string;
    const p = path.join(f.dir, 'auditor', file);
    const c = JSON.parse(fs.readFileSync(p, 'utf8'));
    fs.writeFileSync(p, JSON.stringify({ ...c, seq: 1 }));
    const r = await f.run(['audit', 'verify', '--checkpoints', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BROKEN \(bad-signature\): .*signature does not match/);
    const missing = await f.run(['audit', 'verify', '--checkpoints', path.join(f.dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--checkpoints: .*nope.*no such file/i);
  });

  it('a key file others can read is refused (exit 2) and recorded', async () => {
    fs.chmodSync(keyFile, 0o644);
    const r = await f.run(['audit', 'checkpoint']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mode 0644.*refused/);
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({
      type: 'access.denied',
      subject: 'audit checkpoint',
    });
    fs.chmodSync(keyFile, 0o600);
  });

  it('without the owner credentials every one of these commands is refused (exit 2)', async () => {
    const cfg = path.join(f.dir, 'no-owner.yaml');
    const ownerFile = path.join(f.dir, 'owner.url');
    fs.writeFileSync(ownerFile, `${f.testDb.url}\n`, { mode: 0o644 });
    fs.chmodSync(ownerFile, 0o644);
    fs.writeFileSync(
      cfg,
      `database:\n  ownerUrlFile: ${ownerFile}\naudit:\n  checkpointDir: ${cpDir}\n  checkpointKeyFile: ${keyFile}\n`,
    );
    const before = (await auditEvents(f.db)).length;
    for (const args of [
      ['audit', 'verify'],
      ['audit', 'checkpoint'],
      ['audit', 'checkpoints', 'export'],
    ]) {
      const r = await runFaxgate(args, { FAXGATE_DATABASE_URL: f.testDb.url, FAXGATE_CONFIG: cfg });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/owner credentials/);
    }
    expect((await auditEvents(f.db)).length).toBe(before); // nothing could be done, nothing written
  });
});
