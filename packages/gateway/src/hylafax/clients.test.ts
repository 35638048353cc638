// The real HylaFAX clients of Debian's hylafax-client package against the listener, over the
// REST API fixture's users and mailboxes (no lines: a submitted fax waits in the queue).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPage, setPixel, writeFaxPdf } from '@faxgate/fax-core';
import { faxes, grants, users } from '@faxgate/store';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../test-support/api-fixture.js';
import { runClient } from '../testing/hylafax-clients.js';
import { useHylafaxFixture } from './test-support/fixture.js';

const f = useHylafaxFixture();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-hylafax-docs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function samplePdf(): string {
  const page = createPage(1728, 1100, 'fine');
  for (let y = 100; y < 1000; y += 7) for (let x = 100; x < 1600; x += 3) setPixel(page, x, y, true);
  const file = path.join(dir, 'letter.pdf');
  fs.writeFileSync(file, writeFaxPdf([page]));
  return file;
}

const as = (user: string, password = PASSWORD) => ({ port: f.port, user, password });

function jobIdOf(stdout: string): number {
  const m = /request id is (\d+)/.exec(stdout);
  if (!m) throw new Error(`no request id in: ${stdout}`);
  return Number(m[1]);
}

async function auditOf(type: string, actor: string) {
  return f.api.db('audit_events').where({ type, actor }).orderBy('id', 'desc');
}

describe('HylaFAX clients against the listener', () => {
  it('sendfax submits a PDF as a fax job of the user', async () => {
    const r = await runClient('sendfax', ['-n', '-d', '5551000', samplePdf()], as('alice'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The job id is the fax id, known at JNEW (reserved) before the job's parameters arrive.
    const id = jobIdOf(r.stdout);
    const fax = await faxes.get(f.api.db, id);
    expect(fax).toMatchObject({ direction: 'out', state: 'pending', remoteNumber: '+49305551000' });
    expect(fax.metadata).toMatchObject({ owner: 'alice', via: 'hylafax' });
    expect(fax.pagesTotal).toBe(1);
    const logins = await auditOf('auth.login', 'alice');
    expect(logins.some((e) => e.details.via === 'hylafax')).toBe(true);
    expect(f.errors).toEqual([]);
  });

  it('a text file goes through PostScript and sandboxed Ghostscript, with send time, kill time, priority, passive mode', async () => {
    const text = path.join(dir, 'note.txt');
    fs.writeFileSync(text, 'A note for the fax.\nSecond line.\n');
    const r = await runClient(
      'sendfax',
      [
        '-n',
        '-m',
        '-P',
        '40',
        '-a',
        'now + 2 hours',
        '-k',
        'now + 5 hours',
        '-r',
        'Quarterly',
        '-d',
        '5551001',
        text,
      ],
      { ...as('alice'), hylarc: ['PassiveMode: yes'] },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const fax = await faxes.get(f.api.db, jobIdOf(r.stdout));
    expect(fax.priority).toBe(40);
    expect(fax.subject).toBe('Quarterly');
    expect(fax.resolution).toBe(196);
    const inTwoHours = Date.now() + 2 * 3600_000;
    expect(Math.abs((fax.notBefore?.getTime() ?? 0) - inTwoHours)).toBeLessThan(120_000);
    // LASTTIME is counted from the send time (hfaxd's meaning)
    expect((fax.killAt?.getTime() ?? 0) - (fax.notBefore?.getTime() ?? 0)).toBeGreaterThan(2.9 * 3600_000);
  });

  it('sendfax with its cover page (PostScript from faxcover) sends it first, the cover fields kept', async () => {
    const r = await runClient(
      'sendfax',
      ['-x', 'ACME', '-c', 'see attached', '-d', 'Bob Remote@5551005', samplePdf()],
      as('alice'),
    );
    const fax = await faxes.get(f.api.db, jobIdOf(r.stdout));
    expect(fax.pagesTotal).toBe(2);
    expect(fax.metadata.hylafax).toMatchObject({ toUser: 'Bob Remote', toCompany: 'ACME' });
  });

  it('faxstat -s lists the own jobs only; faxalter changes the send time and priority; faxrm removes a waiting job', async () => {
    const sent = await runClient(
      'sendfax',
      ['-n', '-a', 'now + 1 hour', '-d', '5551002', samplePdf()],
      as('alice'),
    );
    const id = jobIdOf(sent.stdout);
    const mine = await runClient('faxstat', ['-s'], as('alice'));
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toMatch(/JID\s+Pri\s+S\s+Owner\s+Number/);
    expect(mine.stdout).toMatch(new RegExp(`^${id}\\s+127\\s+P\\s+alice\\s+\\+49305551002`, 'm'));
    const theirs = await runClient('faxstat', ['-s'], as('bob'));
    expect(theirs.code).toBe(0);
    expect(theirs.stdout).not.toMatch(new RegExp(`^${id}\\s`, 'm'));

    // -v: the client's own trace of the dialogue (faxalter exits 3 even when all went well).
    const altered = await runClient(
      'faxalter',
      ['-v', '-a', 'now + 3 hours', '-P', '20', String(id)],
      as('alice'),
    );
    expect(altered.stdout).toContain(`-> JOB ${id}`);
    expect(altered.stdout).toMatch(
      /-> JSUSP\n200 .*\n-> JPARM SENDTIME \d{12}\n213 .*\n-> JPARM SCHEDPRI 20\n213 .*\n-> JSUBM\n200 /,
    );
    expect(altered.stdout).toContain(`Job ${id}: done.`);
    const after = await faxes.get(f.api.db, id);
    expect(after.priority).toBe(20);
    expect(Math.abs((after.notBefore?.getTime() ?? 0) - (Date.now() + 3 * 3600_000))).toBeLessThan(120_000);

    const removed = await runClient('faxrm', [String(id)], as('alice'));
    expect(removed.stdout).toContain(`Job ${id} removed`);
    expect((await faxes.get(f.api.db, id)).state).toBe('failed');
    const done = await runClient('faxstat', ['-d'], as('alice'));
    expect(done.stdout).toMatch(new RegExp(`^${id}\\s+20\\s+F\\s+alice.*stopped by alice`, 'm'));
  });

  it('a user without out.send is refused, and the refusal is audited', async () => {
    const r = await runClient('sendfax', ['-n', '-d', '5551003', samplePdf()], as('bob'));
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/may not send/);
    const denied = await auditOf('access.denied', 'bob');
    expect(denied.some((e) => e.details.via === 'hylafax' && e.details.permission === 'out.send')).toBe(true);
  });

  it('another user cannot alter or remove a job (550, nothing changes)', async () => {
    const id = jobIdOf(
      (await runClient('sendfax', ['-n', '-d', '5551004', samplePdf()], as('alice'))).stdout,
    );
    // faxrm and faxstat exit 0 whatever the server answered: the answer is what counts.
    const rm = await runClient('faxrm', [String(id)], as('bob'));
    expect(rm.stderr).toContain(`550 Job ${id} does not exist or is not yours to see.`);
    const alter = await runClient('faxalter', ['-P', '1', String(id)], as('bob'));
    expect(alter.stdout + alter.stderr).toContain('550');
    const fax = await faxes.get(f.api.db, id);
    expect(fax).toMatchObject({ state: 'pending', priority: 127 });
  });

  it('faxrm without out.stop on the mailbox is refused and audited, the fax untouched', async () => {
    await users.add(f.api.db, { name: 'carol', roles: ['user'], password: PASSWORD });
    await grants.grant(f.api.db, { user: 'carol', mailbox: 'alice-out', right: 'out.send' });
    const id = jobIdOf(
      (await runClient('sendfax', ['-n', '-d', '5551006', samplePdf()], as('carol'))).stdout,
    );
    const rm = await runClient('faxrm', [String(id)], as('carol'));
    expect(rm.stderr).toContain(`550 carol may not stop fax ${id}.`);
    expect((await faxes.get(f.api.db, id)).state).toBe('pending');
    const denied = await auditOf('access.denied', 'carol');
    expect(denied.some((e) => e.details.via === 'hylafax' && e.details.permission === 'out.stop')).toBe(true);
  });

  it('a wrong password is refused with 530 and counted by the login throttle', async () => {
    const r = await runClient('faxstat', ['-s'], as('alice', 'wrong password'));
    expect(r.stderr).toContain('Login failed: 530 Login incorrect.');
    const failed = await f.api.db('audit_events').where({ type: 'auth.failed', actor: 'alice' });
    const throttled = await f.api.db('login_throttle').where({ key: 'name:alice' }).first();
    expect(failed.length + (throttled?.attempts ?? 0)).toBeGreaterThan(0);
  });
});
